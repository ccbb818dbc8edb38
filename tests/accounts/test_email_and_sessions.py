"""A change of e-mail address takes effect once the new address is verified (allauth's flow, its mail through the
outbox); a person lists their sessions and signs the other devices out."""

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from tests.accounts.conftest import PASSWORD, browser, links_in, mail_to, path_of
from tests.permits.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def salma() -> User:
    user = UserFactory.create(username="salma", email="salma@example.ma")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(language: str = "fr") -> Any:
    client = browser(language)
    assert client.post("/accounts/login/", {"login": "salma@example.ma", "password": PASSWORD}).status_code == 302
    return client


def test_the_new_address_replaces_the_old_one_once_verified(salma: User, deliver: Any, smtp: Any) -> None:
    client = sign_in()
    with deliver():
        response = client.post("/accounts/email/", {"action_add": "", "email": "salma.new@example.ma"})
    assert response.status_code == 302
    salma.refresh_from_db()
    assert salma.email == "salma@example.ma"  # not before the verification
    [message] = mail_to(smtp, "salma.new@example.ma")
    [link] = [link for link in links_in(message) if "/accounts/confirm-email/" in link]
    client.post(path_of(link))
    salma.refresh_from_db()
    assert salma.email == "salma.new@example.ma"
    assert list(EmailAddress.objects.filter(user=salma).values_list("email", flat=True)) == ["salma.new@example.ma"]


def test_sign_out_the_other_sessions(salma: User) -> None:
    laptop = sign_in()
    phone = sign_in("ar")
    listed = laptop.get("/accounts/sessions/")
    assert listed.status_code == 200
    assert phone.get("/files/").status_code == 200
    laptop.post("/accounts/sessions/", {})
    assert phone.get("/files/").status_code == 302  # signed out there
    assert laptop.get("/files/").status_code == 200  # still here
