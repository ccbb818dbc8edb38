"""Fixtures of the fault tests: the SMTP server of the notification tests (aiosmtpd on a free 127.0.0.1 port) and
the development PKI of the test session (the legal path's signatures)."""

from tests.legal_path import pki  # noqa: F401  (fixture)
from tests.notifications.conftest import smtp_server  # noqa: F401  (fixture)
