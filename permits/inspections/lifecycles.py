"""The lifecycle of a site inspection: its state machine (`permits.machines`), the only writer of its status.

- proposed (by the desk or an inspector) -> confirmed by the applicant, or another date asked;
- a proposed, confirmed or asked-again inspection is rescheduled by the staff (proposed again, new date) or
  cancelled;
- a confirmed inspection is closed by its inspector once every checklist item is answered and the verdict given
  (a "not conform" verdict lists the deviations): closed is final, the report immutable.
"""

from enum import StrEnum

from gis_core.problems import DomainError
from permits.inspections.errors import InspectionConflict
from permits.inspections.models import Inspection, InspectionStatus, Verdict
from permits.machines import Context, Machine, Transition

Status = InspectionStatus
OPEN = frozenset({Status.PROPOSED, Status.RESCHEDULE_REQUESTED, Status.CONFIRMED})


class InspectionAction(StrEnum):
    CONFIRM = "confirm"
    ASK_OTHER_DATE = "ask_other_date"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    CLOSE = "close"


def _not_possible(inspection: Inspection, context: Context) -> DomainError:
    action = context.get("action", "this action")
    return InspectionConflict(
        f"{action} is not possible on an inspection that is {inspection.status}", status_now=inspection.status
    )


def checklist_answered(inspection: Inspection, context: Context) -> DomainError | None:
    missing: list[str] = list(context.get("unanswered_items", []))
    if missing:
        return InspectionConflict("every item of the checklist must be answered first", unanswered=missing)
    return None


def verdict_given(inspection: Inspection, context: Context) -> DomainError | None:
    if inspection.verdict not in Verdict.values:
        return InspectionConflict("the report needs a verdict (conform, minor deviations, not conform)")
    if inspection.verdict == Verdict.NOT_CONFORM and not inspection.deviations.strip():
        return InspectionConflict("a 'not conform' verdict must list the deviations")
    return None


INSPECTION = Machine[Inspection](
    transitions=(
        Transition(InspectionAction.CONFIRM, frozenset({Status.PROPOSED}), Status.CONFIRMED, _not_possible),
        Transition(
            InspectionAction.ASK_OTHER_DATE,
            frozenset({Status.PROPOSED, Status.CONFIRMED}),
            Status.RESCHEDULE_REQUESTED,
            _not_possible,
        ),
        Transition(InspectionAction.RESCHEDULE, OPEN, Status.PROPOSED, _not_possible),
        Transition(InspectionAction.CANCEL, OPEN, Status.CANCELLED, _not_possible),
        Transition(
            InspectionAction.CLOSE,
            frozenset({Status.CONFIRMED}),
            Status.CLOSED,
            _not_possible,
            (checklist_answered, verdict_given),
        ),
    )
)
