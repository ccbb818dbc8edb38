"""The applicant space and the back office through Django's test client: every page renders in fr, ar and en,
the wizard files a draft, the back-office actions run through the services, and nobody reaches a file they may
not see (404, never 403)."""

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from permits.models import ApplicationCode, ConsultationStatus, DossierStatus, RequiredDocument, Role, RoleMembership
from permits.services import profile_get, profile_update
from tests.documents.files import pdf_bytes
from tests.factories import AgencyFactory, ParcelFactory, ZoneFactory, box
from tests.legal_path import LegalPath
from tests.permits.factories import (
    FOOTPRINT,
    DossierFactory,
    ProcedureFactory,
    UserFactory,
    application_code_sent,
    application_seal_ready,
    application_signature_write,
    catalogue_uses,
    commune_tree,
    member_for,
    staff_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_storage_dir")]


def client_for(user: User, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def commune() -> Any:
    return commune_tree("CASA-ANFA")


@pytest.fixture
def parcel(commune: Any) -> Any:
    ZoneFactory(commune=commune, code="C-1", max_height_m=10.5, max_floors=3)
    return ParcelFactory(commune=commune, reference="160-43", geom=box(-71.1200, 42.3700, -71.1197, 42.3703))


@pytest.mark.parametrize(
    ("language", "direction", "title"),
    [("fr", "ltr", "Connexion"), ("ar", "rtl", "تسجيل الدخول"), ("en", "ltr", "Sign in")],
)
def test_login_page_in_each_language(language: str, direction: str, title: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("web:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html and f'dir="{direction}"' in html
    assert title in html


def test_sign_in_leads_an_applicant_to_their_files() -> None:
    user = User.objects.create_user("amina", password="a-long-passphrase")
    response = Client().post(reverse("web:login"), {"username": "amina", "password": "a-long-passphrase"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:dossier-list")
    assert response.status_code == 200 and response.wsgi_request.user == user  # the list is served to them, signed in


def test_pages_need_a_signed_in_user() -> None:
    response = Client().get(reverse("web:dossier-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_my_files_lists_status_and_next_action(language: str) -> None:
    dossier = DossierFactory.create(awaiting_applicant=True)
    response = client_for(dossier.applicant, language).get(reverse("web:dossier-list"))
    html = response.content.decode()
    assert str(dossier.reference) in html
    expected = {"fr": "Répondre aux remarques", "ar": "الرد على الملاحظات", "en": "Reply to the remarks"}[language]
    assert expected in html


def test_another_applicants_file_is_a_404_everywhere() -> None:
    dossier = DossierFactory.create(submitted=True)
    draft = DossierFactory.create()
    stranger = client_for(UserFactory.create())
    for target in (dossier, draft):
        for name in ("web:dossier-detail", "web:dossier-history", "web:wizard-site", "web:wizard-project",
                     "web:wizard-documents", "web:wizard-review"):  # fmt: skip
            assert stranger.get(reverse(name, args=[target.pk])).status_code == 404, name
        assert stranger.post(reverse("web:dossier-withdraw", args=[target.pk])).status_code == 404
    assert stranger.get(reverse("web:dossier-detail", args=[999_999])).status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED


def test_a_member_sees_only_files_dispatched_to_their_agency() -> None:
    dossier = DossierFactory.create(under_instruction=True)
    consulted = member_for(dossier.consultations.first().agency)  # type: ignore[union-attr]
    other = UserFactory.create(username="member-other")
    RoleMembership.objects.create(user=other, role=Role.COMMISSION_MEMBER, agency=AgencyFactory.create(code="OTHER"))
    assert client_for(consulted).get(reverse("web:dossier-detail", args=[dossier.pk])).status_code == 200
    queue = client_for(consulted).get(reverse("web:office-opinions")).content.decode()
    assert str(dossier.reference) in queue
    assert client_for(other).get(reverse("web:dossier-detail", args=[dossier.pk])).status_code == 404
    assert str(dossier.reference) not in client_for(other).get(reverse("web:office-opinions")).content.decode()
    consultation = dossier.consultations.first()
    assert consultation is not None
    url = reverse("web:office-opinion", args=[dossier.pk, consultation.pk])
    assert client_for(other).post(url, {f"c{consultation.pk}-opinion": "favourable"}).status_code == 404


def test_back_office_pages_are_404_for_applicants() -> None:
    applicant = client_for(UserFactory.create())
    assert applicant.get(reverse("web:office-queue")).status_code == 404
    assert applicant.get(reverse("web:office-opinions")).status_code == 404


def test_the_wizard_files_a_draft(commune: Any, parcel: Any, legal_path: LegalPath) -> None:
    procedure = ProcedureFactory.create(code="building-permit")
    catalogue_uses()
    applicant = UserFactory.create()
    client = client_for(applicant)
    first_step = client.get(reverse("web:wizard-procedure"))
    assert first_step.status_code == 200
    html = first_step.content.decode()
    assert f'<option value="{procedure.pk}">' in html and f'<option value="{commune.pk}">' in html
    assert "Choisissez" not in html  # no error before the applicant has sent anything
    response = client.post(
        reverse("web:wizard-procedure"), {"procedure": procedure.pk, "commune": commune.pk, "title": "Maison Anfa"}
    )
    dossier = applicant.dossiers.get()
    assert response["Location"] == reverse("web:wizard-site", args=[dossier.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="site-config"' in page
    response = client.post(
        reverse("web:wizard-site", args=[dossier.pk]),
        {"parcels": str(parcel.pk), "footprint": FOOTPRINT.json},
    )
    assert response["Location"] == reverse("web:wizard-project", args=[dossier.pk])
    config = json.loads(
        client.get(response["Location"])
        .content.decode()
        .split('id="precheck-config" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert config["site"] == {"parcel": parcel.pk}
    assert config["footprint"]["type"] == "MultiPolygon"
    response = client.post(
        reverse("web:wizard-project", args=[dossier.pk]),
        {"height_m": "9", "floors": "3", "gross_floor_area_m2": "300", "use": "residential", "units": "2"},
    )
    assert response["Location"] == reverse("web:wizard-documents", args=[dossier.pk])
    assert client.get(response["Location"]).status_code == 200
    review_url = reverse("web:wizard-review", args=[dossier.pk])
    review = client.get(review_url).content.decode()
    assert "Hauteur" in review and "précontrôle" in review.lower()
    assert 'id="submit-file" disabled' in review  # not signed yet
    refused = client.post(review_url, {"confirm": "on"}, follow=True).content.decode()
    assert "pas encore signé" in refused or "not signed yet" in refused
    preview = client.get(reverse("web:wizard-application-pdf", args=[dossier.pk]))
    assert preview["Content-Type"] == "application/pdf" and preview.content.startswith(b"%PDF")
    assert (
        client_for(UserFactory.create()).get(reverse("web:wizard-application-pdf", args=[dossier.pk])).status_code
        == 404
    )
    application_seal_ready()
    no_consent = client.post(review_url, {"step": "code", "channel": "email"}).content.decode()
    assert 'id="application-sign-form"' not in no_consent and not ApplicationCode.objects.exists()
    client.post(review_url, {"step": "code", "channel": "email", "consent": "on"})
    page = client.get(review_url).content.decode()
    assert 'id="application-sign-form"' in page
    code = application_code_sent(ApplicationCode.objects.get(dossier=dossier))
    wrong = client.post(review_url, {"step": "sign", "code": "000000" if code != "000000" else "111111"}, follow=True)
    assert "Le code à usage unique a été refusé" in wrong.content.decode()
    client.post(review_url, {"step": "sign", "code": code})
    review = client.get(review_url).content.decode()
    assert 'id="application-signed"' in review and 'id="submit-file" disabled' not in review
    response = client.post(review_url, {"confirm": "on"}, follow=True)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.reference and dossier.reference in response.content.decode()


def test_the_site_step_needs_a_parcel(commune: Any, parcel: Any) -> None:
    dossier = DossierFactory.create(commune=commune)
    response = client_for(dossier.applicant).post(reverse("web:wizard-site", args=[dossier.pk]), {"parcels": ""})
    assert response.status_code == 200
    assert "Choisissez au moins une parcelle" in response.content.decode()


def test_a_footprint_outside_the_commune_is_refused_with_a_message(commune: Any, parcel: Any) -> None:
    dossier = DossierFactory.create(commune=commune)
    far = box(-7.62, 33.59, -7.619, 33.591).json
    response = client_for(dossier.applicant).post(
        reverse("web:wizard-site", args=[dossier.pk]), {"parcels": str(parcel.pk), "footprint": far}
    )
    assert response.status_code == 200
    assert "ne sont pas valides" in response.content.decode()


def test_desk_marks_complete_and_a_member_gives_an_opinion() -> None:
    dossier = DossierFactory.create(submitted=True)
    staff = staff_for(dossier.commune)
    desk = client_for(staff["desk_agent"])
    queue = desk.get(reverse("web:office-queue")).content.decode()
    assert str(dossier.reference) in queue
    page = desk.get(reverse("web:dossier-detail", args=[dossier.pk])).content.decode()
    assert 'id="completeness"' in page
    desk.post(reverse("web:office-completeness", args=[dossier.pk]), {"complete": "yes"})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_INSTRUCTION
    consultation = dossier.consultations.get()
    member = client_for(member_for(consultation.agency))
    page = member.get(reverse("web:dossier-detail", args=[dossier.pk])).content.decode()
    assert f'id="opinion-{consultation.pk}"' in page
    member.post(
        reverse("web:office-opinion", args=[dossier.pk, consultation.pk]),
        {f"c{consultation.pk}-opinion": "favourable", f"c{consultation.pk}-motivation": "Conforme."},
    )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.GIVEN


def test_an_incomplete_file_goes_back_to_the_applicant() -> None:
    dossier = DossierFactory.create(submitted=True)
    desk = client_for(staff_for(dossier.commune)["desk_agent"])
    response = desk.post(reverse("web:office-completeness", args=[dossier.pk]), {"complete": "no", "note": "Plans?"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.INCOMPLETE


def test_remarks_round_trip_opens_a_new_round_then_the_commission_decides(legal_path: LegalPath) -> None:
    dossier = DossierFactory.create(under_instruction=True)
    staff = staff_for(dossier.commune)
    desk = client_for(staff["desk_agent"])
    desk.post(reverse("web:office-remark-issue", args=[dossier.pk]), {"text": "Montrez le recul sur le plan."})
    desk.post(reverse("web:office-remarks-send", args=[dossier.pk]))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.AWAITING_APPLICANT
    remark = dossier.remarks.get()
    applicant = client_for(dossier.applicant)
    page = applicant.get(reverse("web:dossier-detail", args=[dossier.pk])).content.decode()
    assert "Montrez le recul" in page and 'class="reply-form"' in page
    applicant.post(reverse("web:remark-reply", args=[dossier.pk, remark.pk]), {"text": "Recul de 3 m ajouté."})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_INSTRUCTION
    assert dossier.current_round == 2
    desk.post(reverse("web:office-remark-close", args=[dossier.pk, remark.pk]), {"note": "ok"})
    for consultation in dossier.consultations.filter(status=ConsultationStatus.PENDING):
        client_for(member_for(consultation.agency)).post(
            reverse("web:office-opinion", args=[dossier.pk, consultation.pk]),
            {f"c{consultation.pk}-opinion": "favourable"},
        )
    desk.post(reverse("web:office-commission", args=[dossier.pk]))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_COMMISSION
    president = client_for(staff["commission_president"])
    page = president.get(reverse("web:dossier-detail", args=[dossier.pk])).content.decode()
    assert 'id="legal-path"' in page and 'id="decision"' not in page  # decided in session, never from here
    for gone in ("decide", "sign", "publish"):  # the old shortcuts are no more
        assert president.post(f"/files/{dossier.pk}/{gone}/", {"decision": "favourable"}).status_code == 404
    legal_path.publish(dossier)  # booked, examined in session with the quorum, decided, signed (PAdES)
    assert dossier.status == DossierStatus.PUBLISHED
    timeline = applicant.get(reverse("web:dossier-detail", args=[dossier.pk])).content.decode()
    assert timeline.count('data-round="1"') >= 1 and timeline.count('data-round="2"') >= 1


def test_a_refused_action_shows_why() -> None:
    dossier = DossierFactory.create(under_instruction=True)
    desk = client_for(staff_for(dossier.commune)["desk_agent"])
    response = desk.post(reverse("web:office-commission", args=[dossier.pk]), follow=True)
    assert "Cette action n\u2019est pas possible maintenant" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_INSTRUCTION


def test_the_applicant_withdraws() -> None:
    dossier = DossierFactory.create(submitted=True)
    client_for(dossier.applicant).post(reverse("web:dossier-withdraw", args=[dossier.pk]), {"reason": "plus tard"})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.WITHDRAWN


def test_history_shows_every_event_with_display_names_only() -> None:
    dossier = DossierFactory.create(under_instruction=True)
    dossier.applicant.first_name, dossier.applicant.last_name = "Amina", "Benali"
    dossier.applicant.save()
    html = client_for(dossier.applicant, "en").get(reverse("web:dossier-history", args=[dossier.pk])).content.decode()
    assert "Amina Benali" in html
    assert "Instruction round opened, file dispatched" in html
    assert "Status: Submitted, awaiting the completeness check" in html
    assert dossier.applicant.email not in html
    assert "192.0.2.10" not in html


def test_account_page_saves_language_and_channels() -> None:
    user = UserFactory.create()
    profile_update(user=user, phone="+212600000000")  # a phone number changes only with an SMS code (tests/accounts)
    client = client_for(user)
    response = client.post(
        reverse("web:account"),
        {"phone": "+212611111111", "preferred_language": "ar", "notify_by_email": "on", "notify_by_sms": "on"},
    )
    assert response.status_code == 302
    profile = profile_get(user=user)
    assert (profile.preferred_language, profile.notify_by_sms, profile.phone) == ("ar", True, "+212600000000")
    page = client.get(reverse("web:account")).content.decode()
    assert 'dir="rtl"' in page


def test_sms_without_phone_is_refused() -> None:
    user = UserFactory.create()
    response = client_for(user, "en").post(reverse("web:account"), {"preferred_language": "fr", "notify_by_sms": "on"})
    assert response.status_code == 200
    assert "SMS notifications need a phone number" in response.content.decode()


def test_documents_are_uploaded_as_versions_and_downloaded_by_who_may_see_the_file() -> None:
    dossier = DossierFactory.create()
    RequiredDocument.objects.create(
        procedure=dossier.procedure,
        code="architectural-plans",
        label_fr="Plans architecturaux",
        accepted_formats=["pdf"],
    )
    applicant = client_for(dossier.applicant)
    page = applicant.get(reverse("web:wizard-review", args=[dossier.pk])).content.decode()
    assert 'id="missing-documents"' in page and "Plans architecturaux" in page
    upload_url = reverse("web:document-upload", args=[dossier.pk])
    for name in ("plans-v1.pdf", "plans-v2.pdf"):
        upload = SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
        applicant.post(upload_url, {"document_type": "architectural-plans", "file": upload})
    versions = list(dossier.documents.order_by("pk"))
    assert len(versions) == 2
    assert versions[1].stored_document.supersedes_id == versions[0].stored_document_id
    page = applicant.get(reverse("web:wizard-documents", args=[dossier.pk])).content.decode()
    assert "plans-v1.pdf" in page and "plans-v2.pdf" in page
    download = reverse("web:document-download", args=[dossier.pk, versions[0].pk])
    response = applicant.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert client_for(UserFactory.create()).get(download).status_code == 404
    other = DossierFactory.create(applicant=dossier.applicant)
    assert applicant.get(reverse("web:document-download", args=[other.pk, versions[0].pk])).status_code == 404
    application_signature_write(dossier)
    applicant.post(reverse("web:wizard-review", args=[dossier.pk]), {"confirm": "on"})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    desk = client_for(staff_for(dossier.commune)["desk_agent"])
    assert desk.get(download).status_code == 200


def test_a_reply_carries_the_revised_plan() -> None:
    dossier = DossierFactory.create(awaiting_applicant=True)
    remark = dossier.remarks.get()
    plan = SimpleUploadedFile("revised.pdf", pdf_bytes(), content_type="application/pdf")
    client_for(dossier.applicant).post(
        reverse("web:remark-reply", args=[dossier.pk, remark.pk]),
        {"text": "Voici le plan révisé.", "revised_plan": plan},
    )
    reply = remark.replies.get()
    revised = dossier.documents.get(document_type="revised-plan")
    assert reply.attachments == [revised.pk]
    html = client_for(dossier.applicant).get(reverse("web:dossier-detail", args=[dossier.pk])).content.decode()
    assert "revised.pdf" in html


def test_the_footprint_can_be_uploaded_as_geojson(commune: Any, parcel: Any) -> None:
    dossier = DossierFactory.create(commune=commune, footprint=None)
    upload = SimpleUploadedFile("footprint.geojson", FOOTPRINT.json.encode(), content_type="application/geo+json")
    response = client_for(dossier.applicant).post(
        reverse("web:wizard-site", args=[dossier.pk]), {"parcels": str(parcel.pk), "footprint_file": upload}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.footprint is not None and dossier.footprint.equals_exact(FOOTPRINT, tolerance=1e-9)


def declaration_under_instruction(commune: Any) -> Any:
    """A simple declaration (decided by the economic-affairs service), complete, every opinion in."""
    from permits.models import Procedure
    from permits.services import procedures_load
    from tests.permits.factories import give_all_opinions

    procedures_load()
    procedure = Procedure.objects.get(code="simple-declaration")
    dossier = DossierFactory.create(
        procedure=procedure, commune=commune, footprint=None, use="retail", under_instruction=True
    )
    give_all_opinions(dossier)
    dossier.refresh_from_db()
    return dossier


def test_a_declaration_is_decided_from_the_office_page_by_the_service_it_names(
    commune: Any, legal_path: LegalPath
) -> None:
    dossier = declaration_under_instruction(commune)
    staff = staff_for(commune)
    detail = reverse("web:dossier-detail", args=[dossier.pk])
    president_page = client_for(staff["commission_president"], "en").get(detail).content.decode()
    assert 'id="decision"' not in president_page  # the catalogue names the desk
    desk = client_for(staff["desk_agent"], "en")
    page = desk.get(detail).content.decode()
    assert 'id="decision"' in page and "needs no commission" in page
    assert reverse("web:office-commission", args=[dossier.pk]) not in page  # never sent to a commission
    response = desk.post(
        reverse("web:office-decide-without-commission", args=[dossier.pk]), {"decision": "favourable"}, follow=True
    )
    assert "Decision recorded; it is published once" in " ".join(str(m) for m in response.context["messages"])
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED
    assert 'id="legal-path"' in desk.get(detail).content.decode()  # being signed
    legal_path.sign_all(dossier)  # the signing authority of the commune signs the service's decision
    assert dossier.status == DossierStatus.PUBLISHED


def test_the_office_page_explains_the_legal_path_in_each_language(commune: Any) -> None:
    dossier = DossierFactory.create(commune=commune, in_commission=True)
    president = staff_for(commune)["commission_president"]
    expected = {
        "fr": "Ce dossier est statué par sa commission, en séance",
        "ar": "تبت في هذا الملف لجنته خلال الدورة",
        "en": "This file is decided by its commission, in session",
    }
    for language, sentence in expected.items():
        page = client_for(president, language).get(reverse("web:dossier-detail", args=[dossier.pk])).content.decode()
        assert 'id="legal-path"' in page and sentence in page, language
        assert 'id="decision"' not in page and "/decide/" not in page
    refused = client_for(president).post(reverse("web:office-decide-without-commission", args=[dossier.pk]), {})
    assert refused.status_code == 302  # an invalid form: nothing runs (the message says why)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_COMMISSION
