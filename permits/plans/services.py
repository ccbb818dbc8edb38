"""Writes of the plan review, each in one transaction that locks the file, checks the actor's role over it, and
writes its audit event (`plan.*`, published on the bus: `events.py`). Refusals for lack of role (403) are audited
after the rollback (`permits.refusals`).

Who does what:
- reviewers annotate and calibrate: the desk (an administrator acting as one), the commission president, an
  inspector of the file's commune, and a commission member whose agency the file was dispatched to; the colour
  comes from the role they act in (`models.ROLE_COLOURS`). The applicant's side is read-only;
- only the latest version of a document is annotated or calibrated (409 on an older one, whose marks are frozen;
  they were carried forward to the new version: `carry.py`);
- an annotation is changed, resolved, reopened or withdrawn by its author or the desk; a remark is created from it
  by the desk (through `permits.services.remarks.remark_issue`), linked both ways.
Measurements are computed here from the page's calibration (`measure.py`), never taken from the client.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from gis_core.documents.models import StoredDocument
from permits import access
from permits.errors import IllegalTransition, PermissionDenied
from permits.models import Consultation, Dossier, DossierDocument, Remark, RemarkStatus, Role
from permits.plans import events  # noqa: F401  (declares the events published here)
from permits.plans.geometry import InvalidPlanInput, annotation_points_check, points_check
from permits.plans.lifecycles import ACTION_TO, ANNOTATION, AnnotationAction
from permits.plans.measure import distance, measurement, metres_per_point_calibrated, metres_per_point_declared
from permits.plans.models import (
    AnnotationKind,
    AnnotationStatus,
    AuthorRole,
    CalibrationMethod,
    PlanAnnotation,
    PlanCalibration,
    Stamp,
)
from permits.plans.pages import page_count_of, plan_page_box
from permits.refusals import refusals_audited
from permits.services.common import audit_and_publish, dossier_lock
from permits.services.remarks import remark_issue

MAX_TEXT = 4000
MAX_SCALE_DENOMINATOR = 100_000
MAX_CALIBRATION_LENGTH_M = 100_000.0
MIN_CALIBRATION_POINTS_APART = 1.0  # points: a dimension drawn shorter than this cannot be measured on


def _of_document(arguments: Mapping[str, Any]) -> int | None:
    document = arguments.get("document")
    return getattr(document, "dossier_id", None)


def _of_annotation(arguments: Mapping[str, Any]) -> int | None:
    annotation = arguments.get("annotation")
    document = getattr(annotation, "document", None)
    return getattr(document, "dossier_id", None)


def reviewer_role(actor: Any, dossier: Dossier) -> str | None:
    """The role in which `actor` reviews the file's plans, or None (the applicant's side, anyone else)."""
    if access.holds_role(actor, dossier, Role.DESK_AGENT):
        return AuthorRole.DESK
    if access.holds_role(actor, dossier, Role.COMMISSION_PRESIDENT):
        return AuthorRole.PRESIDENT
    if access.holds_role(actor, dossier, Role.INSPECTOR):
        return AuthorRole.INSPECTOR
    agencies = access.member_agencies(actor, dossier)
    if agencies and Consultation.objects.filter(dossier=dossier, agency_id__in=agencies).exists():
        return AuthorRole.MEMBER
    return None


def _require_reviewer(actor: Any, dossier: Dossier) -> str:
    role = reviewer_role(actor, dossier)
    if role is None:
        raise PermissionDenied("only the file's reviewers annotate and calibrate its plans; this side is read-only")
    return role


def _require_latest(document: DossierDocument) -> None:
    if StoredDocument.objects.filter(supersedes_id=document.stored_document_id).exists():
        raise IllegalTransition(
            f"document {document.pk} is an older version: only the latest version of a plan is annotated",
            document=document.pk,
        )


def _require_author_or_desk(actor: Any, annotation: PlanAnnotation, dossier: Dossier) -> None:
    if annotation.author_id != actor.pk and not access.holds_role(actor, dossier, Role.DESK_AGENT):
        raise PermissionDenied("only the annotation's author or the desk may change it")


def _locked(annotation: PlanAnnotation) -> tuple[Dossier, PlanAnnotation]:
    dossier = dossier_lock(dossier=annotation.document.dossier_id)
    locked = (
        PlanAnnotation.objects.select_for_update(of=("self",))
        .select_related("document__stored_document")
        .get(pk=annotation.pk)
    )
    return dossier, locked


def _metres_per_point(document: DossierDocument, page: int) -> float | None:
    return (
        PlanCalibration.objects.filter(document=document, page=page).values_list("metres_per_point", flat=True).first()
    )


def _text_check(kind: str, text: str, stamp: str) -> None:
    if len(text) > MAX_TEXT:
        raise InvalidPlanInput(f"text: at most {MAX_TEXT} characters", errors={"text": ["too long"]})
    if kind == AnnotationKind.TEXT and not text.strip():
        raise InvalidPlanInput("text: a text annotation needs a text", errors={"text": ["required"]})
    if kind == AnnotationKind.STAMP and stamp not in Stamp.values:
        raise InvalidPlanInput(
            f"stamp: one of {', '.join(Stamp.values)}", errors={"stamp": [f"one of {', '.join(Stamp.values)}"]}
        )
    if kind != AnnotationKind.STAMP and stamp:
        raise InvalidPlanInput("stamp: only a stamp annotation has one", errors={"stamp": ["only for kind stamp"]})


def _linkable_remark(remark: Remark | int | None, dossier: Dossier) -> Remark | None:
    if remark is None:
        return None
    remark_id = remark if isinstance(remark, int) else remark.pk
    found = Remark.objects.filter(pk=remark_id, dossier=dossier).first()
    if found is None:
        raise InvalidPlanInput(f"remark: no remark {remark_id} on this file", errors={"remark": ["not on this file"]})
    if found.status == RemarkStatus.CLOSED:
        raise IllegalTransition(f"remark {remark_id} is closed: an annotation cannot be linked to it")
    return found


@refusals_audited("plan.annotate", dossier_of=_of_document)
@transaction.atomic
def plan_annotate(
    *,
    actor: Any,
    address: str | None,
    document: DossierDocument,
    page: int,
    kind: str,
    points: Any,
    text: str = "",
    stamp: str = "",
    remark: Remark | int | None = None,
) -> PlanAnnotation:
    """A reviewer marks page `page` of the latest version `document`; the measurement is computed here."""
    dossier = dossier_lock(dossier=document.dossier_id)
    role = _require_reviewer(actor, dossier)
    _require_latest(document)
    if kind not in AnnotationKind.values:
        raise InvalidPlanInput(f"kind: one of {', '.join(AnnotationKind.values)}", errors={"kind": ["unknown kind"]})
    if not 1 <= page <= page_count_of(document):
        raise InvalidPlanInput(
            f"page: the document has {page_count_of(document)} pages", errors={"page": ["no such page"]}
        )
    box = plan_page_box(document=document, page=page)
    checked = annotation_points_check(kind, points, width_pt=box.width_pt, height_pt=box.height_pt)
    _text_check(kind, text, stamp)
    linked = _linkable_remark(remark, dossier)
    annotation = PlanAnnotation.objects.create(
        document=document,
        page=page,
        kind=kind,
        points=checked,
        text=text,
        stamp=stamp,
        author=actor,
        author_role=role,
        remark=linked,
        measurement=measurement(kind, checked, _metres_per_point(document, page)),
    )
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="plan.annotation_created",
        payload={
            "annotation": annotation.pk,
            "document": document.pk,
            "page": page,
            "kind": kind,
            "remark": linked.pk if linked else None,
        },
    )
    return annotation


def _audit_updated(
    *, dossier: Dossier, actor: Any, address: str | None, annotation: PlanAnnotation, changed: list[str]
) -> None:
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="plan.annotation_updated",
        payload={
            "annotation": annotation.pk,
            "document": annotation.document_id,
            "changed": changed,
            "status": annotation.status,
            "remark": annotation.remark_id,
        },
    )


@refusals_audited("plan.annotation_update", dossier_of=_of_annotation)
@transaction.atomic
def plan_annotation_update(
    *,
    actor: Any,
    address: str | None,
    annotation: PlanAnnotation,
    points: Any = None,
    text: str | None = None,
    status: str | None = None,
) -> PlanAnnotation:
    """Its author or the desk moves an annotation, edits its text, resolves or reopens it (latest version only)."""
    dossier, annotation = _locked(annotation)
    _require_author_or_desk(actor, annotation, dossier)
    _require_latest(annotation.document)
    if annotation.status == AnnotationStatus.WITHDRAWN:
        raise IllegalTransition("this annotation is withdrawn", annotation_status=annotation.status)
    changed: list[str] = []
    if points is not None:
        box = plan_page_box(document=annotation.document, page=annotation.page)
        annotation.points = annotation_points_check(
            annotation.kind, points, width_pt=box.width_pt, height_pt=box.height_pt
        )
        annotation.measurement = measurement(
            annotation.kind, annotation.points, _metres_per_point(annotation.document, annotation.page)
        )
        changed += ["points", "measurement"]
    if text is not None:
        _text_check(annotation.kind, text, annotation.stamp)
        annotation.text = text
        changed.append("text")
    if changed:
        annotation.save(update_fields=[*changed, "updated_at"])
    if status is not None and status != annotation.status:
        if status not in ACTION_TO:
            raise InvalidPlanInput("status: open or resolved", errors={"status": ["open or resolved"]})
        ANNOTATION.apply(record=annotation, action=ACTION_TO[status], changes={"updated_at": annotation.updated_at})
        changed.append("status")
    _audit_updated(dossier=dossier, actor=actor, address=address, annotation=annotation, changed=changed)
    return annotation


@refusals_audited("plan.annotation_withdraw", dossier_of=_of_annotation)
@transaction.atomic
def plan_annotation_withdraw(*, actor: Any, address: str | None, annotation: PlanAnnotation) -> PlanAnnotation:
    """Its author or the desk withdraws an annotation: kept with status `withdrawn`, hidden by the viewer."""
    dossier, annotation = _locked(annotation)
    _require_author_or_desk(actor, annotation, dossier)
    _require_latest(annotation.document)
    ANNOTATION.apply(record=annotation, action=AnnotationAction.WITHDRAW, changes={})
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="plan.annotation_withdrawn",
        payload={"annotation": annotation.pk, "document": annotation.document_id},
    )
    return annotation


@refusals_audited("plan.annotation_remark", dossier_of=_of_annotation)
@transaction.atomic
def plan_annotation_remark(*, actor: Any, address: str | None, annotation: PlanAnnotation, text: str) -> Remark:
    """The desk turns an annotation into a remark of the file (`remark_issue`: the file must take remarks now);
    the remark's `location` names the document, page and annotation, and the annotation links the remark."""
    dossier, annotation = _locked(annotation)
    if not access.holds_role(actor, dossier, Role.DESK_AGENT):
        raise PermissionDenied("only the desk creates a remark from an annotation")
    _require_latest(annotation.document)
    if annotation.status == AnnotationStatus.WITHDRAWN:
        raise IllegalTransition("this annotation is withdrawn", annotation_status=annotation.status)
    if annotation.remark_id is not None:
        raise IllegalTransition(
            f"this annotation is linked to remark {annotation.remark_id} already", remark=annotation.remark_id
        )
    remark = remark_issue(
        actor=actor,
        address=address,
        dossier=dossier,
        text=text,
        document_reference=str(annotation.document_id),
        location={"document": annotation.document_id, "page": annotation.page, "annotation": annotation.pk},
    )
    annotation.remark = remark
    annotation.save(update_fields=["remark", "updated_at"])
    _audit_updated(dossier=dossier, actor=actor, address=address, annotation=annotation, changed=["remark"])
    return remark


