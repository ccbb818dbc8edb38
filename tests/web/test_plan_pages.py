"""The plan pages through Django's test client: who reaches which page (the reviewers' workspace and comparison,
the applicant's read-only view; 404 for anyone else, never 403), what the page hands to its scripts (the file, the
version and page asked for, the plan API, no personal data), and the applicant's reply or upload sent from the plans
page that comes back to it (and never to another site)."""

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from permits.models import RequiredDocument
from tests.factories import AgencyFactory
from tests.permits.factories import DossierFactory, ProcedureFactory, member_for, staff_for, upload_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_storage_dir")]


def client_for(user: User, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def procedure() -> Any:
    procedure = ProcedureFactory.create(code="building-permit")
    RequiredDocument.objects.create(
        procedure=procedure, code="architectural-plans", label_fr="Plans architecturaux", accepted_formats=["pdf"]
    )
    return procedure


@pytest.fixture
def dossier(procedure: Any) -> Any:
    return DossierFactory.create(procedure=procedure, under_instruction=True)


def config_of(response: Any) -> dict[str, Any]:
    html = response.content.decode()
    start = html.index('<script id="plan-config" type="application/json">') + len(
        '<script id="plan-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_reviewers_workspace_and_the_applicants_view(dossier: Any, language: str) -> None:
    desk = staff_for(dossier.commune)["desk_agent"]
    page = client_for(desk, language).get(f"/office/files/{dossier.pk}/plans/?document=12&page=3")
    assert page.status_code == 200
    config = config_of(page)
    assert (config["dossier"], config["document"], config["page"], config["review"]) == (dossier.pk, 12, 3, True)
    assert config["api"]["plans"] == f"/api/dossiers/{dossier.pk}/plans/"
    assert config["vendor"].endswith("/vendor/pdfjs/")
    assert 'data-tool="distance"' in page.content.decode()
    assert dossier.applicant.username not in json.dumps(config)

    own = client_for(dossier.applicant, language).get(f"/files/{dossier.pk}/plans/?page=x")
    assert own.status_code == 200
    assert config_of(own)["review"] is False and config_of(own)["page"] == 1
    html = own.content.decode()
    assert 'data-tool="' not in html and 'id="calibration-declared"' not in html
    assert 'name="document_type" value="architectural-plans"' in html  # the upload of a revised version
    compare = client_for(desk, language).get(f"/office/files/{dossier.pk}/plans/compare/?from=4&to=5")
    assert compare.status_code == 200
    assert (config_of(compare)["from"], config_of(compare)["to"]) == (4, 5)


def test_nobody_else_reaches_the_plan_pages(dossier: Any) -> None:
    desk = staff_for(dossier.commune)["desk_agent"]
    member = member_for(dossier.procedure.permanent_members.get().agency)
    stranger = member_for(AgencyFactory.create(code="NOT-CONSULTED"))
    office = f"/office/files/{dossier.pk}/plans/"
    applicant_side = f"/files/{dossier.pk}/plans/"
    assert client_for(member).get(office).status_code == 200  # dispatched to the member's agency
    for user in (stranger, dossier.applicant):
        assert client_for(user).get(office).status_code == 404
        assert client_for(user).get(f"{office}compare/").status_code == 404
    assert client_for(desk).get(applicant_side).status_code == 404
    assert client_for(stranger).get(applicant_side).status_code == 404
    assert Client().get(office).status_code == 302  # to the sign-in


def test_a_reply_sent_from_the_plans_page_comes_back_to_it(procedure: Any) -> None:
    dossier = DossierFactory.create(procedure=procedure, awaiting_applicant=True)
    remark = dossier.remarks.get()
    applicant = client_for(dossier.applicant)
    plans_page = f"/files/{dossier.pk}/plans/?page=1"
    reply = applicant.post(
        reverse("web:remark-reply", args=[dossier.pk, remark.pk]), {"text": "Voir le plan révisé.", "next": plans_page}
    )
    assert reply.status_code == 302 and reply["Location"] == plans_page
    upload = applicant.post(
        reverse("web:document-upload", args=[dossier.pk]),
        {"document_type": "architectural-plans", "file": upload_file("v2.pdf"), "next": "//evil.example/"},
    )
    assert upload.status_code == 302 and upload["Location"] == reverse("web:dossier-detail", args=[dossier.pk])
