"""The commission's pages through Django's test client: the applicant books, moves and cancels a slot and reads
the errors (slot taken, booking closed); a member sees the sessions of their own commission only; the president
records attendance (quorum shown), the joint opinion and the decision; each signer signs in turn; nobody reaches
another's booking, session, signature or document by its id (404)."""

# ruff: noqa: F811 - the commission fixtures are imported into this module and requested by name

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from permits.commissions import services
from permits.commissions.models import (
    Booking,
    BookingStatus,
    Examination,
    OutputKind,
    SignatureRequest,
    SignatureStatus,
)
from permits.models import Dossier, DossierStatus
from tests.commissions.conftest import (  # noqa: F401 - fixtures: settings, PKI, in-process tasks, the world
    World,
    celery_in_process,
    commission_settings,
    pki,
    world,
)
from tests.commissions.helpers import booked_file
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


def complete_file(world: World) -> Dossier:
    dossier: Dossier = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    return dossier


def signed_in(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page_messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_applicant_books_moves_and_cancels_a_slot(world: World) -> None:
    dossier = complete_file(world)
    client = signed_in(dossier.applicant)
    page = client.get(f"/files/{dossier.pk}/")
    assert page.status_code == 200
    assert 'id="commission-booking"' in page.content.decode()
    listing = client.get(f"/files/{dossier.pk}/booking/")
    assert listing.status_code == 200
    first_session, second_session = world.sessions()[:2]
    first = first_session.slots.get(number=0)
    assert f'value="{first.pk}"' in listing.content.decode()
    assert len(listing.context["days"]) == 3  # three session days in the two weeks (one holiday skipped)

    booked = client.post(f"/files/{dossier.pk}/booking/book/", {"slot": first.pk}, follow=True)
    assert "Your slot is booked" in " ".join(page_messages(booked))
    booking = Booking.objects.get(dossier=dossier, status=BookingStatus.ACTIVE)
    assert booking.first_slot == first
    assert 'id="booking-current"' in booked.content.decode()

    target = second_session.slots.get(number=2)
    moved = client.post(f"/files/{dossier.pk}/booking/book/", {"slot": target.pk}, follow=True)
    assert "Your booking is moved" in " ".join(page_messages(moved))
    booking.refresh_from_db()
    assert booking.first_slot == target and booking.session == second_session

    cancelled = client.post(f"/files/{dossier.pk}/booking/cancel/", follow=True)
    assert "cancelled" in " ".join(page_messages(cancelled))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_applicant_sees_slot_taken_and_booking_closed_as_messages(world: World) -> None:
    first = world.sessions()[0].slots.get(number=0)
    other = complete_file(world)
    services.booking_create(actor=other.applicant, address=ADDRESS, dossier=other, slot=first)
    dossier = complete_file(world)
    client = signed_in(dossier.applicant)
    listing = client.get(f"/files/{dossier.pk}/booking/")
    assert f'value="{first.pk}"' not in listing.content.decode()  # a taken slot is not offered
    taken = client.post(f"/files/{dossier.pk}/booking/book/", {"slot": first.pk}, follow=True)
    assert "This slot has just been booked by another file" in " ".join(page_messages(taken))
    assert not Booking.objects.filter(dossier=dossier).exists()

    world.commission.booking_cutoff_hours = 24 * 400  # every slot is now inside the cut-off
    world.commission.save()
    late = world.sessions()[1].slots.get(number=1)
    closed = client.post(f"/files/{dossier.pk}/booking/book/", {"slot": late.pk}, follow=True)
    assert "Bookings are closed for this slot" in " ".join(page_messages(closed))


def test_nobody_reaches_another_files_booking(world: World) -> None:
    dossier = complete_file(world)
    services.booking_create(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=world.sessions()[0].slots.get(number=0)
    )
    stranger = signed_in(UserFactory.create())
    assert stranger.get(f"/files/{dossier.pk}/booking/").status_code == 404
    assert stranger.post(f"/files/{dossier.pk}/booking/cancel/").status_code == 404
    assert stranger.post(f"/files/{dossier.pk}/booking/book/", {"slot": 1}).status_code == 404
    # the desk sees the file, but the booking is the applicant's
    assert signed_in(world.staff["desk_agent"]).get(f"/files/{dossier.pk}/booking/").status_code == 404
    assert Booking.objects.get(dossier=dossier).status == BookingStatus.ACTIVE


def test_member_sees_the_sessions_of_their_commission_only(world: World) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    services.session_agenda_send(session=session)
    member = signed_in(world.permanent.user)
    listing = member.get("/office/commission/")
    assert listing.status_code == 200
    assert f"/office/commission/sessions/{session.pk}/" in listing.content.decode()
    workspace = member.get(f"/office/commission/sessions/{session.pk}/")
    assert workspace.status_code == 200
    html = workspace.content.decode()
    assert (dossier.reference or "-") in html and 'id="agenda-pdf"' in html
    assert workspace.context["attendance_form"] is None  # a member reads; the president runs the session
    agenda = member.get(f"/office/commission/sessions/{session.pk}/agenda/")
    assert agenda.status_code == 200 and agenda["Content-Type"] == "application/pdf"
    assert agenda.getvalue().startswith(b"%PDF")
    assert member.post(f"/office/commission/sessions/{session.pk}/attendance/", {}).status_code == 404

    # a member of another commission (another commune) reaches none of it
    other_world_member = UserFactory.create(username="member-elsewhere")
    outsider = signed_in(other_world_member)
    assert f"/office/commission/sessions/{session.pk}/" not in outsider.get("/office/commission/").content.decode()
    assert outsider.get(f"/office/commission/sessions/{session.pk}/").status_code == 404
    assert outsider.get(f"/office/commission/sessions/{session.pk}/agenda/").status_code == 404
    applicant = signed_in(dossier.applicant)
    assert applicant.get(f"/office/commission/sessions/{session.pk}/").status_code == 404


def test_president_runs_the_session_then_signers_sign_in_turn(
    world: World, pki: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for user in (world.permanent.user, world.occasional.user, world.staff["signing_authority"]):
        pki.user(user.username, display_name=user.get_full_name() or user.username)
    pki.user(world.staff["commission_president"].username, display_name="Président de la commission")
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    president = signed_in(world.staff["commission_president"])
    page = president.get(f"/office/commission/sessions/{session.pk}/")
    assert page.context["runner"] and "Attendance not recorded yet." in page.content.decode()

    # too few present: the quorum is shown as not reached and the joint opinion is refused
    president.post(f"/office/commission/sessions/{session.pk}/attendance/", {"present": [world.permanent.pk]})
    refused = president.post(
        f"/office/commission/sessions/{session.pk}/files/{dossier.pk}/examination/",
        {f"e{dossier.pk}-joint_opinion": "favourable"},
        follow=True,
    )
    assert "The quorum is not reached." in " ".join(page_messages(refused))
    assert "Quorum not reached." in refused.content.decode()

    recorded = president.post(
        f"/office/commission/sessions/{session.pk}/attendance/",
        {"present": [world.permanent.pk, world.occasional.pk]},
        follow=True,
    )
    assert "Attendance recorded." in page_messages(recorded) and "Quorum reached." in recorded.content.decode()
    president.post(
        f"/office/commission/sessions/{session.pk}/files/{dossier.pk}/examination/",
        {f"e{dossier.pk}-joint_opinion": "favourable", f"e{dossier.pk}-joint_motivation": "Conforme."},
    )
    examination = Examination.objects.get(session=session, dossier=dossier)
    assert (
        examination.joint_opinion == "favourable" and examination.member_opinions.count() == 1
    )  # AUC was not consulted

    with django_capture_on_commit_callbacks(execute=True):
        decided = president.post(
            f"/office/commission/examinations/{examination.pk}/decide/",
            {f"d{dossier.pk}-decision": "favourable", f"d{dossier.pk}-motivation": ""},
            follow=True,
        )
    assert "Decision recorded" in " ".join(page_messages(decided))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED
    assert {output.kind for output in examination.outputs.all()} >= {OutputKind.MINUTES, OutputKind.DECISION}
    assert "/verify/" in decided.content.decode()

    # the second PV signer waits for the first; others' signatures are 404
    minutes = examination.outputs.get(kind=OutputKind.MINUTES)
    first, second = SignatureRequest.objects.filter(output=minutes).order_by("position")
    second_client = signed_in(second.signer)
    assert f'id="signature-{second.pk}"' not in second_client.get("/office/signatures/").content.decode()
    assert second_client.post(f"/office/signatures/{first.pk}/sign/").status_code == 404
    out_of_turn = second_client.post(f"/office/signatures/{second.pk}/sign/", follow=True)
    assert "It is not your turn to sign" in " ".join(page_messages(out_of_turn))

    first_client = signed_in(first.signer)
    listing = first_client.get("/office/signatures/")
    assert f'id="signature-{first.pk}"' in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        signed = first_client.post(f"/office/signatures/{first.pk}/sign/", follow=True)
    assert "Your signature is being applied" in " ".join(page_messages(signed))  # Celery runs after the commit
    first.refresh_from_db()
    assert first.status == SignatureStatus.SIGNED
    status_page = first_client.get("/office/signatures/").content.decode()
    assert 'id="signed"' in status_page and "Signed" in status_page
    download = first_client.get(f"/office/commission/documents/{minutes.pk}/")
    assert download.status_code == 200
    assert download.getvalue().startswith(b"%PDF")
    assert signed_in(UserFactory.create()).get(f"/office/commission/documents/{minutes.pk}/").status_code == 404
    assert signed_in(second.signer).get("/office/signatures/").context["pending"] == [second]


def test_pages_render_in_arabic_right_to_left(world: World) -> None:
    dossier = complete_file(world)
    client = signed_in(dossier.applicant, "ar")
    page = client.get(f"/files/{dossier.pk}/booking/")
    html = page.content.decode()
    assert 'dir="rtl"' in html and "Free slots" not in html and "Book a slot before the commission" not in html
