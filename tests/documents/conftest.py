"""Fixtures of the document store tests: storage and temporary uploads under tmp_path, never var/media."""

from dataclasses import dataclass
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "large_upload: streams a 200 MB upload end to end (a few seconds, ~1 GB disk)")


@dataclass
class DocumentDirs:
    store: Path
    temp: Path

    def stored_files(self) -> list[Path]:
        return sorted(path for path in self.store.rglob("*") if path.is_file())

    def temp_files(self) -> list[Path]:
        return sorted(path for path in self.temp.rglob("*") if path.is_file())


@pytest.fixture
def document_dirs(settings, tmp_path: Path) -> DocumentDirs:
    dirs = DocumentDirs(store=tmp_path / "store", temp=tmp_path / "upload-tmp")
    dirs.store.mkdir()
    dirs.temp.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(dirs.store), "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(dirs.temp)
    return dirs


@pytest.fixture(autouse=True)
def upload_endpoint(settings) -> None:
    """The test face's `/upload/` is an upload endpoint (`UPLOAD_PATH_LIMITS`) like the real ones."""
    settings.UPLOAD_PATH_LIMITS = [*settings.UPLOAD_PATH_LIMITS, (r"^/upload/$", "DOCUMENTS_MAX_UPLOAD_BYTES")]
