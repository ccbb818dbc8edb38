"""Real counterparts for the notification kernel's tests: an SMTP server, an SMS gateway, a Celery worker.

- `smtp_server`: aiosmtpd on a free 127.0.0.1 port, collecting every message it accepts (session-wide,
  emptied before each test); the `smtp` fixture points Django's SMTP backend at it.
- `sms_gateway`: `http.server` in a thread playing the HTTP SMS gateway, answering from a script of replies.
- `celery_eager`: tasks run in-process (with their retries, countdowns skipped) when enqueued; no broker.
- `celery_worker`: a real `celery worker --pool=solo` subprocess on the test database and a Redis database of
  its own (NOTIFICATIONS_TEST_REDIS_DB, 13 by default); stopped at the end of the test.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from config.celery import app as celery_app
from config.env import BASE_DIR, env_str
from tests.conftest import tasks_eager

REFUSED_DOMAIN = "refused.test"
WORKER_READY_SECONDS = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str, details: Callable[[], str] = str) -> Any:
    """Poll `condition` until it returns something truthy; fail clearly after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{details()}")
        time.sleep(0.05)


# --- SMTP --------------------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


class CollectingHandler:
    """aiosmtpd handler: refuses recipients at REFUSED_DOMAIN, keeps every accepted message."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address.endswith("@" + REFUSED_DOMAIN):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: CollectingHandler

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.received)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    handler = CollectingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer, settings: Any) -> SmtpServer:
    """The SMTP server, emptied, with Django's real SMTP backend pointed at it (pytest-django sets locmem)."""
    smtp_server.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Urbaplan <no-reply@urbaplan.test>"
    return smtp_server


# --- SMS gateway -------------------------------------------------------------------------------------------


@dataclass
class GatewayReply:
    status: int = 200
    body: dict[str, Any] | str = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class SmsGateway:
    """The state of the fake gateway: the replies still to give (then 200 with an id) and the requests seen."""

    url: str
    token: str
    replies: deque[GatewayReply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, *replies: GatewayReply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self) -> GatewayReply:
        with self.lock:
            if self.replies:
                return self.replies.popleft()
            return GatewayReply(200, {"id": f"gw-{len(self.requests)}", "status": "queued"})

    def record(self, request: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(request)

    def reset(self) -> None:
        with self.lock:
            self.replies.clear()
            self.requests.clear()


def _gateway_handler(gateway: SmsGateway) -> type[BaseHTTPRequestHandler]:
    class GatewayHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            gateway.record(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization", ""),
                    "content_type": self.headers.get("Content-Type", ""),
                    "json": json.loads(raw.decode("utf-8")),
                }
            )
            reply = gateway.next_reply()
            time.sleep(reply.delay)
            payload = (json.dumps(reply.body) if isinstance(reply.body, dict) else reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return GatewayHandler


@pytest.fixture(scope="session")
def sms_gateway_server() -> Iterator[SmsGateway]:
    gateway = SmsGateway(url="", token="test-token-123")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _gateway_handler(gateway))
    server.daemon_threads = True
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/v1/messages"
    thread = threading.Thread(target=server.serve_forever, name="sms-gateway", daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sms_gateway(sms_gateway_server: SmsGateway, settings: Any) -> SmsGateway:
    """The gateway, reset, with the SMS settings pointed at it."""
    sms_gateway_server.reset()
    settings.SMS_PROVIDER = "gis_core.notifications.channels.HttpGatewaySmsProvider"
    settings.SMS_GATEWAY_URL = sms_gateway_server.url
    settings.SMS_GATEWAY_TOKEN = sms_gateway_server.token
    settings.SMS_GATEWAY_TIMEOUT = 2.0
    settings.SMS_SENDER = "URBAPLAN"
    return sms_gateway_server


# --- Celery ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def notification_settings(settings: Any) -> None:
    """Known retry settings for every test (eager runs ignore the countdown anyway)."""
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 5
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0.1
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 1.0


@pytest.fixture
def celery_eager() -> Iterator[None]:
    """Run enqueued tasks in this process, retries included (eager propagation would stop at the first retry)."""
    with tasks_eager(propagate=False):
        yield


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def point_producer_at(broker_url: str) -> None:
    """Make this process publish to `broker_url` (drops the cached connection pools built for the old URL)."""
    celery_app.conf.broker_url = broker_url
    celery_app._pool = None  # Celery has no public way to rebuild its pools after a URL change
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


@dataclass
class CeleryWorker:
    process: subprocess.Popen[bytes]
    log_path: Path
    broker_url: str

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else "(no log)"
        return "--- worker log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])


@pytest.fixture
def celery_worker(
    transactional_db: None, smtp: SmtpServer, sms_gateway: SmsGateway, tmp_path: Path
) -> Iterator[CeleryWorker]:
    """A real worker on the test database, the test SMTP server and gateway, and an isolated Redis database."""
    from django.db import connection

    redis_db = env_str("NOTIFICATIONS_TEST_REDIS_DB", "13")
    broker_url = _with_path(settings.CELERY_BROKER_URL, f"/{redis_db}")
    database_url = _with_path(env_str("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/urbaplan"), "/")
    database_url = _with_path(database_url, "/" + connection.settings_dict["NAME"])
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "SMS_PROVIDER": settings.SMS_PROVIDER,
        "SMS_GATEWAY_URL": sms_gateway.url,
        "SMS_GATEWAY_TOKEN": sms_gateway.token,
        "SMS_GATEWAY_TIMEOUT": "2",
        "NOTIFICATIONS_MAX_ATTEMPTS": "5",
        "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2",
        "NOTIFICATIONS_RETRY_MAX_SECONDS": "1",
    }
    saved_broker_url = celery_app.conf.broker_url
    point_producer_at(broker_url)
    celery_app.control.purge()  # leftovers of an interrupted run in our own Redis database
    log_path = tmp_path / "celery-worker.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"notifications-test-{os.getpid()}@%h",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT)
    worker = CeleryWorker(process, log_path, broker_url)

    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited with code {process.returncode}\n{worker.log_tail()}")
        return log_path.exists() and " ready." in log_path.read_text(errors="replace")

    try:
        wait_for(ready, timeout=WORKER_READY_SECONDS, what="the Celery worker to be ready", details=worker.log_tail)
        yield worker
    finally:
        if process.poll() is None:
            process.terminate()  # warm shutdown
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        point_producer_at(saved_broker_url)
