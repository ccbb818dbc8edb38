"""Writes of the site inspections: each runs in one transaction, locks the file then the inspection, checks the
actor's role over the file, runs the inspection's machine (`lifecycles.INSPECTION`), writes the audit event and
publishes the event of the same name (`events.py`; the notifications subscribe to them). Refusals for lack of
permission (403) are audited after the rollback (`permits.refusals`).

Who does what:
- the desk (a desk agent of the file's commune, or an administrator acting as one) or an inspector of the commune
  proposes the date, reschedules it (the applicant asked for another, or the staff must move it) or cancels it;
- the applicant (or their architect) confirms the date or asks for another one, with a message;
- the inspector of the commune writes the report (checklist, remarks, verdict, deviations), adds the photos taken
  on site and closes the report: it is rendered as a PDF, stamped with its verification QR code, and signed by the
  inspector (PAdES, `tasks.inspection_report_sign_task` after commit). A closed report never changes.
"""

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from gis_core.documents.selectors import document_open
from gis_core.documents.services import document_store
from gis_core.documents.validation import DocumentKind
from gis_core.signing.models import VerificationPurpose
from gis_core.signing.services import document_stamp
from permits import access, workflow
from permits.inspections import events  # noqa: F401  (declares the events published here)
from permits.inspections.errors import InspectionConflict, InvalidInspectionInput, PermissionDenied
from permits.inspections.exif import gps_position
from permits.inspections.guards import inspection_required
from permits.inspections.lifecycles import INSPECTION, OPEN, InspectionAction
from permits.inspections.models import (
    ChecklistAnswer,
    ChecklistItem,
    Inspection,
    InspectionPhoto,
    InspectionStatus,
    ItemResult,
    Verdict,
)
from permits.inspections.pdf import report_pdf
from permits.models import Dossier, Role
from permits.refusals import refusals_audited
from permits.services.common import audit_and_publish, dossier_lock

SCHEDULERS = (Role.DESK_AGENT, Role.INSPECTOR)
MIN_MINUTES, MAX_MINUTES = 15, 8 * 60
MAX_TEXT = 4000
PHOTO_MAX_BYTES = 15 * 1024 * 1024


def _of_inspection(arguments: Mapping[str, Any]) -> int | None:
    inspection = arguments.get("inspection")
    return getattr(inspection, "dossier_id", None)


def _locked(inspection: Inspection | int) -> tuple[Dossier, Inspection]:
    """The file, then the inspection, re-read under SELECT ... FOR UPDATE."""
    inspection_id = inspection if isinstance(inspection, int) else inspection.pk
    dossier_id = Inspection.objects.values_list("dossier_id", flat=True).get(pk=inspection_id)
    dossier = dossier_lock(dossier=dossier_id)
    return dossier, Inspection.objects.select_for_update(of=("self",)).get(pk=inspection_id)


def _require_staff(actor: Any, dossier: Dossier, action: str) -> None:
    if not any(access.holds_role(actor, dossier, role) for role in SCHEDULERS):
        raise PermissionDenied(f"only the desk or an inspector of the file's commune may {action}", action=action)


def _require_owner(actor: Any, dossier: Dossier, action: str) -> None:
    if not access.is_owner(actor, dossier):
        raise PermissionDenied(f"only the applicant (or their architect) may {action}", action=action)


def _require_inspector(actor: Any, dossier: Dossier, inspection: Inspection, action: str) -> None:
    if not access.holds_role(actor, dossier, Role.INSPECTOR):
        raise PermissionDenied(f"only an inspector of the file's commune may {action}", action=action)
    if inspection.inspector_id not in (None, actor.pk):
        raise PermissionDenied(f"this inspection is assigned to another inspector: you may not {action}", action=action)


def _future_start(starts_at: datetime | None, duration_minutes: int) -> datetime:
    if starts_at is None or timezone.is_naive(starts_at):
        raise InvalidInspectionInput("the date and time of the inspection are required (with their time zone)")
    if starts_at <= timezone.now():
        raise InvalidInspectionInput("the inspection must be scheduled in the future")
    if starts_at > timezone.now() + timedelta(days=366):
        raise InvalidInspectionInput("the inspection must be scheduled within a year")
    if not MIN_MINUTES <= duration_minutes <= MAX_MINUTES:
        raise InvalidInspectionInput(f"the visit lasts {MIN_MINUTES} to {MAX_MINUTES} minutes")
    return starts_at


