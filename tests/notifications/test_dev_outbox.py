"""The development outbox of the tour: the mail catcher started as `make run` starts it (scripts/mail_catcher.sh, a
real SMTP server on loopback under its supervisor, its port written to the services file), a notification sent by a
real Celery worker through the platform's SMTP channel landing in its maildir, an SMS stored by the outbox provider
next to it, and both listed on `/dev/outbox/`, newest first, with their links and one-time codes. The page is a 404
in production mode and with DEBUG off."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from config.env import BASE_DIR
from gis_core.notifications.development import OutboxSmsProvider, outbox_read
from gis_core.notifications.models import SECRET_SENT, Delivery
from gis_core.notifications.services import notification_schedule
from tests.notifications.conftest import (
    CeleryWorker,
    CollectingHandler,
    SmsGateway,
    SmtpServer,
    free_port,
    wait_for,
)

OUTBOX_SMS_PROVIDER = "gis_core.notifications.development.OutboxSmsProvider"


@dataclass
class Catcher:
    port: int
    outbox: Path
    env_file: Path
    supervisor_pid: int


@pytest.fixture
def catcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Catcher]:
    """The mail catcher as `make run` starts it, with its run directory, services file and outbox under tmp_path."""
    outbox = tmp_path / "outbox"
    env_file = tmp_path / "services.env"
    env_file.write_text("REDIS_URL=redis://127.0.0.1:1/0\nEMAIL_PORT=25\n")
    monkeypatch.setenv("DEV_OUTBOX_DIR", str(outbox))  # the catcher's and the worker's (they inherit os.environ)
    settings.DEV_OUTBOX_DIR = outbox
    environment = {
        **os.environ,
        "RUN_DIR": str(tmp_path / "run"),
        "LOG_DIR": str(tmp_path / "log"),
        "ENV_FILE": str(env_file),
        "MAIL_CATCHER_PORT": str(free_port()),
    }
    started = subprocess.run(
        [str(BASE_DIR / "scripts" / "mail_catcher.sh")], env=environment, capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 0, started.stderr
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    supervisor_pid = int((tmp_path / "run" / "mail-catcher.pid").read_text())
    try:
        yield Catcher(int(values["EMAIL_PORT"]), outbox, env_file, supervisor_pid)
    finally:
        os.kill(supervisor_pid, signal.SIGTERM)  # the supervisor stops the catcher, then itself


@pytest.fixture
def smtp(catcher: Catcher, settings: Any) -> SmtpServer:
    """The SMTP server the worker is given (tests/notifications/conftest): the mail catcher."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = catcher.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return SmtpServer("127.0.0.1", catcher.port, CollectingHandler())  # the handler is unused: the catcher stores


@pytest.fixture
def sms_gateway(settings: Any) -> SmsGateway:
    """No gateway: the worker is given the outbox SMS provider, as `make run` configures it."""
    settings.SMS_PROVIDER = OUTBOX_SMS_PROVIDER
    return SmsGateway(url="", token="")


def test_the_catcher_writes_the_platform_s_mail_settings(catcher: Catcher) -> None:
    lines = catcher.env_file.read_text().splitlines()
    assert "REDIS_URL=redis://127.0.0.1:1/0" in lines  # the services' lines are kept
    assert f"EMAIL_PORT={catcher.port}" in lines and "EMAIL_PORT=25" not in lines  # replaced, not appended twice
    assert "EMAIL_HOST=127.0.0.1" in lines and f"SMS_PROVIDER={OUTBOX_SMS_PROVIDER}" in lines
    assert (catcher.outbox / "mail" / "new").is_dir()


def test_a_notification_sent_by_the_real_worker_reaches_the_catcher_and_the_outbox_page(
    celery_worker: CeleryWorker, catcher: Catcher, client: Client, settings: Any
) -> None:
    settings.DEBUG = True
    settings.DEVELOPMENT_TOOLS = True
    link = "http://127.0.0.1:8000/accounts/confirm-email/Mzk:1tour/"
    with transaction.atomic():
        mail = notification_schedule(
            channel="email",
            recipient="amina@demo.example",
            language="fr",
            subject="Confirmez votre adresse",
            body=f"Bonjour,\nconfirmez votre adresse : {link}\n",
            event_key="account.confirm",
            idempotency_key="tour-mail",
            secret=True,
        )
    wait_for(
        lambda: Delivery.objects.filter(pk=mail.pk, status=Delivery.Status.SENT).exists(),
        timeout=30,
        what="the worker to send the e-mail to the catcher",
        details=celery_worker.log_tail,
    )
    with transaction.atomic():
        sms = notification_schedule(
            channel="sms",
            recipient="+212600000001",
            language="fr",
            subject="",
            body="Votre code de vérification : 482913",
            event_key="account.otp",
            idempotency_key="tour-sms",
            secret=True,
        )
    wait_for(
        lambda: Delivery.objects.filter(pk=sms.pk, status=Delivery.Status.SENT).exists(),
        timeout=30,
        what="the worker to store the SMS",
        details=celery_worker.log_tail,
    )
    # sent, the deliveries keep no usable code or link; the outbox (the maildirs) keeps what a developer needs
    assert {(delivery.subject, delivery.body) for delivery in Delivery.objects.filter(pk__in=[mail.pk, sms.pk])} == {
        ("", SECRET_SENT)
    }
    newest, older = outbox_read()
    assert (newest.channel, newest.recipient, newest.codes) == ("sms", "+212600000001", ("482913",))
    assert (older.channel, older.recipient, older.subject) == ("email", "amina@demo.example", "Confirmez votre adresse")
    assert older.links == (link,)

    page = client.get("/dev/outbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("482913") < html.index("Confirmez votre adresse")  # newest first
    assert f'href="{link}"' in html


def test_the_outbox_provider_stores_the_sms_in_the_outbox(tmp_path: Path, settings: Any) -> None:
    settings.DEV_OUTBOX_DIR = tmp_path
    message_id = OutboxSmsProvider().send(to="+212600000002", text="Code : 123456", sender="URBAPLAN")
    [sms] = outbox_read()
    assert message_id.startswith("outbox-")
    assert (sms.channel, sms.recipient, sms.sender, sms.text.strip(), sms.codes) == (
        "sms",
        "+212600000002",
        "URBAPLAN",
        "Code : 123456",
        ("123456",),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("production", "debug", "tools", "status"),
    [
        (False, True, True, 200),
        (True, True, True, 404),  # production mode
        (False, False, True, 404),  # DEBUG off
        (False, True, False, 404),  # the development tools off
    ],
)
def test_the_outbox_page_exists_only_in_development(
    client: Client, settings: Any, tmp_path: Path, production: bool, debug: bool, tools: bool, status: int
) -> None:
    settings.DEV_OUTBOX_DIR = tmp_path
    settings.PRODUCTION, settings.DEBUG, settings.DEVELOPMENT_TOOLS = production, debug, tools
    OutboxSmsProvider().send(to="+212600000003", text="Code : 654321", sender="URBAPLAN")
    response = client.get("/dev/outbox/")
    assert response.status_code == status
    assert ("654321" in response.content.decode()) is (status == 200)
