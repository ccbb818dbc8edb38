"""Sign-up: the e-mail arrives (through the outbox, the real delivery task and a real SMTP server), its link
verifies the address, and only then may the person sign in; an architect waits for the desk's check."""

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from gis_core.notifications.models import SECRET_SENT, Delivery
from permits.models import ArchitectStatus, AuditEvent, Role, RoleMembership, UserProfile
from permits.services.people import architect_verified
from tests.accounts.conftest import PASSWORD, browser, links_in, mail_to, path_of, text_of
from tests.permits.factories import RoleMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client: Any, **overrides: str) -> Any:
    data = {
        "role": "applicant",
        "first_name": "Salma",
        "last_name": "Bennani",
        "email": "salma@example.ma",
        "phone": "+212 6 12 34 56 78",
        "national_id": "bk 123456",
        "architect_order_number": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/accounts/signup/", data)


def sign_in(client: Any, login: str, password: str = PASSWORD) -> Any:
    return client.post("/accounts/login/", {"login": login, "password": password})


def test_sign_up_then_the_mailed_link_verifies_then_sign_in(deliver: Any, smtp: Any) -> None:
    client = browser("fr")
    with deliver():
        response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="salma@example.ma")
    profile = UserProfile.objects.get(user=user)
    assert (user.first_name, user.last_name) == ("Salma", "Bennani")
    assert (profile.phone, profile.national_id, profile.preferred_language) == ("+212612345678", "BK123456", "fr")
    assert RoleMembership.objects.filter(user=user, role=Role.APPLICANT, territory=None, active=True).exists()
    assert AuditEvent.objects.filter(action="account.registered", actor=user).exists()

    # the message went through the outbox (a delivery, sent) and reached the SMTP server, in French
    delivery = Delivery.objects.get(recipient="salma@example.ma")
    assert delivery.status == Delivery.Status.SENT and delivery.event_key == "account.email_confirmation_signup"
    [message] = mail_to(smtp, "salma@example.ma")
    [link] = [link for link in links_in(message) if "/accounts/confirm-email/" in link]
    assert "Urbaplan" in message["Subject"] and "BK123456" not in text_of(message)
    delivery.refresh_from_db()  # sent: the link is gone from the delivery staff can read
    assert delivery.secret and delivery.body == SECRET_SENT and path_of(link) not in delivery.html_body

    # not verified yet: the sign-in is held at the verification page
    held = sign_in(browser(), "salma@example.ma")
    assert held.status_code == 302 and held["Location"] == "/accounts/confirm-email/"
    assert not EmailAddress.objects.get(user=user).verified

    page = client.get(path_of(link))
    assert page.status_code == 200
    confirmed = client.post(path_of(link))
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user, email="salma@example.ma").verified

    fresh = browser()
    signed_in = sign_in(fresh, "salma@example.ma")
    assert signed_in.status_code == 302 and signed_in["Location"] == "/home/"
    assert fresh.get("/home/")["Location"] == "/files/"
    account = fresh.get("/accounts/")
    assert account.status_code == 200 and "BK123456" in account.content.decode()  # the owner sees their CIN


def test_sign_up_refuses_bad_input_with_errors_tied_to_the_fields(deliver: Any, smtp: Any) -> None:
    client = browser("en")
    with deliver():
        response = sign_up(client, phone="12", national_id="123", role="architect", password2="another one")
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("phone", "national_id", "architect_order_number", "password2"):
        assert f'aria-describedby="id_{field}' in page and f'id="id_{field}_error"' in page
    assert "aria-invalid" in page
    assert not User.objects.filter(email="salma@example.ma").exists() and not smtp.messages


def test_sign_up_page_links_and_sign_in_page_links(deliver: Any) -> None:
    page = browser("ar").get("/accounts/login/").content.decode()
    assert 'href="/accounts/signup/"' in page and 'href="/accounts/password/reset/"' in page
    assert 'dir="rtl"' in page
    signup = browser("ar").get("/accounts/signup/").content.decode()
    assert (
        'autocomplete="email"' in signup and 'autocomplete="tel"' in signup and 'autocomplete="new-password"' in signup
    )


def test_architect_waits_for_the_desk_who_verifies(deliver: Any, smtp: Any) -> None:
    with deliver():
        sign_up(browser("ar"), role="architect", email="karim@example.ma", architect_order_number="oa-4521")
    architect = User.objects.get(email="karim@example.ma")
    assert UserProfile.objects.get(user=architect).architect_status == ArchitectStatus.PENDING
    EmailAddress.objects.filter(user=architect).update(verified=True)
    assert not architect_verified(architect)  # pending: files only for themselves

    desk = UserFactory.create(username="guichet-anfa")
    RoleMembershipFactory.create(user=desk, role=Role.DESK_AGENT)
    office = browser("fr")
    office.force_login(desk)
    queue = office.get("/office/architects/")
    assert queue.status_code == 200 and "OA-4521" in queue.content.decode() and "BK123456" in queue.content.decode()

    refused = office.post(f"/office/architects/{architect.pk}/review/", {"decision": "refuse", "reason": ""})
    assert refused.status_code == 302 and not architect_verified(architect)  # a refusal needs its reason
    smtp.clear()
    with deliver():
        office.post(f"/office/architects/{architect.pk}/review/", {"decision": "verify"})
    assert architect_verified(architect)
    event = AuditEvent.objects.get(action="architect.verified")
    assert event.actor_id == desk.pk and event.payload == {"user": architect.pk}
    [notice] = mail_to(smtp, "karim@example.ma")
    assert "هيئة المهندسين المعماريين" in text_of(notice)  # in the language the architect signed up in

    again = office.post(f"/office/architects/{architect.pk}/review/", {"decision": "refuse", "reason": "x"})
    assert again.status_code == 302 and architect_verified(architect)  # checked once


def test_only_the_desk_sees_the_architects_queue(deliver: Any) -> None:
    applicant = UserFactory.create(username="nobody")
    client = browser()
    client.force_login(applicant)
    assert client.get("/office/architects/").status_code == 404
    member = UserFactory.create(username="member")
    RoleMembershipFactory.create(user=member, role=Role.SIGNING_AUTHORITY)
    client.force_login(member)
    assert client.get("/office/architects/").status_code == 404


def test_an_architect_named_by_an_administrator_counts_as_verified() -> None:
    architect = UserFactory.create(username="named-architect")
    assert not architect_verified(architect)
    RoleMembershipFactory.create(user=architect, role=Role.ARCHITECT)
    assert architect_verified(architect)