def _text(value: str, *, label: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInspectionInput(f"{label} is required")
    if len(value) > MAX_TEXT:
        raise InvalidInspectionInput(f"{label} is longer than {MAX_TEXT} characters")
    return value


def _audit(
    *, dossier: Dossier, inspection: Inspection, actor: Any, address: str | None, action: str, **data: Any
) -> None:
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action=f"inspection.{action}",
        payload={"inspection": inspection.pk, "starts_at": inspection.starts_at.isoformat(), **data},
    )


# --- the appointment -----------------------------------------------------------------------------------------


@refusals_audited("inspection.propose")
@transaction.atomic
def inspection_propose(
    *,
    actor: Any,
    address: str | None,
    dossier: Dossier,
    starts_at: datetime | None,
    duration_minutes: int = 60,
    inspector: Any = None,
) -> Inspection:
    """The desk or an inspector proposes the date of the site inspection of a complete file not yet decided."""
    dossier = dossier_lock(dossier=dossier)
    if not inspection_required(dossier=dossier):
        raise InspectionConflict("this procedure has no site inspection")
    _require_staff(actor, dossier, "schedule the site inspection")
    if dossier.status not in workflow.BOOKABLE:
        raise InspectionConflict(
            f"a site inspection is scheduled once the file is complete and before its decision (it is {dossier.status})"
        )
    starts_at = _future_start(starts_at, duration_minutes)
    if inspector is not None and not access.holds_role(inspector, dossier, Role.INSPECTOR):
        raise InvalidInspectionInput("the inspector named is not an inspector of the file's commune")
    if Inspection.objects.filter(dossier=dossier, status__in=list(OPEN)).exists():
        raise InspectionConflict("the file already has an inspection scheduled: reschedule or cancel it")
    if Inspection.objects.filter(
        dossier=dossier, status=InspectionStatus.CLOSED, round_number=dossier.current_round
    ).exists():
        raise InspectionConflict(
            "the site was inspected in this round and its report is closed: a new inspection follows the applicant's "
            "reply to remarks (a new round)"
        )
    inspection = Inspection.objects.create(
        dossier=dossier,
        round_number=dossier.current_round,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        proposed_by=actor,
        inspector=inspector,
    )
    _audit(
        dossier=dossier,
        inspection=inspection,
        actor=actor,
        address=address,
        action="proposed",
        inspector=getattr(inspector, "pk", None),
        duration_minutes=duration_minutes,
    )
    return inspection


@refusals_audited("inspection.confirm", dossier_of=_of_inspection)
@transaction.atomic
def inspection_confirm(*, actor: Any, address: str | None, inspection: Inspection) -> Inspection:
    """The applicant confirms the proposed date."""
    dossier, inspection = _locked(inspection)
    _require_owner(actor, dossier, "confirm the inspection's date")
    INSPECTION.apply(
        record=inspection,
        action=InspectionAction.CONFIRM,
        context={"action": "confirming"},
        changes={"confirmed_at": timezone.now()},
    )
    _audit(dossier=dossier, inspection=inspection, actor=actor, address=address, action="confirmed")
    return inspection


@refusals_audited("inspection.ask_other_date", dossier_of=_of_inspection)
@transaction.atomic
def inspection_ask_other_date(*, actor: Any, address: str | None, inspection: Inspection, message: str) -> Inspection:
    """The applicant asks for another date, saying when they are available."""
    dossier, inspection = _locked(inspection)
    _require_owner(actor, dossier, "ask for another date")
    message = _text(message, label="the message (when you are available)", required=True)
    INSPECTION.apply(
        record=inspection,
        action=InspectionAction.ASK_OTHER_DATE,
        context={"action": "asking for another date"},
        changes={"applicant_message": message, "confirmed_at": None},
    )
    _audit(
        dossier=dossier, inspection=inspection, actor=actor, address=address, action="other_date_asked", message=message
    )
    return inspection


