"""Reads: the signed documents a file's applicant receives once the file is published.

The file's own outputs only (those of its examination, or its service's decision), of the kinds in
`APPLICANT_KINDS`: the decision, the PV of the file's examination (the minutes template renders that one file: it is
the applicant's extract) and the stamped authorised plans; never the session's agenda, which lists other
applicants' files. Nothing is released before the file is published and every signature of its outputs is in;
each document is then its signed version (the version the last signer produced), with the public verification
token its QR code carries.
"""

from dataclasses import dataclass
from datetime import datetime

from gis_core.documents.models import StoredDocument
from gis_core.problems import NotFound
from gis_core.signing.models import VerificationToken
from permits import workflow
from permits.commissions.models import OutputDocument, OutputKind, SignatureRequest, SignatureStatus
from permits.commissions.selectors import dossier_signatures_complete
from permits.models import Dossier

APPLICANT_KINDS = (OutputKind.DECISION, OutputKind.MINUTES, OutputKind.PLAN)  # in the order they are listed


@dataclass(frozen=True)
class PublishedOutput:
    output_id: int
    kind: str
    number: int  # 1, 2... among the outputs of its kind (several plans)
    document: StoredDocument  # the signed version
    signed_at: datetime
    verification: VerificationToken | None  # its public page: `gis_core.signing.services.verification_url`


def documents_released(*, dossier: Dossier) -> bool:
    """The file is published and every signature of its outputs is in."""
    return dossier.status in workflow.PUBLISHABLE and dossier_signatures_complete(dossier=dossier)


def published_outputs_for(*, dossier: Dossier) -> list[PublishedOutput]:
    """The signed decision, PV extract and authorised plans of a published file; [] before (or for none)."""
    if not documents_released(dossier=dossier):
        return []
    outputs = list(OutputDocument.objects.filter(dossier=dossier, kind__in=APPLICANT_KINDS))
    last_signatures: dict[int, SignatureRequest] = {}
    requests = SignatureRequest.objects.filter(output__in=outputs, status=SignatureStatus.SIGNED)
    for request in requests.select_related("signed_document").order_by("output_id", "position"):
        last_signatures[request.output_id] = request
    tokens = {
        token.lineage: token
        for token in VerificationToken.objects.filter(lineage__in=[output.lineage for output in outputs])
    }
    published = []
    counts: dict[str, int] = {}
    for output in sorted(outputs, key=lambda item: (APPLICANT_KINDS.index(item.kind), item.created_at, item.pk)):
        signature = last_signatures.get(output.pk)
        if signature is None or signature.signed_document is None or signature.signed_at is None:
            continue
        counts[output.kind] = counts.get(output.kind, 0) + 1
        published.append(
            PublishedOutput(
                output_id=output.pk,
                kind=output.kind,
                number=counts[output.kind],
                document=signature.signed_document,
                signed_at=signature.signed_at,
                verification=tokens.get(output.lineage),
            )
        )
    return published


def published_output_get(*, dossier: Dossier, output_id: int) -> PublishedOutput:
    """One released document of the file; `NotFound` for anything else (not released yet, the agenda, another
    file's document, no such id): the cases cannot be told apart."""
    for item in published_outputs_for(dossier=dossier):
        if item.output_id == output_id:
            return item
    raise NotFound(f"There is no published document {output_id} in this file.")
