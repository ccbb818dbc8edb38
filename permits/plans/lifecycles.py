"""The annotation's machine (`permits.machines`), the only writer of its status: open until resolved (and back),
withdrawn by its author or the desk for good (kept, never deleted)."""

from enum import StrEnum

from gis_core.problems import DomainError
from permits.errors import IllegalTransition
from permits.machines import Context, Machine, Transition
from permits.plans.models import AnnotationStatus, PlanAnnotation


class AnnotationAction(StrEnum):
    RESOLVE = "resolve"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"


def _refused(annotation: PlanAnnotation, context: Context) -> DomainError:
    return IllegalTransition(f"this annotation is {annotation.status}", annotation_status=annotation.status)


ANNOTATION = Machine[PlanAnnotation](
    transitions=(
        Transition(AnnotationAction.RESOLVE, frozenset({AnnotationStatus.OPEN}), AnnotationStatus.RESOLVED, _refused),
        Transition(AnnotationAction.REOPEN, frozenset({AnnotationStatus.RESOLVED}), AnnotationStatus.OPEN, _refused),
        Transition(
            AnnotationAction.WITHDRAW,
            frozenset({AnnotationStatus.OPEN, AnnotationStatus.RESOLVED}),
            AnnotationStatus.WITHDRAWN,
            _refused,
        ),
    )
)
#: The status a PATCH may ask for, and the action that reaches it.
ACTION_TO: dict[str, AnnotationAction] = {
    AnnotationStatus.RESOLVED: AnnotationAction.RESOLVE,
    AnnotationStatus.OPEN: AnnotationAction.REOPEN,
}
