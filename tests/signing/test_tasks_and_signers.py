"""The Celery task (idempotent, scheduled on commit), the local TSA over real HTTP, a remote-service signer."""

from __future__ import annotations

import io
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.timestamps import HTTPTimeStamper

from config.celery import app as celery_app
from gis_core.documents.models import StoredDocument
from gis_core.signing import pades, services, tsa
from gis_core.signing.models import SignatureRecord
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.signers import RemoteServiceSigner
from gis_core.signing.tasks import pdf_sign_on_commit, pdf_sign_task
from gis_core.signing.verify import verify_pdf
from tests.signing.pdf_factory import sample_pdf


@pytest.mark.django_db
def test_task_signs_the_latest_version_once(pdf_document: Any, signer_users: list[Any]) -> None:
    document = pdf_document()
    arguments = {"document_id": str(document.pk), "user_id": signer_users[0].pk, "field_name": "Authority"}
    first = pdf_sign_task.apply(kwargs=arguments).get()
    again = pdf_sign_task.apply(kwargs=arguments).get()  # a redelivered message: no second signature
    assert first == again
    assert SignatureRecord.objects.filter(lineage=document.lineage).count() == 1
    assert StoredDocument.objects.filter(lineage=document.lineage).count() == 2


@pytest.mark.django_db
def test_signing_is_enqueued_on_commit(
    pdf_document: Any, signer_users: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    document = pdf_document()
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            pdf_sign_on_commit(document=document, user=signer_users[1], field_name="Member2")
        assert not SignatureRecord.objects.exists()  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        celery_app.conf.task_always_eager = saved
    record = SignatureRecord.objects.get()
    assert record.signer_name == "Karim Benali" and record.signed_from_id == document.pk


def test_local_tsa_answers_pyhanko_http_client(live_server: Any, pki: DevelopmentPki) -> None:
    credentials = pki.user("amina")
    from gis_core.signing.signers import Pkcs12Signer

    signer = Pkcs12Signer(credentials.pkcs12_path, credentials.passphrase)
    with signer.session() as pyhanko_signer:
        signed = pades.sign_pdf(
            sample_pdf(),
            signer=pyhanko_signer,
            field_name="Signature1",
            options=pades.SignatureOptions(timestamper=HTTPTimeStamper(f"{live_server.url}/tsa/")),
        )
    report = verify_pdf(signed, trust_roots=services.trust_roots(), other_certs=services.intermediate_certificates())
    assert report.status == "valid" and report.signatures[0].timestamp is not None


def test_local_tsa_rejects_garbage(pki: DevelopmentPki) -> None:
    from asn1crypto import tsp

    answer = tsa.local_authority().respond(b"\x30\x03garbage")
    # asn1crypto's TimeStampResp wrongly requires the token: read the status (the SEQUENCE's only member) alone
    assert answer[0] == 0x30 and tsp.PKIStatusInfo.load(answer[2:])["status"].native == "rejection"


class InProcessSigningService:
    """Plays a remote signing service with a PKCS#12 key (what an HTTP adapter would call)."""

    def __init__(self, pki: DevelopmentPki) -> None:
        credentials = pki.user("karim")
        self.key, self.certificate, self.chain = pkcs12.load_key_and_certificates(
            credentials.pkcs12_path.read_bytes(), credentials.passphrase
        )
        self.calls = 0

    def certificate_chain(self, *, user: Any) -> list[bytes]:
        assert self.certificate is not None
        return [cert.public_bytes(serialization.Encoding.DER) for cert in [self.certificate, *self.chain]]

    def sign(self, *, user: Any, data: bytes, digest_algorithm: str) -> bytes:
        self.calls += 1
        assert digest_algorithm == "sha256"
        assert isinstance(self.key, rsa.RSAPrivateKey)
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def test_remote_service_signer(pki: DevelopmentPki) -> None:
    service = InProcessSigningService(pki)
    signer = RemoteServiceSigner(service, user=None)
    assert signer.display_name == "Karim Benali"
    with signer.session() as pyhanko_signer:
        signed = pades.sign_pdf(
            sample_pdf(),
            signer=pyhanko_signer,
            field_name="Remote",
            options=pades.SignatureOptions(timestamper=tsa.local_authority()),
        )
    assert service.calls == 1
    report = verify_pdf(
        io.BytesIO(signed).getvalue(),
        trust_roots=services.trust_roots(),
        other_certs=services.intermediate_certificates(),
    )
    assert report.status == "valid" and report.signatures[0].signer_name == "Karim Benali"
