"""PAdES signing with pyHanko, framework-free: bytes in, signed bytes out.

Each call appends ONE incremental update (`IncrementalPdfFileWriter`) holding a new signature field and its
signature, so earlier signatures stay valid: several signers sign one PDF in sequence. Signatures are PAdES
baseline B-T (the signature is timestamped by an RFC 3161 TSA); with `embed_validation_info` they are B-LT:
the certificates of the signer and of the TSA (and revocation data when the CA publishes any; the development
CA publishes none) go into the document security store, so the signature can be checked offline for years.
`lock=True` on the last signature locks every field and forbids further changes (DocMDP "no changes").
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext

from gis_core.signing.errors import SignatureFieldAlreadySigned

DIGEST_ALGORITHM = "sha256"


@dataclass(frozen=True)
class SignatureOptions:
    """How to sign: timestamping, embedded validation data, locking, the field's appearance."""

    timestamper: TimeStamper | None
    validation_context: ValidationContext | None = None
    embed_validation_info: bool = True
    lock: bool = False


def validation_context(
    *, trust_roots: Iterable[asn1_x509.Certificate], other_certs: Iterable[asn1_x509.Certificate] = ()
) -> ValidationContext:
    """A validation context trusting `trust_roots` only, offline, tolerant of absent revocation data."""
    return ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=list(other_certs),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def sign_pdf(
    data: bytes,
    *,
    signer: signers.Signer,
    field_name: str,
    reason: str = "",
    location: str = "",
    name: str = "",
    contact_info: str = "",
    options: SignatureOptions,
) -> bytes:
    """Sign `data` in a new field `field_name` (refused if that field is already signed); returns the new bytes.
    `name` and `contact_info` fill the signature's /Name and /ContactInfo (a seal made for a person names them)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    existing = {name: value is not None for name, value, _ in fields.enumerate_sig_fields(writer.prev)}
    if existing.get(field_name):
        raise SignatureFieldAlreadySigned(f"The field {field_name!r} is already signed.", field_name=field_name)
    embed = options.embed_validation_info and options.validation_context is not None
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=DIGEST_ALGORITHM,
        reason=reason or None,
        location=location or None,
        name=name or None,
        contact_info=contact_info or None,
        subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=embed,
        validation_context=options.validation_context if embed else None,
        use_pades_lta=False,
        # validation data in the signature's own revision: the last signature still covers the whole file
        dss_settings=DSSContentSettings(placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False),
    )
    new_field = None
    if field_name not in existing:
        new_field = fields.SigFieldSpec(
            sig_field_name=field_name,
            field_mdp_spec=fields.FieldMDPSpec(fields.FieldMDPAction.ALL) if options.lock else None,
            doc_mdp_update_value=MDPPerm.NO_CHANGES if options.lock else None,
        )
    pdf_signer = signers.PdfSigner(metadata, signer=signer, timestamper=options.timestamper, new_field_spec=new_field)
    output = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=output)
    return output.getvalue()
