"""Failed sign-ins lock the account for a while (django-axes) on the web login, the admin and the token endpoint:
a clear form error or a 429 problem in the user's language, the right password refused until the cool-off ends."""

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.utils import timezone

from tests.limits.conftest import BROWSER, client_from

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password"
LOCKED = {
    "fr": "ce compte est bloqué pendant 15 minutes",
    "ar": "هذا الحساب مقفل لمدة 15 دقيقة",
    "en": "this account is locked for 15 minutes",
}


@pytest.fixture(autouse=True)
def lockout_settings(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def amina(db: Any) -> User:
    return User.objects.create_user("amina", password=PASSWORD, is_staff=True, is_superuser=True)


def signed_in(client: Any) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_web_login_locks_the_account_then_refuses_even_the_right_password(amina: User, language: str) -> None:
    browser = client_from("192.0.2.70", headers={**BROWSER, "Accept-Language": language})
    failures = [browser.post("/accounts/login/", {"username": "amina", "password": f"wrong-{n}"}) for n in range(3)]
    assert [response.status_code for response in failures] == [200, 200, 429]
    locked = failures[-1].content.decode()
    assert LOCKED[language] in locked and 'role="alert"' in locked  # the form again, with the lockout as error
    assert failures[-1]["Retry-After"] == str(15 * 60)

    right = browser.post("/accounts/login/", {"username": "amina", "password": PASSWORD})
    assert right.status_code == 429 and LOCKED[language] in right.content.decode()
    assert not signed_in(browser)

    elsewhere = client_from("192.0.2.71")  # the lock holds for this username from that address only
    assert elsewhere.post("/accounts/login/", {"username": "amina", "password": PASSWORD}).status_code == 302
    assert signed_in(elsewhere)


def test_admin_login_shows_the_lockout_in_its_form(amina: User) -> None:
    browser = client_from("192.0.2.72", headers={**BROWSER, "Accept-Language": "fr"})
    for n in range(3):
        response = browser.post("/admin/login/", {"username": "amina", "password": f"wrong-{n}"})
    assert response.status_code == 429 and LOCKED["fr"] in response.content.decode()
    right = browser.post("/admin/login/", {"username": "amina", "password": PASSWORD})
    assert right.status_code == 429 and not signed_in(browser)


def test_token_endpoint_answers_a_locked_problem(amina: User) -> None:
    client = client_from("192.0.2.73", headers={"Accept-Language": "en"})

    def exchange(password: str) -> Any:
        return client.post(
            "/api/auth/token/", {"username": "amina", "password": password}, content_type="application/json"
        )

    assert [exchange(f"wrong-{n}").status_code for n in range(2)] == [400, 400]
    locked = exchange("wrong-2")
    assert locked.status_code == 429 and locked["Content-Type"] == "application/problem+json"
    body = locked.json()
    assert body["code"] == "account_locked" and LOCKED["en"] in body["detail"]
    assert int(locked["Retry-After"]) == 15 * 60
    assert exchange(PASSWORD).status_code == 429  # the right password too, until the cool-off ends
    assert "token" not in exchange(PASSWORD).json()


def test_the_lock_ends_after_the_cool_off(amina: User) -> None:
    client = client_from("192.0.2.74")
    for n in range(3):
        client.post("/api/auth/token/", {"username": "amina", "password": f"x{n}"}, content_type="application/json")
    assert AccessAttempt.objects.filter(username="amina").exists()
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post(
        "/api/auth/token/", {"username": "amina", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["token"]


def test_a_successful_sign_in_forgets_the_failures(amina: User) -> None:
    browser = client_from("192.0.2.75")
    for n in range(2):
        browser.post("/accounts/login/", {"username": "amina", "password": f"wrong-{n}"})
    assert browser.post("/accounts/login/", {"username": "amina", "password": PASSWORD}).status_code == 302
    browser.post("/accounts/logout/")
    for n in range(2):
        assert browser.post("/accounts/login/", {"username": "amina", "password": f"again-{n}"}).status_code == 200
