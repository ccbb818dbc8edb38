"""What the file's workflow asks the site inspections before a decision (DECIDE, DECIDE_WITHOUT_COMMISSION).

`inspection_shortfall(dossier=, decision=)`: for a procedure the catalogue marks `inspection: required`, the typed
refusal (`InspectionReportMissing`, 409, kept in the audit trail by `permits.refusals`) when the file's latest
inspection (cancelled ones aside) is not closed, is of an earlier instruction round (the applicant answered
remarks since: inspect again), or says "not conform" while the decision is not a refusal; None otherwise.

It reads and never writes; it imports neither the workflow nor the services (the workflow imports it).
"""

from permits.errors import AuditedConflict
from permits.inspections.models import Inspection, InspectionStatus, ProcedureInspection, Verdict
from permits.models import Decision, Dossier

RULE = (
    "a file of this procedure is decided only once its site inspection (récolement) report of the current round is "
    "closed with a verdict: schedule the inspection with the applicant, then the inspector closes the report"
)


class InspectionReportMissing(AuditedConflict):
    """The decision is asked before the site inspection's report allows it."""

    title = "The site inspection's report is not closed"


def inspection_required(*, dossier: Dossier) -> bool:
    return ProcedureInspection.objects.filter(procedure_id=dossier.procedure_id, required=True).exists()


def latest_inspection(*, dossier: Dossier) -> Inspection | None:
    return (
        Inspection.objects.filter(dossier_id=dossier.pk)
        .exclude(status=InspectionStatus.CANCELLED)
        .order_by("-created_at", "-id")
        .first()
    )


def inspection_shortfall(*, dossier: Dossier, decision: str | None) -> InspectionReportMissing | None:
    """Why the file may not be decided (as `decision`) for its site inspection, or None."""
    if not inspection_required(dossier=dossier):
        return None
    inspection = latest_inspection(dossier=dossier)
    details = {"action": "decide", "current_status": dossier.status, "rule": "site_inspection"}
    if inspection is None:
        return InspectionReportMissing(f"{RULE} (no inspection yet)", **details)
    if inspection.status != InspectionStatus.CLOSED:
        return InspectionReportMissing(
            f"{RULE} (the inspection is {inspection.status})", inspection=inspection.pk, **details
        )
    if inspection.round_number != dossier.current_round:
        return InspectionReportMissing(
            f"{RULE} (the closed report is of round {inspection.round_number}, the file is in round "
            f"{dossier.current_round}: inspect again)",
            inspection=inspection.pk,
            **details,
        )
    if inspection.verdict == Verdict.NOT_CONFORM and decision != Decision.UNFAVOURABLE:
        return InspectionReportMissing(
            "the site inspection found the work not conform to the authorised plans: the file is refused, or "
            "remarks are sent to the applicant and the site inspected again",
            inspection=inspection.pk,
            verdict=inspection.verdict,
            **details,
        )
    return None
