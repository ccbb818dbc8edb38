"""HTTP tests through a small test face (`tests.documents.urls`): multipart uploads, problems, downloads."""

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gis_core.documents.models import StoredDocument
from tests.documents.conftest import DocumentDirs
from tests.documents.files import MIB, encrypted_pdf_bytes, pdf_bytes, write_large_pdf, write_multipart_body

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.documents.urls")]


def upload(client: Client, content: bytes, filename: str = "plan.pdf", max_bytes: int | None = None) -> Any:
    query = f"?max_bytes={max_bytes}" if max_bytes is not None else ""
    return client.post(f"/upload/{query}", {"file": SimpleUploadedFile(filename, content, "application/pdf")})


def test_upload_then_download_streams_the_same_bytes(client: Client, document_dirs: DocumentDirs) -> None:
    content = pdf_bytes(pages=2)

    created = upload(client, content, filename="Plan de masse.pdf")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest() and body["page_count"] == 2

    response = client.get(f"/documents/{body['id']}/")
    assert response.status_code == 200
    assert response.getvalue() == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    assert response["ETag"] == f'"{body["sha256"]}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;") and "Plan" in response["Content-Disposition"]

    again = client.get(f"/documents/{body['id']}/", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_x_accel_redirect_hands_the_file_to_nginx(client: Client, document_dirs: DocumentDirs) -> None:
    document_id = upload(client, pdf_bytes()).json()["id"]
    document = StoredDocument.objects.get(pk=document_id)

    response = client.get(f"/documents/{document_id}/?mode=x-accel")

    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-documents/{document.storage_key}"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(document.size_bytes)


def test_refusals_are_problem_details(client: Client, document_dirs: DocumentDirs) -> None:
    response = upload(client, encrypted_pdf_bytes())

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "pdf_encrypted"
    assert StoredDocument.objects.count() == 0 and document_dirs.stored_files() == []


def test_too_large_http_upload_is_stopped_by_the_upload_handler(client: Client, document_dirs: DocumentDirs) -> None:
    response = upload(client, b"%PDF-1.7\n" + b"0" * (8 * MIB), max_bytes=MIB)

    assert response.status_code == 413
    assert response.json()["code"] == "document_too_large"
    assert StoredDocument.objects.count() == 0
    assert document_dirs.stored_files() == [] and document_dirs.temp_files() == []


def test_unknown_document_is_not_found(client: Client) -> None:
    assert client.get("/documents/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.large_upload
def test_a_200_mb_upload_streams_through_multipart(client: Client, document_dirs: DocumentDirs, tmp_path: Path) -> None:
    pdf_path = tmp_path / "large.pdf"
    expected_sha256 = write_large_pdf(pdf_path, payload_bytes=200 * MIB)
    body_path = tmp_path / "body.multipart"
    boundary = write_multipart_body(body_path, pdf_path, filename="plans-200MB.pdf")
    pdf_path.unlink()

    with body_path.open("rb") as body:  # the body is read from disk by Django's parser, never built in memory
        response = client.request(
            REQUEST_METHOD="POST",
            PATH_INFO="/upload/",
            CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
            CONTENT_LENGTH=str(body_path.stat().st_size),
            **{"wsgi.input": body},
        )

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["sha256"] == expected_sha256
    assert created["page_count"] == 1 and created["size_bytes"] > 200 * MIB
    [stored] = document_dirs.stored_files()
    digest = hashlib.sha256()
    with stored.open("rb") as handle:
        while chunk := handle.read(MIB):
            digest.update(chunk)
    assert digest.hexdigest() == expected_sha256
    assert document_dirs.temp_files() == []
