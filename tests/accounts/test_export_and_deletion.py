"""The personal data export holds the person's own files and no one else's; the account's deletion is refused
while a filed file is open, withdraws the drafts and keeps decided files with the person pseudonymised."""

import json
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from gis_core.api_tokens import services as token_services
from permits.models import AuditEvent, DossierStatus, Role, RoleMembership, UserProfile
from tests.accounts.conftest import PASSWORD, browser
from tests.permits.factories import DossierFactory, RoleMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def salma() -> User:
    user = UserFactory.create(username="salma", email="salma@example.ma", first_name="Salma", last_name="Bennani")
    user.set_password(PASSWORD)
    user.save()
    UserProfile.objects.create(user=user, phone="+212612345678", national_id="BK123456")
    RoleMembershipFactory.create(user=user, role=Role.APPLICANT)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def signed_in(user: User) -> Any:
    client = browser("fr")
    client.force_login(user)
    return client


def test_the_export_holds_my_files_and_no_one_elses(salma: User) -> None:
    mine = DossierFactory.create(applicant=salma, title="Maison Salma", submitted=True)
    other = DossierFactory.create(title="Maison du voisin", submitted=True)
    response = signed_in(salma).post("/accounts/export/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["account"]["email"] == "salma@example.ma"
    assert document["profile"]["national_id"] == "BK123456"
    assert [role["role"] for role in document["role_memberships"]] == ["applicant"]
    assert [file["id"] for file in document["files"]] == [mine.pk]
    assert document["files"][0]["title"] == "Maison Salma" and "documents" in document["files"][0]
    text = response.content.decode()
    assert "Maison du voisin" not in text and other.applicant.email not in text
    events = document["audit_events"]
    assert "dossier.submit" in [event["action"] for event in events]
    assert {event["file"] for event in events} <= {mine.pk, None}
    assert AuditEvent.objects.filter(action="account.exported", actor=salma).exists()


def test_deletion_is_refused_while_a_filed_file_is_open(salma: User) -> None:
    filed = DossierFactory.create(applicant=salma, submitted=True)
    client = signed_in(salma)
    page = client.get("/accounts/delete/")
    assert filed.reference in page.content.decode()  # named on the page before any attempt
    refused = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    assert refused.status_code == 400 and "retirez-les" in refused.content.decode()
    salma.refresh_from_db()
    assert salma.is_active and salma.email == "salma@example.ma"
    assert UserProfile.objects.get(user=salma).national_id == "BK123456"
    assert not AuditEvent.objects.filter(action="account.deleted").exists()


def test_deletion_needs_the_password(salma: User) -> None:
    refused = signed_in(salma).post("/accounts/delete/", {"password": "not it", "confirm": "on"})
    assert refused.status_code == 400 and 'id="id_password_error"' in refused.content.decode()
    salma.refresh_from_db()
    assert salma.is_active


def test_deletion_pseudonymises_decided_files_and_withdraws_drafts(salma: User) -> None:
    decided = DossierFactory.create(applicant=salma, decided=True)
    draft = DossierFactory.create(applicant=salma)
    token_services.api_token_create(user=salma, name="QGIS")
    client = signed_in(salma)
    response = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session

    salma.refresh_from_db()
    assert salma.username == f"deleted-{salma.pk}" and not salma.is_active and not salma.has_usable_password()
    assert (salma.first_name, salma.last_name, salma.email) == ("", "", "")
    profile = UserProfile.objects.get(user=salma)
    assert (profile.phone, profile.national_id) == ("", "") and profile.pseudonymised_at is not None
    assert not EmailAddress.objects.filter(user=salma).exists()
    assert not RoleMembership.objects.filter(user=salma, active=True).exists()

    decided.refresh_from_db()
    draft.refresh_from_db()
    assert decided.status == DossierStatus.DECIDED and decided.applicant_id == salma.pk  # kept, with a pseudonym
    assert draft.status == DossierStatus.WITHDRAWN
    event = AuditEvent.objects.get(action="account.deleted")
    assert event.payload == {"user": salma.pk, "drafts_withdrawn": 1, "files_kept": 2}
    assert browser().post("/accounts/login/", {"login": "salma@example.ma", "password": PASSWORD}).status_code == 200


def test_staff_accounts_are_not_deleted_by_themselves() -> None:
    desk = UserFactory.create(username="guichet")
    desk.set_password(PASSWORD)
    desk.save()
    RoleMembershipFactory.create(user=desk, role=Role.DESK_AGENT)
    refused = signed_in(desk).post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    assert refused.status_code == 400
    desk.refresh_from_db()
    assert desk.is_active and desk.username == "guichet"
