"""Shared pytest fixtures. Tests run against the real PostGIS started by `make test` (or DATABASE_URL)."""

from pathlib import Path

import pytest
from django.conf import settings

SHARED_DATA: Path = settings.SHARED_DATA_DIR


@pytest.fixture
def shared_data() -> Path:
    """The real datasets in ../shared/data; the test is skipped cleanly when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent")
    return SHARED_DATA
