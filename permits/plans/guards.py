"""What the remarks' machine asks of the plan review: a remark is closed only when every annotation linked to it
on the latest version of its plan is resolved or withdrawn (those of older versions were carried forward, and
their copies are the ones that count)."""

from permits.errors import IllegalTransition
from permits.machines import Context
from permits.models import Remark
from permits.plans.models import AnnotationStatus, PlanAnnotation


class RemarkAnnotationsOpen(IllegalTransition):
    """A remark asked to close while annotations linked to it are still open (409, `open_annotations`)."""


def remark_annotations_settled(remark: Remark, context: Context) -> IllegalTransition | None:
    """None when the remark may be closed as far as its annotations go; the 409 error otherwise."""
    open_ids = list(
        PlanAnnotation.objects.filter(
            remark=remark,
            status=AnnotationStatus.OPEN,
            document__stored_document__superseded_by__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not open_ids:
        return None
    return RemarkAnnotationsOpen(
        f"this remark has open annotations ({', '.join(map(str, open_ids))}): resolve or withdraw them first",
        open_annotations=open_ids,
    )
