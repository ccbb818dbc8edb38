"""Fixtures of the web tests: the legal path to a decision (a commission's session with the quorum, the decision
from the examination, PAdES signatures with the session's development PKI), for the pages that follow a file there."""

from tests.legal_path import legal_path, pki  # noqa: F401 - fixtures
