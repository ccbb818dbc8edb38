"""Upload caps enforced before the body is read (web forms, session and token API), the per-request file count,
the cap of every other request, and each file's document quota (number of versions, total bytes)."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from gis_core.documents.models import StoredDocument
from permits.models import DossierDocument
from tests.documents.files import pdf_bytes
from tests.limits.conftest import BROWSER
from tests.permits.factories import DossierFactory
from tests.permits_api.conftest import SessionClient, token_client

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readline(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")


class CountingBody:
    """A request body that counts what was read of it."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.buffer.read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = self.buffer.readline(size)
        self.read_bytes += len(line)
        return line


def raw_post(client: Client, path: str, body: Any, length: int, **headers: str) -> Any:
    return client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=path,
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
        **headers,
    )


@pytest.fixture
def upload_dirs(settings: Any, tmp_path: Path) -> Path:
    from tests.conftest import documents_stored_in

    documents_stored_in(settings, tmp_path)
    return tmp_path


def leftovers(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()]


def test_a_declared_length_over_the_cap_is_refused_before_reading(db: Any, settings: Any) -> None:
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1024 * 1024
    dossier = DossierFactory.create()
    browser = Client(raise_request_exception=True)
    browser.force_login(dossier.applicant)
    cap = settings.DOCUMENTS_MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    page = raw_post(
        browser, f"/files/{dossier.pk}/documents/", UnreadableBody(), cap + 1, HTTP_ACCEPT=BROWSER["Accept"]
    )
    assert page.status_code == 413 and page["Content-Type"].startswith("text/html")
    api = raw_post(token_client(dossier.applicant), f"/api/dossiers/{dossier.pk}/documents/", UnreadableBody(), cap + 1)
    assert api.status_code == 413 and api.json()["code"] == "request_too_large" and api.json()["max_bytes"] == cap
    elsewhere = raw_post(browser, "/api/precheck/", UnreadableBody(), settings.REQUEST_MAX_BODY_BYTES + 1)
    assert elsewhere.status_code == 413  # any other request: REQUEST_MAX_BODY_BYTES


def test_a_web_form_upload_is_stopped_while_it_streams(upload_dirs: Path, settings: Any) -> None:
    """The declared length passes (one file + the fields allowance), the file does not: the upload handler stops
    reading as soon as the file is past its cap, before the CSRF middleware or the view touch the form."""
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 100_000
    dossier = DossierFactory.create()
    browser = Client(raise_request_exception=True)
    browser.force_login(dossier.applicant)
    content = pdf_bytes() + b"\n%" + b"x" * (2 * 1024 * 1024)
    body = encode_multipart(BOUNDARY, {"document_type": "other", "file": SimpleUploadedFile("plan.pdf", content)})
    stream = CountingBody(body)
    response = raw_post(
        browser, f"/files/{dossier.pk}/documents/", stream, len(body), HTTP_ACCEPT=BROWSER["Accept"], **ENGLISH
    )
    assert response.status_code == 413 and "larger than the limit of 97.7\xa0KB" in response.content.decode()
    assert stream.read_bytes < 400_000 < len(body)  # stopped after the cap, not at the end
    assert not StoredDocument.objects.exists() and leftovers(upload_dirs) == []


def test_session_and_token_api_uploads_are_capped_alike(upload_dirs: Path, settings: Any) -> None:
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 10_000
    dossier = DossierFactory.create()
    content = pdf_bytes() + b"\n%" + b"x" * 20_000
    session = SessionClient(dossier.applicant)
    path = f"/api/dossiers/{dossier.pk}/documents/"

    def body() -> dict[str, Any]:
        return {"document_type": "other", "file": SimpleUploadedFile("plan.pdf", content)}

    by_session = session.client.post(path, body(), headers={"X-CSRFToken": session.csrf_token})
    by_token = token_client(dossier.applicant).post(path, body(), format="multipart")
    for response in (by_session, by_token):
        assert response.status_code == 413, response.content[:300]
        assert response.json()["code"] == "document_too_large"
    assert not StoredDocument.objects.exists()


def test_too_many_files_in_one_request(upload_dirs: Path, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    dossier = DossierFactory.create()
    browser = Client()
    browser.force_login(dossier.applicant)
    files = {f"file{n}": SimpleUploadedFile(f"plan{n}.pdf", pdf_bytes()) for n in range(3)}
    response = browser.post(
        f"/files/{dossier.pk}/documents/",
        {"document_type": "other", **files},
        headers={**BROWSER, "Accept-Language": "fr"},
    )
    assert response.status_code == 400 and "Envoyez au plus 2 fichiers à la fois." in response.content.decode()
    assert not StoredDocument.objects.exists()


def test_a_file_holds_at_most_its_quota_of_versions_and_bytes(upload_dirs: Path, settings: Any) -> None:
    settings.DOSSIER_MAX_DOCUMENT_VERSIONS = 2
    dossier = DossierFactory.create()
    client = token_client(dossier.applicant)

    def upload() -> Any:
        body = {"document_type": "other", "file": SimpleUploadedFile("plan.pdf", pdf_bytes())}
        return client.post(f"/api/dossiers/{dossier.pk}/documents/", body, format="multipart")

    assert [upload().status_code for _ in range(2)] == [201, 201]
    refused = upload()
    assert refused.status_code == 409 and refused.json()["code"] == "document_quota_exceeded"
    assert refused.json()["quota"] == "count"
    assert DossierDocument.objects.filter(dossier=dossier).count() == 2 and StoredDocument.objects.count() == 2

    settings.DOSSIER_MAX_DOCUMENT_VERSIONS = 100
    held = sum(document.stored_document.size_bytes for document in DossierDocument.objects.filter(dossier=dossier))
    settings.DOSSIER_MAX_DOCUMENT_BYTES = held + 10
    too_big = upload()
    assert too_big.status_code == 409 and too_big.json()["quota"] == "bytes"
    assert StoredDocument.objects.count() == 2 and len(leftovers(upload_dirs / "documents")) == 2
