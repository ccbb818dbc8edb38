"""Back-office roles need TOTP: sent to set it up before any back-office page or API call, then asked for a code at
every sign-in (the code computed here from the secret, as an authenticator app would). Applicants are not forced."""

import time
from typing import Any

import pytest
from allauth.mfa.adapter import get_adapter as mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import User

from permits.models import Role
from tests.accounts.conftest import PASSWORD, browser
from tests.permits.factories import RoleMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_factor_on(settings: Any) -> None:
    settings.MFA_REQUIRED_FOR_BACK_OFFICE = True
    settings.MFA_TOTP_TOLERANCE = 1  # three distinct codes valid now: each use below takes its own


def code(secret: str, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset: the period before or after)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def user_with_role(username: str, role: str) -> User:
    user = UserFactory.create(username=username)
    user.set_password(PASSWORD)
    user.save()
    RoleMembershipFactory.create(user=user, role=role)
    return user


def test_a_desk_agent_sets_totp_up_then_signs_in_with_a_code() -> None:
    desk = user_with_role("guichet", Role.DESK_AGENT)
    client = browser("fr")
    assert client.post("/accounts/login/", {"login": "guichet", "password": PASSWORD}).status_code == 302

    # every back-office page and session API call waits for the set-up; account pages stay open
    office = client.get("/office/")
    assert office.status_code == 302 and office["Location"].startswith("/accounts/2fa/totp/activate/")
    api = client.post("/api/dossiers/", {}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    assert client.get("/accounts/tokens/").status_code == 302  # no API token before the second factor
    assert client.get("/accounts/").status_code == 200

    confirm_password = client.get("/accounts/2fa/totp/activate/")  # allauth asks for the password again first
    assert confirm_password["Location"].startswith("/accounts/reauthenticate/")
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    setup = client.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 200
    secret = setup.context["form"].secret
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000" if code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=desk).exists()
    activated = client.post("/accounts/2fa/totp/activate/", {"code": code(secret)})
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=desk, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=desk, type=Authenticator.Type.RECOVERY_CODES).exists()

    # this session has not yet given a code: asked for one, then the back office opens
    asked = client.get("/office/")
    assert asked.status_code == 302 and asked["Location"].startswith("/accounts/2fa/reauthenticate/")
    client.post("/accounts/2fa/reauthenticate/", {"code": code(secret, -1)})
    assert client.get("/office/").status_code == 200

    # the next sign-in asks for the code after the password
    again = browser("ar")
    held = again.post("/accounts/login/", {"login": "guichet", "password": PASSWORD})
    assert held.status_code == 302 and held["Location"] == "/accounts/2fa/authenticate/"
    assert again.get("/office/")["Location"].startswith("/accounts/login/")  # not signed in yet
    refused = again.post("/accounts/2fa/authenticate/", {"code": "12"})
    assert refused.status_code == 200 and "_auth_user_id" not in again.session
    passed = again.post("/accounts/2fa/authenticate/", {"code": code(secret, 1)})
    assert passed.status_code == 302 and again.get("/office/").status_code == 200

    # the role needs it: the authenticator cannot be removed
    totp = Authenticator.objects.get(user=desk, type=Authenticator.Type.TOTP)
    assert not mfa_adapter().can_delete_authenticator(totp)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.post("/accounts/2fa/totp/deactivate/", {})
    assert Authenticator.objects.filter(user=desk, type=Authenticator.Type.TOTP).exists()


def test_the_admin_sign_in_without_a_code_is_asked_for_one() -> None:
    admin = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    client = browser()
    assert client.post("/admin/login/", {"username": "root", "password": PASSWORD}).status_code == 302
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/totp/activate/")


@pytest.mark.parametrize("role", [Role.COMMISSION_MEMBER, Role.COMMISSION_PRESIDENT, Role.SIGNING_AUTHORITY])
def test_every_back_office_role_is_sent_to_the_set_up(role: str) -> None:
    if role == Role.COMMISSION_MEMBER:
        from tests.factories import AgencyFactory
        from tests.permits.factories import member_for

        user = member_for(AgencyFactory.create(code="AGENCY-X"))
    else:
        user = user_with_role(f"staff-{role}", role)
    client = browser()
    client.force_login(user)
    assert client.get("/home/")["Location"].startswith("/accounts/2fa/totp/activate/")


def test_an_applicant_is_not_forced_but_may_turn_it_on() -> None:
    applicant = user_with_role("salma", Role.APPLICANT)
    client = browser()
    assert client.post("/accounts/login/", {"login": "salma", "password": PASSWORD}).status_code == 302
    assert client.get("/files/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    assert client.post("/accounts/2fa/totp/activate/", {"code": code(secret)}).status_code == 302
    held = browser().post("/accounts/login/", {"login": "salma", "password": PASSWORD})
    assert held["Location"] == "/accounts/2fa/authenticate/"
    assert Authenticator.objects.filter(user=applicant).exists()


def test_a_password_alone_gets_no_api_token_for_a_back_office_role() -> None:
    user_with_role("guichet", Role.DESK_AGENT)
    refused = browser().post(
        "/api/auth/token/", {"username": "guichet", "password": PASSWORD}, content_type="application/json"
    )
    assert refused.status_code == 403 and "/accounts/tokens/" in refused.json()["detail"]
    user_with_role("salma", Role.APPLICANT)
    allowed = browser().post(
        "/api/auth/token/", {"username": "salma", "password": PASSWORD}, content_type="application/json"
    )
    assert allowed.status_code == 200 and allowed.json()["token"]
