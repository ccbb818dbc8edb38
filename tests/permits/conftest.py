"""Fixtures of the permits tests: the shipped catalogue, a commune tree, the staff of a commune; documents are
stored under the test's tmp_path, never in var/media; notification tasks run in-process (never on the shared
broker) and e-mails go to Django's test outbox unless a test points the SMTP backend at a real server."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from permits.services import procedures_load
from tests.conftest import tasks_eager
from tests.legal_path import legal_path, pki  # noqa: F401 - the legal path and the session's PKI, as fixtures
from tests.notifications.conftest import (  # noqa: F401 - the real SMTP server and SMS gateway, shared as fixtures
    sms_gateway,
    sms_gateway_server,
    smtp,
    smtp_server,
)
from tests.permits.factories import commune_tree, staff_for


@pytest.fixture(autouse=True)
def documents_storage_dir(documents_storage_dir: Path) -> Path:
    """Every permits test stores documents under its tmp_path (tests/conftest.py)."""
    return documents_storage_dir


@pytest.fixture(autouse=True)
def celery_in_process() -> Iterator[None]:
    """Tasks enqueued on commit (notification deliveries) run here, retries included, never on the broker."""
    with tasks_eager(propagate=False):
        yield


@pytest.fixture
def catalogue(db: Any) -> None:
    procedures_load()


@pytest.fixture
def commune(db: Any) -> Any:
    return commune_tree("CASA-ANFA")


@pytest.fixture
def staff(commune: Any) -> dict[str, Any]:
    return staff_for(commune)