@refusals_audited("inspection.reschedule", dossier_of=_of_inspection)
@transaction.atomic
def inspection_reschedule(
    *,
    actor: Any,
    address: str | None,
    inspection: Inspection,
    starts_at: datetime | None,
    duration_minutes: int | None = None,
    reason: str = "",
) -> Inspection:
    """The staff proposes a new date (the applicant confirms it again)."""
    dossier, inspection = _locked(inspection)
    _require_staff(actor, dossier, "reschedule the site inspection")
    duration = duration_minutes or inspection.duration_minutes
    _future_start(starts_at, duration)
    reason = _text(reason, label="the reason")
    previous = inspection.starts_at
    INSPECTION.apply(
        record=inspection,
        action=InspectionAction.RESCHEDULE,
        context={"action": "rescheduling"},
        changes={"starts_at": starts_at, "duration_minutes": duration, "confirmed_at": None, "proposed_by": actor},
    )
    _audit(
        dossier=dossier,
        inspection=inspection,
        actor=actor,
        address=address,
        action="rescheduled",
        previous_starts_at=previous.isoformat(),
        reason=reason,
    )
    return inspection


@refusals_audited("inspection.cancel", dossier_of=_of_inspection)
@transaction.atomic
def inspection_cancel(*, actor: Any, address: str | None, inspection: Inspection, reason: str) -> Inspection:
    """The staff cancels the inspection (a new one may then be proposed)."""
    dossier, inspection = _locked(inspection)
    _require_staff(actor, dossier, "cancel the site inspection")
    reason = _text(reason, label="the reason", required=True)
    INSPECTION.apply(
        record=inspection,
        action=InspectionAction.CANCEL,
        context={"action": "cancelling"},
        changes={"cancel_reason": reason},
    )
    _audit(dossier=dossier, inspection=inspection, actor=actor, address=address, action="cancelled", reason=reason)
    return inspection


# --- the report ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemAnswer:
    result: str
    comment: str = ""


def _report_open(inspection: Inspection, action: str) -> None:
    if inspection.status != InspectionStatus.CONFIRMED:
        raise InspectionConflict(
            f"the report is written on a confirmed inspection (this one is {inspection.status}): cannot {action}",
            status_now=inspection.status,
        )


@refusals_audited("inspection.report_save", dossier_of=_of_inspection)
@transaction.atomic
def inspection_report_save(
    *,
    actor: Any,
    address: str | None,
    inspection: Inspection,
    answers: Mapping[str, ItemAnswer],
    remarks: str = "",
    verdict: str = "",
    deviations: str = "",
) -> Inspection:
    """The inspector records (again) the checklist's answers, the remarks, the verdict and the deviations."""
    dossier, inspection = _locked(inspection)
    _require_inspector(actor, dossier, inspection, "write the report")
    _report_open(inspection, "write the report")
    items = {item.code: item for item in ChecklistItem.objects.filter(procedure_id=dossier.procedure_id)}
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise InvalidInspectionInput(f"unknown checklist items: {', '.join(unknown)}", unknown=unknown)
    for code, answer in answers.items():
        if answer.result not in ItemResult.values:
            raise InvalidInspectionInput(f"item {code}: unknown result {answer.result!r}", item=code)
        comment = _text(answer.comment, label=f"the comment of {code}")
        if answer.result == ItemResult.NOT_CONFORM and not comment:
            raise InvalidInspectionInput(f"item {code}: say what is not conform in its comment", item=code)
    if verdict and verdict not in Verdict.values:
        raise InvalidInspectionInput(f"unknown verdict {verdict!r}")
    for code, answer in answers.items():
        item = items[code]
        ChecklistAnswer.objects.update_or_create(
            inspection=inspection,
            item_code=code,
            defaults={
                "label_fr": item.label_fr,
                "label_ar": item.label_ar,
                "label_en": item.label_en,
                "order": item.order,
                "result": answer.result,
                "comment": answer.comment.strip(),
            },
        )
    inspection.remarks = _text(remarks, label="the remarks")
    inspection.verdict = verdict
    inspection.deviations = _text(deviations, label="the deviations")
    if inspection.inspector_id is None:
        inspection.inspector = actor
    inspection.save(update_fields=["remarks", "verdict", "deviations", "inspector", "updated_at"])
    _audit(
        dossier=dossier,
        inspection=inspection,
        actor=actor,
        address=address,
        action="report_saved",
        answered=sorted(answers),
        verdict=verdict,
    )
    return inspection


def _point(latitude: float | None, longitude: float | None) -> Point | None:
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise InvalidInspectionInput("a position needs both its latitude and its longitude")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInspectionInput("the position is off the globe")
    return Point(longitude, latitude, srid=4326)


