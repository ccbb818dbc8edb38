"""The mandates page and the wizard: an architect invites a client, the client accepts on the page, the architect
then files for them from the wizard's first step; the file page says who acts for whom; the client revokes."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from permits import services
from permits.models import AuditEvent, Dossier, Mandate, MandateStatus, Role, RoleMembership
from permits.services import mandates
from tests.permits.factories import ADDRESS, ProcedureFactory, UserFactory, commune_tree, upload_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_storage_dir")]


def client_for(user: User, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def people() -> dict[str, Any]:
    architect = UserFactory.create(
        username="archi", email="archi@example.ma", first_name="Amal", last_name="Idrissi", email_verified=True
    )
    RoleMembership.objects.create(user=architect, role=Role.ARCHITECT)
    client = UserFactory.create(
        username="karim", email="karim@example.ma", first_name="Karim", last_name="Alaoui", email_verified=True
    )
    return {"architect": architect, "client": client}


def test_invite_accept_file_for_the_client_then_revoke(people: dict[str, Any]) -> None:
    commune, procedure = commune_tree("CASA-ANFA"), ProcedureFactory.create()
    architect, client = client_for(people["architect"]), client_for(people["client"])
    wizard = reverse("web:wizard-procedure")
    assert 'name="applicant"' not in architect.get(wizard).content.decode()  # no client has consented yet

    architect.post(reverse("web:account-mandates"), {"email": "karim@example.ma"})
    mandate = Mandate.objects.get()
    page = client.get(reverse("web:account-mandates")).content.decode()
    assert 'id="mandate-invitations"' in page and "Amal Idrissi" in page
    client.post(reverse("web:account-mandate-action", args=[mandate.pk, "accept"]))
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.ACTIVE

    form = architect.get(wizard).content.decode()
    assert 'name="applicant"' in form and "Karim Alaoui" in form
    architect.post(
        wizard,
        {"procedure": procedure.pk, "commune": commune.pk, "title": "Villa Alaoui", "applicant": people["client"].pk},
    )
    dossier = Dossier.objects.get()
    assert dossier.applicant == people["client"] and dossier.architect == people["architect"]
    facts = client.get(reverse("web:dossier-detail", args=[dossier.pk])).content.decode()
    assert 'id="acting-for"' in facts and "Amal Idrissi, architecte, pour Karim Alaoui" in facts
    assert f"mandat n° {mandate.pk}" in facts

    client.post(reverse("web:account-mandate-action", args=[mandate.pk, "revoke"]))
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.REVOKED
    assert architect.get(reverse("web:wizard-site", args=[dossier.pk])).status_code == 404  # no hand on the file
    assert 'name="applicant"' not in architect.get(wizard).content.decode()


def test_a_stranger_cannot_answer_or_end_a_mandate(people: dict[str, Any]) -> None:
    client_for(people["architect"]).post(reverse("web:account-mandates"), {"email": "karim@example.ma"})
    mandate = Mandate.objects.get()
    stranger = client_for(UserFactory.create(username="stranger", email="s@example.ma"))
    response = stranger.post(reverse("web:account-mandate-action", args=[mandate.pk, "accept"]), follow=True)
    assert "pas autorisé" in response.content.decode()
    stranger.post(reverse("web:account-mandate-action", args=[mandate.pk, "revoke"]))
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.PENDING
    assert AuditEvent.objects.filter(action="permission.refused").count() == 2
    assert stranger.post(reverse("web:account-mandate-action", args=[mandate.pk, "delete"])).status_code == 404


def test_the_mandates_page_in_arabic_is_right_to_left(people: dict[str, Any]) -> None:
    page = client_for(people["client"], "ar").get(reverse("web:account-mandates")).content.decode()
    assert 'dir="rtl"' in page and "التفويضات" in page


def test_a_revoked_mandate_hides_the_file_from_the_architect(people: dict[str, Any]) -> None:
    """Once the client revokes the mandate, the architect who filed for them no longer finds the file: its page, the
    API, its documents and their list answer 404 as for any stranger's file; the client keeps everything."""
    invitation = mandates.mandate_invite(actor=people["architect"], address=ADDRESS, email="karim@example.ma")
    mandate = mandates.mandate_accept(actor=people["client"], address=ADDRESS, mandate=invitation)
    dossier = services.dossier_create(
        actor=people["architect"],
        address=ADDRESS,
        applicant=people["client"],
        procedure=ProcedureFactory.create(),
        commune=commune_tree("CASA-ANFA"),
        title="Villa Alaoui",
    )
    document = services.document_upload(
        actor=people["architect"], address=ADDRESS, dossier=dossier, document_type="other", uploaded_file=upload_file()
    )
    urls = [
        reverse("web:dossier-detail", args=[dossier.pk]),
        reverse("web:dossier-history", args=[dossier.pk]),
        reverse("web:document-download", args=[dossier.pk, document.pk]),
        reverse("permits-api:dossier-detail", args=[dossier.pk]),
        f"/api/dossiers/{dossier.pk}/documents/{document.pk}/download/",
    ]
    architect, client = client_for(people["architect"]), client_for(people["client"])
    assert [architect.get(url).status_code for url in urls] == [200] * len(urls)
    assert "Villa Alaoui" in architect.get(reverse("web:dossier-list")).content.decode()

    mandates.mandate_revoke(actor=people["client"], address=ADDRESS, mandate=mandate)

    assert [architect.get(url).status_code for url in urls] == [404] * len(urls)
    assert "Villa Alaoui" not in architect.get(reverse("web:dossier-list")).content.decode()
    assert dossier.pk not in [item["id"] for item in architect.get("/api/dossiers/").json()["results"]]
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)
