"""Fixtures of the permits tests: the shipped catalogue, a commune tree, the staff of a commune; documents are
stored under the test's tmp_path, never in var/media."""

from pathlib import Path
from typing import Any

import pytest

from permits.services import procedures_load
from tests.permits.factories import commune_tree, staff_for


@pytest.fixture(autouse=True)
def documents_storage_dir(settings: Any, tmp_path: Path) -> Path:
    """`STORAGES["documents"]` (and upload temporary files) under tmp_path for every permits test."""
    store = tmp_path / "documents"
    store.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(store), "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return store


@pytest.fixture
def catalogue(db: Any) -> None:
    procedures_load()


@pytest.fixture
def commune(db: Any) -> Any:
    return commune_tree("CASA-ANFA")


@pytest.fixture
def staff(commune: Any) -> dict[str, Any]:
    return staff_for(commune)
