"""Carry-forward: when a revised version of a plan is uploaded (its stored document `supersedes` the previous
version's), the previous version's open and resolved annotations are copied to the new version (same page and
points, `carried_from` set, status kept: a resolved one is resolved again by its machine) and so are its page
calibrations. Pages the new version no longer has are left behind. Called by `permits.services.documents` in the
upload's transaction; audited as `plan.annotations_carried_forward` when anything was carried.
"""

from typing import Any

from permits.models import Dossier, DossierDocument
from permits.plans import events  # noqa: F401  (declares the events published here)
from permits.plans.lifecycles import ANNOTATION, AnnotationAction
from permits.plans.models import AnnotationStatus, PlanAnnotation, PlanCalibration
from permits.plans.pages import page_count_of
from permits.services.common import audit_and_publish


def plan_annotations_carry_forward(
    *, actor: Any, address: str | None, dossier: Dossier, previous: DossierDocument, document: DossierDocument
) -> list[PlanAnnotation]:
    """Copy `previous`'s live annotations and calibrations to `document` (its next version, of a locked file)."""
    pages = page_count_of(document)
    calibrations = [
        PlanCalibration(
            document=document,
            page=calibration.page,
            method=calibration.method,
            metres_per_point=calibration.metres_per_point,
            scale_denominator=calibration.scale_denominator,
            points=calibration.points,
            length_m=calibration.length_m,
            set_by_id=calibration.set_by_id,
        )
        for calibration in PlanCalibration.objects.filter(document=previous, page__lte=pages)
    ]
    PlanCalibration.objects.bulk_create(calibrations)
    carried: list[PlanAnnotation] = []
    live = (AnnotationStatus.OPEN, AnnotationStatus.RESOLVED)
    for source in PlanAnnotation.objects.filter(document=previous, page__lte=pages, status__in=live):
        copy = PlanAnnotation.objects.create(
            document=document,
            page=source.page,
            kind=source.kind,
            points=source.points,
            text=source.text,
            stamp=source.stamp,
            author_id=source.author_id,
            author_role=source.author_role,
            remark_id=source.remark_id,
            carried_from=source,
            measurement=source.measurement,
        )
        if source.status == AnnotationStatus.RESOLVED:
            ANNOTATION.apply(record=copy, action=AnnotationAction.RESOLVE)
        carried.append(copy)
    if carried or calibrations:
        audit_and_publish(
            dossier=dossier,
            actor=actor,
            address=address,
            action="plan.annotations_carried_forward",
            payload={
                "from_document": previous.pk,
                "document": document.pk,
                "annotations": len(carried),
                "calibrations": len(calibrations),
            },
        )
    return carried
