"""Verification of signed PDFs with pyHanko's validator, framework-free: bytes in, a plain report out.

For each signature: integrity (the signed bytes hash to the signed digest), cryptographic validity, trust (the
signer's chain ends at one of `trust_roots`), the timestamp (time, validity, trust), how much of the file it
covers and what changed after it (pyHanko's difference analysis: later signatures and validation data are fine,
a changed page is not). A document is *valid* when it has signatures and each one passes all of these; it is
*altered* when any signature is broken or content changed after signing. `matches_stored` compares the copy's
SHA-256 with the stored version's when one is given.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from gis_core.signing.pades import validation_context
from gis_core.signing.signers import common_name

COVERAGE_NAMES = {
    SignatureCoverageLevel.ENTIRE_FILE: "entire_file",
    SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
    SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "contiguous_block",
    SignatureCoverageLevel.UNCLEAR: "unclear",
}
ACCEPTABLE_LATER_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)


@dataclass(frozen=True)
class SignatureReport:
    field_name: str
    signer_name: str
    certificate_subject: str
    certificate_sha256: str
    intact: bool
    valid: bool
    trusted: bool
    timestamp: datetime.datetime | None  # the TSA's time, when the signature is timestamped
    timestamp_ok: bool
    coverage: str  # entire_file | entire_revision | contiguous_block | unclear
    modified_after: bool  # content (not only signatures / validation data) changed after this signature
    ok: bool


@dataclass(frozen=True)
class VerificationReport:
    sha256: str
    readable: bool
    signatures: list[SignatureReport] = field(default_factory=list)
    matches_stored: bool | None = None

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def altered(self) -> bool:
        """Not a readable PDF, a broken signature, content changed after signing, or not the stored file."""
        return (
            not self.readable
            or any(not report.intact or report.modified_after for report in self.signatures)
            or self.matches_stored is False
        )

    @property
    def valid(self) -> bool:
        return self.signed and not self.altered and all(report.ok for report in self.signatures)

    @property
    def status(self) -> str:
        """One word for the page: valid | altered | untrusted | unsigned."""
        if self.altered:
            return "altered"
        if not self.signed:
            return "unsigned"
        return "valid" if self.valid else "untrusted"


def verify_pdf(
    data: bytes,
    *,
    trust_roots: Sequence[asn1_x509.Certificate],
    other_certs: Sequence[asn1_x509.Certificate] = (),
    stored_sha256: str | None = None,
) -> VerificationReport:
    """Check every signature of `data`; see the module docstring for what is checked."""
    sha256 = hashlib.sha256(data).hexdigest()
    matches = None if stored_sha256 is None else sha256 == stored_sha256
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError):
        return VerificationReport(sha256=sha256, readable=False, matches_stored=matches)
    reports = []
    for signature in embedded:
        context = validation_context(trust_roots=trust_roots, other_certs=other_certs)
        status = validate_pdf_signature(signature, signer_validation_context=context)
        certificate = status.signing_cert
        timestamp = status.timestamp_validity
        timestamp_ok = timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted
        level = status.modification_level
        modified_after = level is not None and level not in ACCEPTABLE_LATER_CHANGES
        if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
            modified_after = True
        reports.append(
            SignatureReport(
                field_name=str(signature.field_name),
                signer_name=common_name(certificate),
                certificate_subject=certificate.subject.human_friendly,
                certificate_sha256=hashlib.sha256(certificate.dump()).hexdigest(),
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                timestamp=timestamp.timestamp if timestamp is not None else None,
                timestamp_ok=bool(timestamp_ok),
                coverage=COVERAGE_NAMES.get(status.coverage, "unclear") if status.coverage else "unclear",
                modified_after=modified_after,
                ok=bool(status.bottom_line and timestamp_ok and not modified_after),
            )
        )
    return VerificationReport(sha256=sha256, readable=True, signatures=reports, matches_stored=matches)
