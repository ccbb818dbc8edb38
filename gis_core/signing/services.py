"""Writes of the signing kernel: stamp a document, sign it (each a new immutable version), issue tokens.

- `document_stamp(document=..., reference=..., purpose=...)`: a verification token for the document's lineage and
  a new version with the stamp + QR code on every page (before any signature).
- `pdf_sign(document=..., signer=..., field_name=...)`: a new version with one more PAdES signature (B-T, B-LT
  with `SIGNING_EMBED_VALIDATION_INFO`), and its `SignatureRecord`. Signing a field twice is refused
  (`SignatureFieldAlreadySigned`); concurrent signers of one document are serialised by a row lock.
- `pdf_sign_for_user(...)`: what the Celery task runs (`tasks.pdf_sign_task`, scheduled on commit by
  `tasks.pdf_sign_on_commit`): the signer of a user id on the latest version, a no-op when that field is already
  signed (idempotent).
The calling domain (permits) writes its own audit event from the returned `SignatureRecord`.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gis_core.documents.models import StoredDocument
from gis_core.documents.services import document_store, documents_storage
from gis_core.documents.validation import DocumentKind
from gis_core.signing import pades, stamp, tsa, verdicts
from gis_core.signing.errors import NotAPdf, SignatureFieldAlreadySigned
from gis_core.signing.models import SignatureRecord, VerificationPurpose, VerificationToken
from gis_core.signing.signers import Signer, common_name, signer_for
from gis_core.signing.verify import VerificationReport, verify_pdf

# --- trust --------------------------------------------------------------------------------------------------


@functools.cache
def _load_certificates(paths: tuple[str, ...]) -> tuple[asn1_x509.Certificate, ...]:
    from pyhanko.keys import load_certs_from_pemder

    return tuple(load_certs_from_pemder([path for path in paths if Path(path).exists()]))


def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The roots signatures must chain to: `SIGNING_TRUST_ROOTS` (PEM/DER files)."""
    return _load_certificates(tuple(str(path) for path in settings.SIGNING_TRUST_ROOTS))


def intermediate_certificates() -> tuple[asn1_x509.Certificate, ...]:
    """Intermediates that may be missing from a signature: `SIGNING_INTERMEDIATES`."""
    return _load_certificates(tuple(str(path) for path in settings.SIGNING_INTERMEDIATES))


def signature_options(*, lock: bool = False) -> pades.SignatureOptions:
    return pades.SignatureOptions(
        timestamper=tsa.timestamper(),
        validation_context=pades.validation_context(trust_roots=trust_roots(), other_certs=intermediate_certificates()),
        embed_validation_info=settings.SIGNING_EMBED_VALIDATION_INFO,
        lock=lock,
    )


# --- reading stored PDFs ------------------------------------------------------------------------------------


def document_bytes(document: StoredDocument) -> bytes:
    if document.kind != DocumentKind.PDF:
        raise NotAPdf("Only PDF documents can be stamped, signed or verified.")
    with documents_storage().open(document.storage_key, "rb") as handle:
        return handle.read()


def latest_version(lineage: Any) -> StoredDocument:
    return StoredDocument.objects.filter(lineage=lineage).order_by("-version")[0]


# --- tokens and stamps --------------------------------------------------------------------------------------


def verification_token_issue(*, document: StoredDocument, reference: str, purpose: str) -> VerificationToken:
    """The token of the document's lineage (created once; later calls return the same token)."""
    token, _created = VerificationToken.objects.get_or_create(
        lineage=document.lineage, defaults={"reference": reference[:120], "purpose": purpose}
    )
    return token


def verification_url(token: VerificationToken) -> str:
    """The public page of the token (absolute: `SIGNING_PUBLIC_BASE_URL` + the /verify/ path)."""
    path = reverse("signing:verify", kwargs={"token": token.token})
    return settings.SIGNING_PUBLIC_BASE_URL.rstrip("/") + path


def document_stamp(
    *,
    document: StoredDocument,
    reference: str,
    purpose: str = VerificationPurpose.PLAN,
    date: datetime.date | None = None,
    user: Any = None,
) -> StoredDocument:
    """A new version of `document` with the stamp and the QR code of its verification page on every page."""
    token = verification_token_issue(document=document, reference=reference, purpose=purpose)
    label = stamp.StampText(purpose=purpose, reference=reference, date=(date or timezone.localdate()).isoformat())
    stamped = stamp.stamp_pdf(
        document_bytes(document), url=verification_url(token), label=label, font_path=settings.SIGNING_STAMP_FONT
    )
    return document_store(
        stream=io.BytesIO(stamped),
        filename=document.original_filename,
        allowed_kinds=(DocumentKind.PDF,),
        supersedes=document,
        user=user,
    )