def _calibration_values(
    *, method: str, scale_denominator: Any, points: Any, length_m: Any, width_pt: float, height_pt: float
) -> dict[str, Any]:
    if method == CalibrationMethod.DECLARED:
        if not isinstance(scale_denominator, int) or isinstance(scale_denominator, bool):
            raise InvalidPlanInput(
                "scale_denominator: an integer N of the scale 1:N", errors={"scale_denominator": ["required"]}
            )
        if not 1 <= scale_denominator <= MAX_SCALE_DENOMINATOR:
            raise InvalidPlanInput(
                f"scale_denominator: from 1 to {MAX_SCALE_DENOMINATOR}", errors={"scale_denominator": ["out of range"]}
            )
        return {
            "metres_per_point": metres_per_point_declared(scale_denominator),
            "scale_denominator": scale_denominator,
            "points": None,
            "length_m": None,
        }
    if method != CalibrationMethod.CALIBRATED:
        raise InvalidPlanInput("method: declared or calibrated", errors={"method": ["declared or calibrated"]})
    checked = points_check(points, width_pt=width_pt, height_pt=height_pt, fewest=2, most=2)
    if (
        not isinstance(length_m, int | float)
        or isinstance(length_m, bool)
        or not 0 < length_m <= MAX_CALIBRATION_LENGTH_M
    ):
        raise InvalidPlanInput(
            f"length_m: a length in metres, above 0 and at most {MAX_CALIBRATION_LENGTH_M:g}",
            errors={"length_m": ["out of range"]},
        )
    if distance(checked[0], checked[1]) < MIN_CALIBRATION_POINTS_APART:
        raise InvalidPlanInput("points: the two ends of the dimension are too close", errors={"points": ["too close"]})
    return {
        "metres_per_point": metres_per_point_calibrated(checked[0], checked[1], float(length_m)),
        "scale_denominator": None,
        "points": checked,
        "length_m": float(length_m),
    }


