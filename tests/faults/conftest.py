"""Fixtures of the fault tests: the SMTP server of the notification tests (aiosmtpd on a free 127.0.0.1 port)."""

from tests.notifications.conftest import smtp_server  # noqa: F401  (fixture)
