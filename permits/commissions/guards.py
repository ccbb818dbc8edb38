"""What the file's workflow asks the commissions before a decision, a signature and a publication: the guards of
`permits.workflow`'s DECIDE, SIGN and PUBLISH, and the quorum rule every reader of a session applies.

- `quorum_shortfall(session=, present=)`: why the members present do not make the quorum (too few, or an agency
  that must be present is absent), or None;
- `decision_shortfall(dossier=, examination_id=)`: why the file may not be decided from that examination: none
  named, not the file's, a cancelled session, a commission not in charge of the procedure, an attendance not
  recorded, or no quorum now;
- `examination_to_decide(dossier=)`: the file's latest examination when the file may be decided from it now (what the
  president is offered), else None;
- `signatures_shortfall(dossier=)`: why the file is not signed: no output to sign, a signature request still
  pending, or the latest version of an output whose PAdES signatures (one per request, by field name) do not all
  verify with `gis_core.signing` (integrity, trust in the configured roots, timestamp, nothing changed after).

They read and never write; they import neither the workflow nor the commissions' services (the workflow imports
them). A guard answers with the sentence the refusal shows, or None.
"""

from collections.abc import Iterable

from gis_core.signing.services import document_verify, latest_version
from permits.commissions.errors import QuorumNotReached
from permits.commissions.models import (
    Attendance,
    CommissionMember,
    Examination,
    OutputDocument,
    OutputKind,
    Session,
    SessionStatus,
    SignatureStatus,
)
from permits.models import Dossier

LEGAL_PATH = (
    "a file is decided only from its examination in a session of its commission whose attendance was recorded with "
    "the quorum: book a slot, record the attendance and the joint opinion, then the president decides from the "
    "session"
)


def quorum_shortfall(*, session: Session, present: Iterable[CommissionMember]) -> QuorumNotReached | None:
    """Too few members present, or an agency that must be present is absent (members read with their agency)."""
    present = list(present)
    commission = session.commission
    if len(present) < commission.quorum_minimum_members:
        return QuorumNotReached(
            f"{len(present)} member(s) present, {commission.quorum_minimum_members} required",
            present=len(present),
            required=commission.quorum_minimum_members,
        )
    missing = sorted(
        set(commission.required_agencies.values_list("code", flat=True)) - {member.agency.code for member in present}
    )
    if missing:
        return QuorumNotReached("agencies that must be present are absent", missing_agencies=missing)
    return None


def decision_shortfall(*, dossier: Dossier, examination_id: int | None) -> str | None:
    """Why the file may not be decided from the examination `examination_id` now (None: it may)."""
    if examination_id is None:
        return LEGAL_PATH
    examination = (
        Examination.objects.select_related("session__commission")
        .filter(pk=examination_id, dossier_id=dossier.pk)
        .first()
    )
    if examination is None:
        return f"{LEGAL_PATH} (this examination is not the file's)"
    session = examination.session
    if session.status == SessionStatus.CANCELLED:
        return f"{LEGAL_PATH} (the session was cancelled)"
    if not session.commission.procedures.filter(pk=dossier.procedure_id).exists():
        return f"{LEGAL_PATH} (this commission does not examine the file's procedure)"
    attendances = list(Attendance.objects.filter(session=session).select_related("member__agency"))
    if not attendances:
        return f"{LEGAL_PATH} (the session's attendance is not recorded)"
    shortfall = quorum_shortfall(session=session, present=[row.member for row in attendances if row.present])
    if shortfall is not None:
        return f"{LEGAL_PATH} (no quorum: {shortfall.detail or shortfall})"
    return None


def examination_to_decide(*, dossier: Dossier) -> int | None:
    """The id of the file's latest examination if `decision_shortfall` finds nothing against it now, else None."""
    latest = (
        Examination.objects.filter(dossier_id=dossier.pk)
        .exclude(session__status=SessionStatus.CANCELLED)
        .order_by("-session__starts_at", "-recorded_at")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None or decision_shortfall(dossier=dossier, examination_id=latest) is not None:
        return None
    return latest


def signatures_shortfall(*, dossier: Dossier) -> str | None:
    """Why the file is not signed yet (None: every signature its outputs need is given and verifies)."""
    outputs = list(
        OutputDocument.objects.filter(dossier=dossier)
        .exclude(kind=OutputKind.AGENDA)
        .prefetch_related("signature_requests")
        .order_by("created_at", "id")
    )
    requests = [request for output in outputs for request in output.signature_requests.all()]
    if not requests:
        return "the file has no decision document to sign: it is signed through the signatures of its decision"
    waiting = [request for request in requests if request.status != SignatureStatus.SIGNED]
    if waiting:
        return f"{len(waiting)} signature(s) of the decision's documents are awaited"
    for output in outputs:
        required = {request.field_name for request in output.signature_requests.all()}
        if not required:
            continue
        document = latest_version(output.lineage)
        report = document_verify(document=document)
        verified = {signature.field_name for signature in report.signatures if signature.ok}
        if not report.valid or not required <= verified:
            missing = sorted(required - verified)
            return (
                f"the {output.get_kind_display()} ({document.original_filename}, version {document.version})"
                f" does not verify ({report.status}; signatures not verified: {', '.join(missing) or 'none'})"
            )
    return None
