"""Reads of the site inspections for the pages: a file's inspections, the current one, its checklist (answered or
not), its photos with their positions as GeoJSON, the closed report's latest (signed) version, and the inspections
of the back office's territory by date."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from gis_core.documents.models import StoredDocument
from gis_core.signing.services import latest_version
from permits import selectors as permit_selectors
from permits.inspections.guards import inspection_required, latest_inspection
from permits.inspections.lifecycles import OPEN
from permits.inspections.models import (
    ChecklistAnswer,
    ChecklistItem,
    Inspection,
    InspectionPhoto,
    InspectionStatus,
)
from permits.models import Dossier

REPORT_FIELD = "inspector"  # the PDF signature field of the inspector's signature of the closed report

__all__ = [
    "ChecklistRow",
    "checklist_for",
    "closed_reports_for",
    "inspection_current",
    "inspection_get",
    "inspection_required",
    "inspections_for",
    "inspections_upcoming_for",
    "inspectors_for",
    "photo_get",
    "photos_for",
    "photos_geojson",
    "report_is_signed",
    "report_latest_version",
    "reports_to_sign",
]


def inspections_for(*, dossier: Dossier) -> QuerySet[Inspection]:
    return Inspection.objects.filter(dossier=dossier).select_related("inspector", "proposed_by", "report")


def inspection_current(*, dossier: Dossier) -> Inspection | None:
    """The file's latest inspection that is not cancelled (open, or closed)."""
    return latest_inspection(dossier=dossier)


def inspection_get(*, dossier: Dossier, inspection_id: int) -> Inspection | None:
    return inspections_for(dossier=dossier).filter(pk=inspection_id).first()


@dataclass(frozen=True)
class ChecklistRow:
    code: str
    label_fr: str
    label_ar: str
    label_en: str
    result: str
    comment: str


def checklist_for(*, inspection: Inspection) -> list[ChecklistRow]:
    """The checklist as the report shows it: the answers as given (a closed report), else the catalogue's items
    with their answers so far."""
    answers = {answer.item_code: answer for answer in ChecklistAnswer.objects.filter(inspection=inspection)}
    if inspection.status == InspectionStatus.CLOSED:
        return [
            ChecklistRow(a.item_code, a.label_fr, a.label_ar, a.label_en, a.result, a.comment)
            for a in sorted(answers.values(), key=lambda a: (a.order, a.item_code))
        ]
    rows = []
    for item in ChecklistItem.objects.filter(procedure_id=inspection.dossier.procedure_id):
        answer = answers.get(item.code)
        rows.append(
            ChecklistRow(
                item.code,
                item.label_fr,
                item.label_ar,
                item.label_en,
                answer.result if answer else "",
                answer.comment if answer else "",
            )
        )
    return rows


def photos_for(*, inspection: Inspection) -> QuerySet[InspectionPhoto]:
    return InspectionPhoto.objects.filter(inspection=inspection).select_related("document")


def photos_geojson(*, inspection: Inspection) -> dict[str, Any]:
    """The photos with a position, as a GeoJSON FeatureCollection for the report's map."""
    features = []
    for number, photo in enumerate(photos_for(inspection=inspection), start=1):
        position = photo.position
        if position is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(position.x, 7), round(position.y, 7)]},
                "properties": {"number": number, "source": photo.position_source, "caption": photo.caption},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def report_latest_version(*, inspection: Inspection) -> StoredDocument | None:
    """The closed report's latest version (signed by the inspector once the signature is applied)."""
    if inspection.report is None:
        return None
    return latest_version(inspection.report.lineage)


def inspections_upcoming_for(*, user: Any) -> QuerySet[Inspection]:
    """The open inspections of the files the user may see (the back office's territory), soonest first."""
    visible = permit_selectors.dossiers_visible_to(user=user).values("pk")
    return (
        Inspection.objects.filter(dossier_id__in=visible, status__in=list(OPEN))
        .select_related("dossier", "inspector")
        .order_by("starts_at")
    )


def inspectors_for(*, dossier: Dossier) -> QuerySet[Any]:
    """The active inspectors whose territory covers the file's commune (or national ones)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from permits import access
    from permits.models import Role, RoleMembership

    scope = access.commune_ancestry(dossier)
    members = (
        RoleMembership.objects.filter(role=Role.INSPECTOR, active=True)
        .filter(Q(territory__isnull=True) | Q(territory_id__in=scope))
        .values("user_id")
    )
    return get_user_model().objects.filter(pk__in=members, is_active=True).order_by("last_name", "username")


def photo_get(*, inspection: Inspection, photo_id: int) -> InspectionPhoto | None:
    return photos_for(inspection=inspection).filter(pk=photo_id).first()


def closed_reports_for(*, dossier_ids: list[int]) -> dict[int, Inspection]:
    """The latest closed inspection of each file (for the commission's session page), by file id."""
    closed: dict[int, Inspection] = {}
    for inspection in (
        Inspection.objects.filter(dossier_id__in=dossier_ids, status=InspectionStatus.CLOSED)
        .select_related("report", "closed_by")
        .order_by("dossier_id", "-closed_at")
    ):
        closed.setdefault(inspection.dossier_id, inspection)
    return closed


def report_is_signed(*, inspection: Inspection) -> bool:
    """Whether the inspector's PAdES signature of the closed report is applied."""
    from gis_core.signing.models import SignatureRecord

    if inspection.report is None:
        return False
    return SignatureRecord.objects.filter(lineage=inspection.report.lineage, field_name=REPORT_FIELD).exists()


def reports_to_sign(*, closed_before: datetime, closed_after: datetime) -> list[int]:
    """The inspections closed between the two instants whose report the inspector has not signed: their signature's
    task may have been lost (a broker outage when the closing committed). Older ones are left alone: an inspector
    without a certificate leaves the report stamped and unsigned for good, not to be tried forever."""
    from gis_core.signing.models import SignatureRecord

    signed = SignatureRecord.objects.filter(lineage=OuterRef("report__lineage"), field_name=REPORT_FIELD)
    waiting = Inspection.objects.filter(
        status=InspectionStatus.CLOSED,
        report__isnull=False,
        closed_at__lt=closed_before,
        closed_at__gte=closed_after,
    ).exclude(Exists(signed))
    return list(waiting.order_by("pk").values_list("pk", flat=True))