@refusals_audited("inspection.photo_add", dossier_of=_of_inspection)
@transaction.atomic
def inspection_photo_add(
    *,
    actor: Any,
    address: str | None,
    inspection: Inspection,
    uploaded_file: UploadedFile,
    latitude: float | None = None,
    longitude: float | None = None,
    accuracy_m: float | None = None,
    caption: str = "",
) -> InspectionPhoto:
    """A photo taken on site: stored as an immutable image document; its EXIF GPS read, the browser's position
    (sent with the upload) kept beside it."""
    dossier, inspection = _locked(inspection)
    _require_inspector(actor, dossier, inspection, "add photos")
    _report_open(inspection, "add photos")
    browser = _point(latitude, longitude)
    if accuracy_m is not None and not 0 <= accuracy_m <= 100_000:
        raise InvalidInspectionInput("the position's accuracy is out of range")
    caption = _text(caption, label="the caption")[:300]
    document = document_store(
        uploaded_file=uploaded_file, allowed_kinds=(DocumentKind.IMAGE,), max_bytes=PHOTO_MAX_BYTES, user=actor
    )
    with document_open(document=document) as handle:
        gps = gps_position(io.BytesIO(handle.read()))
    photo = InspectionPhoto.objects.create(
        inspection=inspection,
        document=document,
        caption=caption,
        browser_position=browser,
        browser_accuracy_m=accuracy_m if browser is not None else None,
        exif_position=Point(gps.longitude, gps.latitude, srid=4326) if gps else None,
        taken_by=actor,
    )
    _audit(
        dossier=dossier,
        inspection=inspection,
        actor=actor,
        address=address,
        action="photo_added",
        photo=photo.pk,
        document=str(document.pk),
        sha256=document.sha256,
        exif_position=[gps.longitude, gps.latitude] if gps else None,
        browser_position=[browser.x, browser.y] if browser else None,
    )
    return photo


@refusals_audited("inspection.close", dossier_of=_of_inspection)
@transaction.atomic
def inspection_close(*, actor: Any, address: str | None, inspection: Inspection) -> Inspection:
    """The inspector closes the report: every item answered, a verdict given (deviations listed when not conform).
    The report is rendered as a PDF (fr/ar), stamped with its verification QR code and stored; the inspector's
    PAdES signature is applied after commit. Closed, the inspection and its report never change."""
    dossier, inspection = _locked(inspection)
    _require_inspector(actor, dossier, inspection, "close the report")
    expected = list(ChecklistItem.objects.filter(procedure_id=dossier.procedure_id).values_list("code", flat=True))
    answered = set(inspection.answers.values_list("item_code", flat=True))
    context = {"action": "closing the report", "unanswered_items": [code for code in expected if code not in answered]}
    INSPECTION.check(record=inspection, action=InspectionAction.CLOSE, context=context)
    closed_at = timezone.now()
    pdf = report_pdf(inspection=inspection, closed_at=closed_at, inspector=actor)
    stored = document_store(
        stream=io.BytesIO(pdf),
        filename=f"recolement-{(dossier.reference or str(dossier.pk)).replace('/', '-')}-{inspection.pk}.pdf",
        allowed_kinds=(DocumentKind.PDF,),
        user=actor,
    )
    stamped = document_stamp(
        document=stored, reference=dossier.reference or f"#{dossier.pk}", purpose=VerificationPurpose.OTHER, user=actor
    )
    INSPECTION.apply(
        record=inspection,
        action=InspectionAction.CLOSE,
        context=context,
        changes={"closed_at": closed_at, "closed_by": actor, "inspector": actor, "report": stamped},
    )
    _audit(
        dossier=dossier,
        inspection=inspection,
        actor=actor,
        address=address,
        action="closed",
        verdict=inspection.verdict,
        report=str(stamped.pk),
        report_sha256=stamped.sha256,
    )
    return inspection


@transaction.atomic
def inspection_report_signed_record(*, inspection_id: int, signed_document: Any, record: Any) -> None:
    """The audit event of the inspector's signature of the closed report (`tasks.inspection_report_sign_task`)."""
    inspection = Inspection.objects.select_related("dossier").get(pk=inspection_id)
    _audit(
        dossier=inspection.dossier,
        inspection=inspection,
        actor=inspection.closed_by,
        address=None,
        action="report_signed",
        report=str(signed_document.pk),
        sha256=signed_document.sha256,
        signer=record.signer_name,
        certificate_sha256=record.certificate_sha256,
    )
