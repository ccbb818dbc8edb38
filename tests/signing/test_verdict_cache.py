"""/verify/<token>/ keeps its verdict per verified bytes and trust roots: pyHanko runs once per document version
(and once per copy), again when the trust roots change, and every time when Redis does not answer. An uploaded
copy past SIGNING_VERIFY_MAX_UPLOAD_BYTES is stopped while it streams in, before any verification."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from gis_core.limits.fail_open import fail_open_redis
from gis_core.signing import services
from gis_core.signing.models import VerificationToken
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.signers import signer_for
from tests.limits.conftest import unused_port

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])  # /verify/ reads as the reader


@pytest.fixture
def signed_plan(pdf_document: Any, signer_users: list[Any]) -> Any:
    plan = services.document_stamp(document=pdf_document(1, name="plan.pdf"), reference="PC-2026-0077", purpose="plan")
    return services.pdf_sign(document=plan, signer=signer_for(user=signer_users[0]), field_name="President")


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """A spy on the verification: the bytes of each real run of pyHanko's validator."""
    calls: list[bytes] = []
    real = services.verify_pdf

    def spy(data: bytes, **kwargs: Any) -> Any:
        calls.append(data)
        return real(data, **kwargs)

    monkeypatch.setattr(services, "verify_pdf", spy)
    fail_open_redis.cache_clear()
    return calls


def page_of(document: Any) -> str:
    return f"/verify/{VerificationToken.objects.get(lineage=document.lineage).token}/"


def test_the_second_request_does_not_verify_again(signed_plan: Any, verifications: list[bytes], client: Client) -> None:
    url = page_of(signed_plan)
    first = client.get(url)
    assert 'data-status="valid"' in first.content.decode() and len(verifications) == 1  # a real verification
    second = client.get(url)
    html = second.content.decode()
    assert 'data-status="valid"' in html and "Amina El Idrissi" in html and len(verifications) == 1

    copy = services.document_bytes(signed_plan)
    for _ in range(2):
        same = client.post(url, {"copy": SimpleUploadedFile("copy.pdf", copy, "application/pdf")})
        assert 'data-copy="identical"' in same.content.decode()
    assert len(verifications) == 2  # the copy once, then from the cache


def test_new_trust_roots_verify_again(
    signed_plan: Any, verifications: list[bytes], client: Client, settings: Any, tmp_path: Any
) -> None:
    url = page_of(signed_plan)
    assert 'data-status="valid"' in client.get(url).content.decode()
    other = DevelopmentPki(tmp_path / "other-pki")
    other.ensure()
    settings.SIGNING_TRUST_ROOTS = [other.directory / "root-ca.pem"]
    settings.SIGNING_INTERMEDIATES = [other.directory / "intermediate-ca.pem"]
    assert 'data-status="untrusted"' in client.get(url).content.decode()
    assert len(verifications) == 2


def test_redis_down_verifies_every_time(
    signed_plan: Any, verifications: list[bytes], client: Client, settings: Any, closed_port: int
) -> None:
    settings.SIGNING_VERIFY_CACHE_URL = f"redis://127.0.0.1:{closed_port}/0"
    url = page_of(signed_plan)
    for _ in range(2):
        assert 'data-status="valid"' in client.get(url).content.decode()
    assert len(verifications) == 2


class CountingBody:
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


def test_a_copy_past_the_limit_is_stopped_while_it_streams(
    signed_plan: Any, verifications: list[bytes], client: Client, settings: Any
) -> None:
    settings.SIGNING_VERIFY_MAX_UPLOAD_BYTES = 100_000
    url = page_of(signed_plan)
    copy = services.document_bytes(signed_plan) + b"%" + b"x" * (2 * 1024 * 1024)
    body = encode_multipart(BOUNDARY, {"copy": SimpleUploadedFile("copy.pdf", copy, "application/pdf")})
    stream = CountingBody(body)
    response = client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=url,
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        HTTP_ACCEPT="text/html",
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413
    assert stream.read_bytes < 400_000 < len(body) and verifications == []


@pytest.fixture
def closed_port() -> int:
    return unused_port()
