"""Fixtures of the privacy tests: documents under tmp_path and tasks in-process (as the permits tests), fresh
throttles for the API clients."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.permits.conftest import (  # noqa: F401 - autouse: documents under tmp_path, tasks in-process
    celery_in_process,
    documents_storage_dir,
)


@pytest.fixture(autouse=True)
def fresh_throttles() -> Iterator[None]:
    """The API's throttles count in Django's cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
