"""A forgotten password reset through a mailed link; a phone number changed only with the code sent to it by SMS
(the code kept hashed; a wrong code costs an attempt; an expired code and too many attempts end the change)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from gis_core.notifications.models import SECRET_SENT, Delivery
from permits.models import AuditEvent, PhoneChange, UserProfile
from tests.accounts.conftest import PASSWORD, browser, links_in, mail_to, path_of
from tests.notifications.conftest import SmsGateway
from tests.permits.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Another long passphrase for Rabat"


@pytest.fixture
def salma() -> User:
    user = UserFactory.create(username="salma", email="salma@example.ma", first_name="Salma")
    user.set_password(PASSWORD)
    user.save()
    UserProfile.objects.create(user=user, phone="+212612345678", preferred_language="fr")
    return user


def test_password_reset_by_mail(salma: User, deliver: Any, smtp: Any) -> None:
    client = browser("fr")
    with deliver():
        asked = client.post("/accounts/password/reset/", {"email": "salma@example.ma"})
    assert asked.status_code == 302
    [message] = mail_to(smtp, "salma@example.ma")
    [link] = [link for link in links_in(message) if "/accounts/password/reset/key/" in link]
    reset = Delivery.objects.get(recipient="salma@example.ma", event_key="account.password_reset_key")
    assert reset.secret and path_of(link) not in reset.subject + reset.body + reset.html_body  # removed once sent
    form_page = client.get(path_of(link), follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path_of(link)
    changed = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert changed.status_code == 302
    salma.refresh_from_db()
    assert salma.check_password(NEW_PASSWORD) and not salma.check_password(PASSWORD)
    assert browser().post("/accounts/login/", {"login": "salma", "password": NEW_PASSWORD}).status_code == 302


def test_password_reset_for_an_unknown_address_tells_nothing(deliver: Any, smtp: Any) -> None:
    with deliver():
        asked = browser().post("/accounts/password/reset/", {"email": "nobody@example.ma"})
    assert asked.status_code == 302  # the same answer as for a known address (no enumeration)
    assert not any("/accounts/password/reset/key/" in link for mail in smtp.messages for link in links_in(mail.message))


@pytest.fixture
def sms(sms_gateway: SmsGateway, celery_eager: None, django_capture_on_commit_callbacks: Any) -> Any:
    """Ask for a code from the page and return the code the SMS gateway received."""

    def request_code(client: Any, phone: str = "+212 7 00 11 22 33") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/phone/", {"step": "phone", "phone": phone})
        assert response.status_code == 302
        text = sms_gateway.requests[-1]["json"]
        body = " ".join(str(value) for value in text.values())
        found = re.search(r"\b(\d{6})\b", body)
        assert found is not None, body
        return found.group(1)

    return request_code


def signed_in(user: User) -> Any:
    client = browser("fr")
    client.force_login(user)
    return client


def confirm(client: Any, code: str) -> Any:
    return client.post("/accounts/phone/", {"step": "code", "code": code})


def test_phone_changes_with_the_code_sent_to_it(salma: User, sms: Any) -> None:
    client = signed_in(salma)
    code = sms(client)
    change = PhoneChange.objects.get(user=salma, closed=False)
    assert code not in change.code_hash and len(change.code_hash) == 64  # kept hashed
    assert UserProfile.objects.get(user=salma).phone == "+212612345678"  # not yet
    sent = Delivery.objects.get(channel="sms", recipient="+212700112233")
    assert sent.status == Delivery.Status.SENT
    assert sent.secret and sent.body == SECRET_SENT and code not in sent.body  # staff never read a usable code
    done = confirm(client, code)
    assert done.status_code == 302 and done["Location"] == "/accounts/"
    assert UserProfile.objects.get(user=salma).phone == "+212700112233"
    assert AuditEvent.objects.filter(action="account.phone_changed", actor=salma).exists()
    assert confirm(client, code).status_code == 400  # used once


def test_a_wrong_code_costs_an_attempt_and_too_many_end_the_change(salma: User, sms: Any, settings: Any) -> None:
    settings.ACCOUNT_PHONE_CHANGE_MAX_ATTEMPTS = 3
    client = signed_in(salma)
    code = sms(client)
    wrong = "000000" if code != "000000" else "111111"
    first = confirm(client, wrong)
    assert first.status_code == 400 and "2" in first.content.decode()
    assert 'id="id_code_error"' in first.content.decode()
    confirm(client, wrong)
    last = confirm(client, wrong)
    assert last.status_code == 400
    assert PhoneChange.objects.get(user=salma).closed
    assert confirm(client, code).status_code == 400  # even the right code: ask for a new one
    assert UserProfile.objects.get(user=salma).phone == "+212612345678"


def test_an_expired_code_is_refused(salma: User, sms: Any) -> None:
    client = signed_in(salma)
    code = sms(client)
    PhoneChange.objects.filter(user=salma).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = confirm(client, code)
    assert refused.status_code == 400
    assert UserProfile.objects.get(user=salma).phone == "+212612345678"
    assert PhoneChange.objects.get(user=salma).closed


def test_a_new_request_replaces_the_open_code(salma: User, sms: Any) -> None:
    client = signed_in(salma)
    old = sms(client)
    new = sms(client, "+212 7 99 88 77 66")
    assert PhoneChange.objects.filter(user=salma, closed=False).count() == 1
    if old != new:
        assert confirm(client, old).status_code == 400
    assert confirm(client, new).status_code == 302
    assert UserProfile.objects.get(user=salma).phone == "+212799887766"


def test_a_malformed_number_is_refused_and_sends_nothing(salma: User, sms_gateway: SmsGateway) -> None:
    client = signed_in(salma)
    response = client.post("/accounts/phone/", {"step": "phone", "phone": "call me"})
    assert response.status_code == 400 and 'id="id_phone_error"' in response.content.decode()
    assert not PhoneChange.objects.exists() and not sms_gateway.requests
