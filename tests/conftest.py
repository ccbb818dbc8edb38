"""Shared pytest fixtures. Tests run against the real PostGIS started by `make test` (or DATABASE_URL)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from config.celery import app as celery_app

SHARED_DATA: Path = settings.SHARED_DATA_DIR


@pytest.fixture(autouse=True)
def fresh_throttles(settings: Any) -> None:
    """Each test counts its requests in throttle buckets of its own (keys expire on their own in Redis)."""
    settings.THROTTLE_KEY_PREFIX = f"throttle:test:{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def back_office_two_factor_off(settings: Any) -> None:
    """Back-office users of the tests sign in without TOTP; tests/accounts turn the requirement on where they test
    it (web.accounts.middleware)."""
    settings.MFA_REQUIRED_FOR_BACK_OFFICE = False


@pytest.fixture
def shared_data() -> Path:
    """The real datasets in ../shared/data; the test is skipped cleanly when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent")
    return SHARED_DATA


def documents_stored_in(django_settings: Any, directory: Path) -> Path:
    """Point `STORAGES["documents"]` (and upload temporary files) at `directory`, never at var/media."""
    store = directory / "documents"
    store.mkdir()
    django_settings.STORAGES = {
        **django_settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(store), "base_url": None},
        },
    }
    django_settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    return store


@pytest.fixture
def documents_storage_dir(settings: Any, tmp_path: Path) -> Path:
    """Uploaded documents go under the test's tmp_path; the directory they are stored in."""
    return documents_stored_in(settings, tmp_path)


@contextmanager
def tasks_eager(*, propagate: bool) -> Iterator[None]:
    """Celery tasks run in this process when enqueued, never on the broker; `propagate=False` lets a task's
    retries run (eager propagation would raise at the first retry)."""
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = propagate
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved
