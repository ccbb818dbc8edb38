"""The commission in the JSON API: free slots, booking (201), a taken slot (409 problem), moving and cancelling;
a member's sessions with their agenda; attendance, joint opinion and decision by the president; the pending
signatures and signing; 404 problems for anyone else's booking, session, examination or signature."""

# ruff: noqa: F811 - the commission fixtures are imported into this module and requested by name

from typing import Any

import pytest

from permits.commissions import services
from permits.commissions.models import Booking, BookingStatus, Examination, SignatureRequest, SignatureStatus
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
from tests.permits_api.conftest import PROBLEM, SessionClient, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_storage_dir() -> None:
    """The commission fixtures (`commission_settings`) already store documents under tmp_path."""


def complete_file(world: World) -> Dossier:
    dossier: Dossier = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    return dossier


def test_booking_through_the_api_with_a_409_for_a_taken_slot(world: World) -> None:
    dossier = complete_file(world)
    api = token_client(dossier.applicant)
    base = f"/api/dossiers/{dossier.pk}/commission/"
    slots = api.get(f"{base}slots/")
    assert slots.status_code == 200 and len(slots.json()) == 18
    first = slots.json()[0]["slot_id"]
    assert api.get(f"{base}booking/").status_code == 404
    created = api.post(f"{base}booking/", {"slot": first}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["slot"] == first and created.json()["status"] == "active"
    assert first not in [slot["slot_id"] for slot in api.get(f"{base}slots/").json()]

    other = complete_file(world)
    taken = token_client(other.applicant).post(
        f"/api/dossiers/{other.pk}/commission/booking/", {"slot": first}, format="json"
    )
    assert taken.status_code == 409 and taken["Content-Type"] == PROBLEM
    assert taken.json()["title"] == "Slot already booked"

    target = world.sessions()[1].slots.get(number=3).pk
    moved = api.post(f"{base}booking/move/", {"slot": target}, format="json")
    assert moved.status_code == 200 and moved.json()["slot"] == target and moved.json()["moved_at"]
    # the session client (cookie + CSRF) works the same way
    browser = SessionClient(dossier.applicant)
    assert browser.get(f"{base}booking/").json()["slot"] == target
    cancelled = browser.post(f"{base}booking/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Booking.objects.get(dossier=dossier).status == BookingStatus.CANCELLED
    assert api.post(f"{base}booking/", {"slot": 0}, format="json").status_code == 400


def test_others_get_404_problems(world: World) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    stranger = token_client(UserFactory.create())
    base = f"/api/dossiers/{dossier.pk}/commission/"
    for path in (f"{base}slots/", f"{base}booking/"):
        response = stranger.get(path)
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert stranger.post(f"{base}booking/cancel/").status_code == 404
    # the desk may see the file, but not book for the applicant
    assert token_client(world.staff["desk_agent"]).post(f"{base}booking/cancel/").status_code == 404
    assert stranger.get(f"/api/commission/sessions/{session.pk}/").status_code == 404
    assert stranger.get("/api/commission/sessions/").json() == []
    assert (
        stranger.post(f"/api/commission/sessions/{session.pk}/attendance/", {"present_member_ids": []}).status_code
        == 404
    )
    assert stranger.post("/api/commission/signatures/1/sign/").status_code == 404
    assert token_client(UserFactory.create()).get("/api/commission/signatures/").json() == []


def test_member_sees_sessions_and_the_president_runs_one_then_signers_sign(
    world: World, pki: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for user in (world.permanent.user, world.occasional.user, world.staff["signing_authority"]):
        pki.user(user.username, display_name=user.get_full_name() or user.username)
    pki.user(world.staff["commission_president"].username, display_name="Président de la commission")
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    member = token_client(world.permanent.user)
    sessions = member.get("/api/commission/sessions/").json()
    mine = next(item for item in sessions if item["id"] == session.pk)
    assert mine["runner"] is False and [entry["dossier_id"] for entry in mine["agenda"]] == [dossier.pk]
    assert (
        member.post(
            f"/api/commission/sessions/{session.pk}/attendance/", {"present_member_ids": []}, format="json"
        ).status_code
        == 403
    )

    president = token_client(world.staff["commission_president"])
    assert president.get(f"/api/commission/sessions/{session.pk}/").json()["runner"] is True
    few = president.post(
        f"/api/commission/sessions/{session.pk}/attendance/",
        {"present_member_ids": [world.permanent.pk]},
        format="json",
    )
    assert few.status_code == 200 and few.json()["quorum_reached"] is False
    quorum = president.post(
        f"/api/commission/sessions/{session.pk}/examinations/",
        {"dossier": dossier.pk, "joint_opinion": "favourable"},
        format="json",
    )
    assert quorum.status_code == 409 and quorum.json()["title"] == "Quorum not reached"
    attendance = president.post(
        f"/api/commission/sessions/{session.pk}/attendance/",
        {"present_member_ids": [world.permanent.pk, world.occasional.pk]},
        format="json",
    )
    assert attendance.json()["quorum_reached"] is True
    recorded = president.post(
        f"/api/commission/sessions/{session.pk}/examinations/",
        {
            "dossier": dossier.pk,
            "joint_opinion": "favourable",
            "member_opinions": [
                {"member": world.occasional.pk, "opinion": "favourable_with_reservations", "motivation": "Recul 3 m."}
            ],
        },
        format="json",
    )
    assert recorded.status_code == 200, recorded.content
    examination_id = recorded.json()["id"]
    assert {item["opinion_source"] for item in recorded.json()["member_opinions"]} == {"session", "consultation"}
    assert (
        member.post(
            f"/api/commission/examinations/{examination_id}/decide/", {"decision": "favourable"}, format="json"
        ).status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        decided = president.post(
            f"/api/commission/examinations/{examination_id}/decide/", {"decision": "favourable"}, format="json"
        )
    assert decided.status_code == 200 and decided.json()["dossier_status"] == DossierStatus.DECIDED

    examination = Examination.objects.get(pk=examination_id)
    first, second = SignatureRequest.objects.filter(output__examination=examination, output__kind="minutes").order_by(
        "position"
    )
    second_api = token_client(second.signer)
    assert second_api.post(f"/api/commission/signatures/{first.pk}/sign/").status_code == 404
    assert second_api.post(f"/api/commission/signatures/{second.pk}/sign/").status_code == 409
    first_api = token_client(first.signer)
    pending = first_api.get("/api/commission/signatures/").json()
    assert [item["id"] for item in pending] == [first.pk]
    assert pending[0]["output"]["verification"].startswith("/verify/")
    with django_capture_on_commit_callbacks(execute=True):
        signed = first_api.post(f"/api/commission/signatures/{first.pk}/sign/")
    assert signed.status_code == 202 and signed.json()["status"] == SignatureStatus.PENDING  # Celery runs after
    first.refresh_from_db()
    assert first.status == SignatureStatus.SIGNED
    assert [item["id"] for item in second_api.get("/api/commission/signatures/").json()] == [second.pk]


def test_a_booking_made_by_the_services_shows_in_the_api(world: World) -> None:
    """A booking made by the services shows in the API, and only to its applicant."""
    dossier = complete_file(world)
    services.booking_create(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=world.sessions()[0].slots.get(number=1)
    )
    assert token_client(dossier.applicant).get(f"/api/dossiers/{dossier.pk}/commission/booking/").status_code == 200