# --- signing ------------------------------------------------------------------------------------------------


def pdf_sign(
    *,
    document: StoredDocument,
    signer: Signer,
    field_name: str,
    reason: str = "",
    location: str = "",
    lock: bool = False,
    user: Any = None,
    name: str = "",
    contact_info: str = "",
) -> StoredDocument:
    """Sign `document` (its latest version) in `field_name`; returns the new version (see the module docstring).
    `name`/`contact_info`: the signature's /Name and /ContactInfo when they are not the certificate's holder."""
    with transaction.atomic():
        # one signer at a time per document: the others wait here, then see the new version (and refuse if stale)
        locked = StoredDocument.objects.select_for_update().get(pk=document.pk)
        if SignatureRecord.objects.filter(lineage=locked.lineage, field_name=field_name).exists():
            raise SignatureFieldAlreadySigned(f"The field {field_name!r} is already signed.", field_name=field_name)
        with signer.session() as pyhanko_signer:
            signed = pades.sign_pdf(
                document_bytes(locked),
                signer=pyhanko_signer,
                field_name=field_name,
                reason=reason,
                location=location,
                name=name,
                contact_info=contact_info,
                options=signature_options(lock=lock),
            )
            certificate = pyhanko_signer.signing_cert
        assert certificate is not None
        new_version = document_store(
            stream=io.BytesIO(signed),
            filename=locked.original_filename,
            allowed_kinds=(DocumentKind.PDF,),
            supersedes=locked,
            user=user,
        )
        SignatureRecord.objects.create(
            document=new_version,
            signed_from=locked,
            lineage=locked.lineage,
            field_name=field_name,
            signer_name=common_name(certificate)[:200],
            certificate_subject=certificate.subject.human_friendly[:500],
            certificate_issuer=certificate.issuer.human_friendly[:500],
            certificate_serial=format(certificate.serial_number, "x"),
            certificate_sha256=hashlib.sha256(certificate.dump()).hexdigest(),
            signed_at=_timestamp_of(signed, field_name) or timezone.now(),
            revision_sha256=hashlib.sha256(signed).hexdigest(),
        )
    return new_version


def _timestamp_of(data: bytes, field_name: str) -> datetime.datetime | None:
    """The TSA time in the signature of `field_name` (read back from the signed bytes)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    for signature in PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures:
        if signature.field_name == field_name:
            for signed_data in extract_tst_data_iter(signature.signer_info, signed=False):
                gen_time = signed_data["encap_content_info"]["content"].parsed["gen_time"].native
                return gen_time if isinstance(gen_time, datetime.datetime) else None
            return signature.self_reported_timestamp
    return None


def pdf_sign_for_user(
    *, document_id: Any, user_id: int, field_name: str, reason: str = "", location: str = "", lock: bool = False
) -> SignatureRecord:
    """Sign the latest version of `document_id`'s document as user `user_id`; no-op if `field_name` is signed."""
    document = StoredDocument.objects.get(pk=document_id)
    existing = SignatureRecord.objects.filter(lineage=document.lineage, field_name=field_name).first()
    if existing is not None:
        return existing
    user = get_user_model().objects.get(pk=user_id)
    try:
        signed = pdf_sign(
            document=latest_version(document.lineage),
            signer=signer_for(user=user),
            field_name=field_name,
            reason=reason,
            location=location,
            lock=lock,
            user=user,
        )
    except SignatureFieldAlreadySigned:  # signed meanwhile by a duplicate of this task
        return SignatureRecord.objects.get(lineage=document.lineage, field_name=field_name)
    return SignatureRecord.objects.get(document=signed)


# --- verification -------------------------------------------------------------------------------------------


def document_verify(*, document: StoredDocument, data: bytes | None = None) -> VerificationReport:
    """Verify the stored `document` or, with `data`, an uploaded copy compared with it.

    The verdict is kept (`gis_core.signing.verdicts`): the same bytes under the same trust roots are verified
    once; the stored document is not even read again from storage."""
    roots, others = trust_roots(), intermediate_certificates()
    content_sha256 = document.sha256 if data is None else hashlib.sha256(data).hexdigest()
    stored_sha256 = None if data is None else document.sha256
    key = verdicts.verdict_key(
        content_sha256=content_sha256, stored_sha256=stored_sha256, trust=verdicts.trust_fingerprint(roots + others)
    )

    def verify() -> VerificationReport:
        content = document_bytes(document) if data is None else data
        return verify_pdf(content, trust_roots=roots, other_certs=others, stored_sha256=stored_sha256)

    return verdicts.cached_verdict(key, verify)
