"""Real parts for the account tests: the SMTP server and SMS gateway of tests/notifications (messages sent by the
real delivery task, run in-process when the request's transaction commits), and a helper that reads a link or a
code out of what was received."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.notifications.conftest import (  # noqa: F401  (fixtures shared with tests/notifications)
    SmsGateway,
    SmtpServer,
    celery_eager,
    notification_settings,
    sms_gateway,
    sms_gateway_server,
    smtp,
    smtp_server,
)

PASSWORD = "A long passphrase for Casablanca 2026"
LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """allauth counts e-mails sent per address (e.g. one confirmation per 3 minutes) in the cache: each test starts
    with none counted."""
    cache.clear()


@pytest.fixture
def deliver(smtp: SmtpServer, celery_eager: None, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:  # noqa: F811
    """`with deliver(): client.post(...)`: the request's deliveries are sent for real when it commits."""

    @contextmanager
    def sending() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return sending


def mail_to(server: SmtpServer, address: str) -> list[Any]:
    return [mail.message for mail in server.messages if address in mail.recipients]


def text_of(message: Any) -> str:
    part = message.get_body(preferencelist=("plain",)) or message
    return part.get_content()


def links_in(message: Any) -> list[str]:
    return LINK.findall(text_of(message))


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def browser(language: str = "fr") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR="192.0.2.10")
