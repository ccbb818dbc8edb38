"""The tour's demo accounts: one per role with the one development password, idempotent, refused in production;
the sign-in page names the password only in development. And the parcel map opens in French unless the browser asks
for another language the platform has."""

import time
from io import StringIO
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from demo.accounts import DemoAccountsRefused, demo_accounts_ensure, demo_totp_secret
from gis_core.models import Territory
from gis_core.signing.pki import DevelopmentPki
from parcels.models import Agency
from permits.models import Role, RoleMembership
from tests.factories import AgencyFactory
from tests.permits.factories import commune_tree

pytestmark = pytest.mark.django_db

PASSWORD = "urbaplan-demo"


@pytest.fixture
def commune() -> Territory:
    return commune_tree("US-MA-CAMBRIDGE")


@pytest.fixture
def agencies() -> list[Agency]:
    return [AgencyFactory.create(code=code) for code in ("AUC", "COMMUNE", "AUTORITE-LOCALE")]


def test_every_role_gets_a_demo_account_with_the_one_password(
    commune: Territory, agencies: list[Agency], settings: Any
) -> None:
    settings.DEMO_PASSWORD = PASSWORD
    states = demo_accounts_ensure(commune=commune)
    roles = set(RoleMembership.objects.values_list("role", flat=True))
    assert roles == set(Role.values) - {Role.APPLICANT}  # the applicant needs no role to file their own permits
    usernames = {state.user.username for state in states}
    assert usernames >= {"demo-applicant", "demo-member-auc", "demo-admin"}
    # a member for every agency of the catalogue, each able to sign in (not only those of the fixture)
    assert {"demo-member-mculture", "demo-member-anrt", "demo-member-protection-civile"} <= usernames
    assert all(state.user.check_password(PASSWORD) for state in states)
    assert User.objects.get(username="demo-admin").is_superuser
    desk = RoleMembership.objects.get(user__username="demo-desk")
    assert desk.territory == commune
    totp = {state.user.username: state.totp_secret for state in states}
    assert totp["demo-desk"] == demo_totp_secret("demo-desk") and len(totp["demo-desk"]) == 32
    assert totp["demo-applicant"] == ""  # TOTP stays optional for applicants
    inspector = RoleMembership.objects.get(user__username="demo-inspector")
    assert inspector.role == Role.INSPECTOR and inspector.territory == commune
    assert totp["demo-inspector"] == demo_totp_secret("demo-inspector")


def test_the_accounts_that_sign_get_a_development_certificate(
    commune: Territory, agencies: list[Agency], settings: Any, pki: DevelopmentPki
) -> None:
    settings.DEMO_PASSWORD = PASSWORD
    states = {state.user.username: state for state in demo_accounts_ensure(commune=commune, pki=pki)}
    for username in ("demo-inspector", "demo-signing-authority", "demo-president", "demo-member-auc"):
        certificate = states[username].certificate
        assert certificate is not None and certificate == pki.user_paths(username).pkcs12_path
        assert certificate.is_file()
    assert states["demo-applicant"].certificate is None and states["demo-desk"].certificate is None
    assert not pki.user_paths("demo-desk").pkcs12_path.exists()
    made = pki.user_paths("demo-inspector").pkcs12_path.read_bytes()
    again = {state.user.username: state for state in demo_accounts_ensure(commune=commune, pki=pki)}
    assert not again["demo-inspector"].changed  # the certificate is kept, not made again
    assert pki.user_paths("demo-inspector").pkcs12_path.read_bytes() == made


def test_a_second_run_changes_nothing(commune: Territory, agencies: list[Agency], settings: Any) -> None:
    settings.DEMO_PASSWORD = PASSWORD
    first = demo_accounts_ensure(commune=commune)
    hashes = dict(User.objects.values_list("username", "password"))
    memberships = RoleMembership.objects.count()
    second = demo_accounts_ensure(commune=commune)
    assert all(state.changed for state in first) and not any(state.changed for state in second)
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert RoleMembership.objects.count() == memberships


def test_the_command_prints_the_same_twice(commune: Territory, agencies: list[Agency], settings: Any) -> None:
    settings.DEMO_PASSWORD = PASSWORD
    outputs = []
    for _ in range(2):
        out = StringIO()
        call_command("demo_accounts", stdout=out)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    assert f"Password for every one: {PASSWORD}" in outputs[0] and "demo-signing-authority" in outputs[0]
    inspector_line = next(line for line in outputs[0].splitlines() if "demo-inspector" in line)
    assert "inspector" in inspector_line and demo_totp_secret("demo-inspector") in inspector_line
    assert "development certificate" in inspector_line


@pytest.mark.parametrize(("production", "password"), [(True, PASSWORD), (False, "")])
def test_demo_accounts_are_refused_in_production_or_without_a_password(
    commune: Territory, settings: Any, production: bool, password: str
) -> None:
    settings.PRODUCTION, settings.DEMO_PASSWORD = production, password
    with pytest.raises(DemoAccountsRefused):
        demo_accounts_ensure(commune=commune)
    with pytest.raises(CommandError):
        call_command("demo_accounts", stdout=StringIO())
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("production", "debug", "shown"),
    [(False, True, True), (True, False, False), (False, False, False)],
)
def test_the_sign_in_page_names_the_password_only_in_development(
    client: Client, settings: Any, production: bool, debug: bool, shown: bool
) -> None:
    settings.DEMO_PASSWORD, settings.DEVELOPMENT_TOOLS = PASSWORD, True
    settings.PRODUCTION, settings.DEBUG = production, debug
    html = client.get("/accounts/login/").content.decode()
    assert (PASSWORD in html) is shown
    assert ("demo-applicant" in html) is shown
    assert ("demo-inspector" in html) is shown


@pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
@pytest.mark.parametrize(
    ("accept_language", "language"),
    [("en-GB,en;q=0.9", "en"), ("ar-MA,ar;q=0.9", "ar"), ("de-DE,de;q=0.9", "fr"), (None, "fr")],
)
def test_the_parcel_map_opens_in_french_unless_the_browser_asks_for_a_language_we_have(
    client: Client, accept_language: str | None, language: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert f'"language": "{language}"' in html  # the map script's configuration (its API calls, number formats)


def test_a_demo_back_office_account_signs_in_with_its_printed_totp_secret(
    commune: Territory, agencies: list[Agency], settings: Any, client: Any
) -> None:
    """Back-office roles must give a second factor; the demo's printed secret is the one its authenticator checks."""
    settings.DEMO_PASSWORD = PASSWORD
    settings.MFA_REQUIRED_FOR_BACK_OFFICE = True
    demo_accounts_ensure(commune=commune)
    assert Authenticator.objects.filter(user__username="demo-desk", type=Authenticator.Type.TOTP).count() == 1
    demo_accounts_ensure(commune=commune)  # a second run keeps the one authenticator
    assert Authenticator.objects.filter(user__username="demo-desk", type=Authenticator.Type.TOTP).count() == 1

    held = client.post("/accounts/login/", {"login": "demo-desk", "password": PASSWORD})
    assert held.status_code == 302 and held["Location"] == "/accounts/2fa/authenticate/"
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    secret = demo_totp_secret("demo-desk")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    passed = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert passed.status_code == 302 and client.get("/office/").status_code == 200