@refusals_audited("plan.calibrate", dossier_of=_of_document)
@transaction.atomic
def plan_calibrate(
    *,
    actor: Any,
    address: str | None,
    document: DossierDocument,
    page: int,
    method: str,
    scale_denominator: int | None = None,
    points: Any = None,
    length_m: float | None = None,
) -> PlanCalibration:
    """A reviewer sets the scale of a page of the latest version: declared (1:N) or calibrated on a dimension of
    known length; the measurements of the page's annotations are computed again."""
    dossier = dossier_lock(dossier=document.dossier_id)
    _require_reviewer(actor, dossier)
    _require_latest(document)
    box = plan_page_box(document=document, page=page)
    values = _calibration_values(
        method=method,
        scale_denominator=scale_denominator,
        points=points,
        length_m=length_m,
        width_pt=box.width_pt,
        height_pt=box.height_pt,
    )
    calibration, _ = PlanCalibration.objects.update_or_create(
        document=document, page=page, defaults={"method": method, "set_by": actor, **values}
    )
    measured = 0
    for annotation in PlanAnnotation.objects.filter(document=document, page=page).select_for_update():
        annotation.measurement = measurement(annotation.kind, annotation.points, calibration.metres_per_point)
        annotation.save(update_fields=["measurement", "updated_at"])
        measured += annotation.measurement is not None
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="plan.calibration_set",
        payload={
            "document": document.pk,
            "page": page,
            "method": method,
            "metres_per_point": calibration.metres_per_point,
            "annotations_measured": measured,
        },
    )
    return calibration
