"""The storage backend is chosen by the environment: filesystem by default, S3-compatible as an option."""

from pathlib import Path

import pytest

from config.documents import documents_storage_config


def test_filesystem_is_the_default_with_no_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCUMENTS_STORAGE", raising=False)
    monkeypatch.delenv("DOCUMENTS_DIR", raising=False)

    config = documents_storage_config(Path("/srv/media"))

    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config["OPTIONS"]["location"] == "/srv/media/documents"
    assert config["OPTIONS"]["base_url"] is None


def test_s3_compatible_storage_is_selected_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from storages.backends.s3 import S3Storage

    monkeypatch.setenv("DOCUMENTS_STORAGE", "s3")
    monkeypatch.setenv("DOCUMENTS_S3_BUCKET", "dossiers")
    monkeypatch.setenv("DOCUMENTS_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-access-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")

    config = documents_storage_config(Path("/srv/media"))
    storage = S3Storage(**config["OPTIONS"])  # no request is made until a file is read or written
    url = storage.url("2026/11/0123abcd.pdf")

    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert url.startswith("http://127.0.0.1:9000/dossiers/documents/2026/11/0123abcd.pdf?")
    assert "Expires=" in url or "X-Amz-Expires=" in url


def test_an_unknown_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCUMENTS_STORAGE", "ftp")

    with pytest.raises(ValueError, match="DOCUMENTS_STORAGE"):
        documents_storage_config(Path("/srv/media"))
