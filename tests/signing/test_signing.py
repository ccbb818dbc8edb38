"""PAdES signatures in sequence: pyHanko's validator and poppler's pdfsig agree; tampering is caught."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from gis_core.documents.models import StoredDocument
from gis_core.signing import pades, services
from gis_core.signing.errors import SignatureFieldAlreadySigned, SignerUnavailable
from gis_core.signing.models import SignatureRecord
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.signers import signer_for
from gis_core.signing.verify import verify_pdf
from tests.signing.conftest import pdfsig
from tests.signing.pdf_factory import MARKER

pytestmark = pytest.mark.django_db


def sign_in_sequence(document: StoredDocument, users: list[Any]) -> StoredDocument:
    for number, user in enumerate(users, start=1):
        document = services.pdf_sign(
            document=document,
            signer=signer_for(user=user),
            field_name=f"Member{number}",
            reason="Procès-verbal de la commission",
            location="Casablanca",
            user=user,
        )
    return document


def test_three_signers_in_sequence_are_valid_for_pyhanko_and_pdfsig(
    pdf_document: Any, signer_users: list[Any], pki: DevelopmentPki, tmp_path: Path
) -> None:
    original = pdf_document(2)
    signed = sign_in_sequence(original, signer_users)

    assert signed.version == 4 and signed.lineage == original.lineage
    records = list(SignatureRecord.objects.filter(lineage=original.lineage).order_by("created_at"))
    assert [record.signer_name for record in records] == ["Amina El Idrissi", "Karim Benali", "Sara Ouazzani"]
    assert records[-1].revision_sha256 == signed.sha256
    assert all(len(record.certificate_sha256) == 64 and record.certificate_serial for record in records)
    assert records[0].signed_at <= records[1].signed_at <= records[2].signed_at

    data = services.document_bytes(signed)
    reader = PdfFileReader(io.BytesIO(data))
    context = pades.validation_context(
        trust_roots=services.trust_roots(), other_certs=services.intermediate_certificates()
    )
    assert len(reader.embedded_signatures) == 3
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, signer_validation_context=context)
        assert status.intact and status.valid and status.trusted and status.bottom_line, status.pretty_print_details()
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted

    report = services.document_verify(document=signed)
    assert report.status == "valid"
    assert [s.coverage for s in report.signatures] == ["entire_revision", "entire_revision", "entire_file"]

    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    output = pdfsig(path, pki)
    assert output.count("Signature is Valid") == 3, output
    assert output.count("Certificate is Trusted") == 3, output
    assert "Total document signed" in output, output  # the last signature covers the whole file


def test_signing_a_field_twice_is_refused(pdf_document: Any, signer_users: list[Any]) -> None:
    signed = sign_in_sequence(pdf_document(), signer_users[:1])
    with pytest.raises(SignatureFieldAlreadySigned):
        services.pdf_sign(document=signed, signer=signer_for(user=signer_users[1]), field_name="Member1")
    assert SignatureRecord.objects.count() == 1


def test_user_without_certificate_has_no_signer(db: None, django_user_model: Any) -> None:
    with pytest.raises(SignerUnavailable):
        signer_for(user=django_user_model.objects.create_user(username="nobody"))


def test_bytes_changed_inside_the_signed_range_are_altered(
    pdf_document: Any, signer_users: list[Any], pki: DevelopmentPki, tmp_path: Path
) -> None:
    signed = sign_in_sequence(pdf_document(), signer_users)
    data = services.document_bytes(signed)
    position = data.index(MARKER)
    tampered = data[:position] + b"X" + data[position + 1 :]  # same length: only the digest can tell

    report = services.document_verify(document=signed, data=tampered)
    assert report.altered and report.status == "altered" and report.matches_stored is False
    assert not any(signature.intact for signature in report.signatures)

    path = tmp_path / "tampered.pdf"
    path.write_bytes(tampered)
    output = pdfsig(path, pki)
    assert "Signature is Valid" not in output, output
    assert "Digest Mismatch" in output, output


def test_a_page_changed_by_an_incremental_update_after_signing_is_altered(
    pdf_document: Any, signer_users: list[Any], pki: DevelopmentPki, tmp_path: Path
) -> None:
    signed = sign_in_sequence(pdf_document(), signer_users)
    writer = IncrementalPdfFileWriter(io.BytesIO(services.document_bytes(signed)))
    from pyhanko.pdf_utils import generic

    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"0 0 0 rg 100 100 200 200 re f")))
    output_buffer = io.BytesIO()
    writer.write(output_buffer)
    modified = output_buffer.getvalue()

    report = verify_pdf(modified, trust_roots=services.trust_roots(), other_certs=services.intermediate_certificates())
    assert report.status == "altered"
    assert all(signature.intact for signature in report.signatures)  # the old bytes are still there...
    assert all(signature.modified_after for signature in report.signatures)  # ...but a page changed after

    path = tmp_path / "modified.pdf"
    path.write_bytes(modified)
    output = pdfsig(path, pki)
    assert "Total document signed" not in output, output  # no signature covers the changed page
    assert output.count("Not total document signed") == 3, output


def test_signatures_from_another_ca_are_not_trusted(pdf_document: Any, signer_users: list[Any], tmp_path: Path) -> None:
    signed = sign_in_sequence(pdf_document(), signer_users[:1])
    stranger = DevelopmentPki(tmp_path / "other-pki")
    report = verify_pdf(
        services.document_bytes(signed),
        trust_roots=[_asn1(stranger.root().certificate)],
    )
    assert report.status == "untrusted" and not report.signatures[0].trusted and report.signatures[0].intact


def _asn1(certificate: Any) -> Any:
    from asn1crypto import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.Certificate.load(certificate.public_bytes(Encoding.DER))
