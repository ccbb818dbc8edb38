"""The tour's files: a file of every procedure in every state it has, made through the real services (`manage.py
demo_files`, run by `make run`/`make dev`), so that each demo account finds work waiting and the public map is not
empty.

Table-driven: `STATE_PATHS` says which steps lead to each state (a step that does not apply to the procedure's
path is skipped: no slot booking for a procedure its service decides, no site inspection for a procedure that has
none); `STATES` says which procedures have the state (`in_commission` only where a commission decides, the
inspection's states only where the catalogue requires a site inspection); `STEPS` maps a step's name to the service
calls it makes;
`ANSWERS` holds the answers to each procedure's own form (`form_fields` in the catalogue), `PROJECTS` the building
parameters of the procedures without one (the building permit), `FILED_BY_ARCHITECT` the procedures whose files the
demo architect files for the demo applicant under the applicant's mandate (`demo.common.demo_mandate`). A new
procedure needs a row in `ANSWERS` if it has its own form (else a row in `PROJECTS`, or the default project), a new
state a row in `STATE_PATHS`. Each submission (a re-submission too) follows the applicant's signature of the
application form of the file's current content (`demo.common.demo_application_sign`: the code read from the
outbox). Decisions go through the legal path only (`demo.common`: the session
with the quorum, the president's decision from the examination, or the service's decision; PAdES signatures in
sequence with the development PKI, the last one signing and publishing the file).

A tour state is a file status, or a step of the site inspection (récolement) of a file under instruction
(`INSPECTION_STATES`: the date proposed by the desk to the demo inspector and the applicant, another date asked, the
date confirmed, the report closed): occupancy permits and certificates of conformity are decided only once the
inspector's report of the round is closed (`permits.inspections.guards`), so their decided and published files went
through the inspection too: scheduled, confirmed by the applicant, the report written by `demo-inspector` (checklist
answers, a site photo with its EXIF position, the verdict), closed and signed with the inspector's development
certificate (PAdES), before the commission. The services refuse a visit in the past, so the demo's reports are
closed before the date the visit was scheduled for.

`signed` is not a resting state on the legal path: the last verified signature signs and publishes the file in one
transaction (`permits.commissions.signatures.dossier_complete_signing`), so each published file went through it
(its audit trail has `dossier.sign` before `dossier.publish`) and no demo file stays signed.

Idempotent: each file is known by its title (`Tour · <procedure> · <state>`); a file already there is left as it
is (also when someone moved it on during the tour). Linked procedures (occupancy permit, certificate of conformity)
follow authorised building permits of the demo applicant, made on demand (one per open linked file: a permit is
followed by one open file of each linked procedure at a time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import shapely
import shapely.affinity
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from PIL.ExifTags import GPS, Base

from demo.cambridge import DEMO_COMMUNE
from demo.common import (
    ADDRESS,
    DemoDataMissing,
    ReportFunction,
    agency_member,
    commission_for,
    demo_application_sign,
    demo_mandate,
    demo_user,
    plan_pdf,
    session_hold,
    signatures_in_sequence,
    slot_book,
)
from gis_core.models import Territory
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.services import document_verify
from parcels.models import Parcel
from permits import services
from permits.commissions import services as commission_services
from permits.commissions.models import Commission
from permits.inspections import services as inspection_services
from permits.inspections.models import (
    ChecklistItem,
    Inspection,
    InspectionStatus,
    ItemResult,
    ProcedureInspection,
    Verdict,
)
from permits.inspections.selectors import report_latest_version
from permits.inspections.services import ItemAnswer
from permits.inspections.tasks import inspection_report_sign_task
from permits.models import (
    AUTHORISING_DECISIONS,
    ConsultationStatus,
    DecisionPath,
    Dossier,
    DossierStatus,
    OpinionValue,
    Procedure,
    Role,
)
from permits.services.filing import dossier_start_linked
from permits.workflow import DECIDED_GROUP, OPEN

S = DossierStatus
TITLE_PREFIX = "Tour"
PARENT_TITLE = "Tour · Building permit · followed by linked files"

#: The building parameters (`permits.services.PROJECT_FIELDS`) of the procedures without a form of their own; such a
#: procedure without a row gets `DEFAULT_PROJECT`. A procedure with its own form refuses them: its row is in `ANSWERS`.
DEFAULT_PROJECT: dict[str, Any] = {"height_m": 9.0, "floors": 3, "gross_floor_area_m2": 320.0, "use": "residential"}
PROJECTS: dict[str, dict[str, Any]] = {
    "building-permit": {"height_m": 10.5, "floors": 3, "gross_floor_area_m2": 420.0, "use": "residential", "units": 3},
}


def _completed_today() -> str:
    """The works' completion date: the day the file is made, so never before its parent permit's decision (the tour
    decides the parent the same day) nor to come (the form refuses a future date)."""
    return timezone.localdate().isoformat()


#: Each procedure's answers to its own form (`form_fields` in the catalogue, checked by `permits.answers`); a callable
#: value is answered when the file is made. A linked file's parent reference is answered by `dossier_start_linked`.
ANSWERS: dict[str, dict[str, Any]] = {
    "simple-declaration": {"activity": "grocery", "premises_area": 80, "opening_hours": "8 h - 20 h"},
    "classified-establishment": {"establishment_class": "2", "activity": "metal-works", "hazards": "Bruit, fumées"},
    "telecom-installation": {
        "antenna_type": "macro_cell",
        "mast_height": 24,
        "transmit_power": 40,
        "site_sharing": False,
    },
    "advertising-display": {
        "display_width": 4,
        "display_height": 3,
        "lit": False,
        "placement": "facade",
        "duration_months": 12,
    },
    "occupancy-permit": {"completion_date": _completed_today},
    "certificate-of-conformity": {"completion_date": _completed_today},
}

#: The procedures whose tour files the demo architect files for the demo applicant, under the applicant's mandate.
FILED_BY_ARCHITECT: frozenset[str] = frozenset({"building-permit"})


def answers_for(procedure: Procedure) -> dict[str, Any]:
    """The procedure's tour answers, the callable ones answered now."""
    return {key: value() if callable(value) else value for key, value in ANSWERS.get(procedure.code, {}).items()}


#: The tour states of the site inspection: a file under instruction whose inspection is at this step.
INSPECTION_SCHEDULED = "inspection_scheduled"
INSPECTION_OTHER_DATE = "inspection_other_date_asked"
INSPECTION_CONFIRMED = "inspection_confirmed"
INSPECTION_CLOSED = "inspection_closed"
INSPECTION_STATES: dict[str, str] = {
    INSPECTION_SCHEDULED: InspectionStatus.PROPOSED,
    INSPECTION_OTHER_DATE: InspectionStatus.RESCHEDULE_REQUESTED,
    INSPECTION_CONFIRMED: InspectionStatus.CONFIRMED,
    INSPECTION_CLOSED: InspectionStatus.CLOSED,
}


def file_status_of(state: str) -> str:
    """The file's status in a tour state (the inspection's states are steps of a file under instruction)."""
    return S.UNDER_INSTRUCTION if state in INSPECTION_STATES else state


#: The steps that lead to each state, in order (steps that do not apply to a procedure's path are skipped).
_INSTRUCTED = ("create", "submit", "accept_complete")
_SCHEDULED = (*_INSTRUCTED, "inspection_propose")
_INSPECTED = (
    *_INSTRUCTED,
    "opinions",
    "inspection_propose",
    "inspection_confirm",
    "inspection_report",
    "inspection_close",
)
_BEFORE_COMMISSION = (*_INSPECTED, "book_slot", "send_to_commission")
STATE_PATHS: dict[str, tuple[str, ...]] = {
    S.DRAFT: ("create",),
    S.SUBMITTED: ("create", "submit"),
    S.INCOMPLETE: ("create", "submit", "return_incomplete"),
    S.UNDER_INSTRUCTION: _INSTRUCTED,
    S.REMARKS_ISSUED: (*_INSTRUCTED, "remark"),
    S.AWAITING_APPLICANT: (*_INSTRUCTED, "remark", "send_remarks"),
    INSPECTION_SCHEDULED: _SCHEDULED,
    INSPECTION_OTHER_DATE: (*_SCHEDULED, "inspection_ask_other_date"),
    INSPECTION_CONFIRMED: (*_SCHEDULED, "inspection_confirm"),
    INSPECTION_CLOSED: _INSPECTED,
    S.IN_COMMISSION: _BEFORE_COMMISSION,
    S.DECIDED: (*_BEFORE_COMMISSION, "examine_and_decide", "service_decide"),
    S.PUBLISHED: (*_BEFORE_COMMISSION, "examine_and_decide", "service_decide", "sign_in_sequence"),
    S.WITHDRAWN: ("create", "submit", "withdraw"),
}


def _by_commission(procedure: Procedure) -> bool:
    return procedure.decided_by == DecisionPath.COMMISSION


def _by_service(procedure: Procedure) -> bool:
    return procedure.decided_by == DecisionPath.SERVICE


def _always(procedure: Procedure) -> bool:
    return True


def _inspected(procedure: Procedure) -> bool:
    """The catalogue requires a site inspection before the decision (occupancy permit, certificate of conformity)."""
    return ProcedureInspection.objects.filter(procedure=procedure, required=True).exists()


#: Which procedures have each state (closed states first: a linked file that is closed frees its parent).
STATES: tuple[tuple[str, Callable[[Procedure], bool]], ...] = (
    (S.PUBLISHED, _always),
    (S.DECIDED, _always),
    (S.WITHDRAWN, _always),
    (S.DRAFT, _always),
    (S.SUBMITTED, _always),
    (S.INCOMPLETE, _always),
    (S.UNDER_INSTRUCTION, _always),
    (S.REMARKS_ISSUED, _always),
    (S.AWAITING_APPLICANT, _always),
    (INSPECTION_SCHEDULED, _inspected),
    (INSPECTION_OTHER_DATE, _inspected),
    (INSPECTION_CONFIRMED, _inspected),
    (INSPECTION_CLOSED, _inspected),
    (S.IN_COMMISSION, _by_commission),
)
#: Extra published files of these procedures, so that the public map shows several authorised projects.
EXTRA_PUBLISHED: dict[str, int] = {"building-permit": 2}


@dataclass
class TourContext:
    commune: Territory
    report: ReportFunction
    applicant: User
    architect: User
    desk: User
    inspector: User
    parcels: list[Parcel]
    commissions: dict[int, Commission] = field(default_factory=dict)
    used_parcels: int = 0

    def next_parcel(self) -> Parcel:
        """A different parcel for each new file (so the map shows them apart), cycling through the commune's."""
        parcel = self.parcels[self.used_parcels % len(self.parcels)]
        self.used_parcels += 1
        return parcel

    def commission(self, procedure: Procedure) -> Commission:
        if procedure.pk not in self.commissions:
            self.commissions[procedure.pk] = commission_for(procedure, self.commune, lambda line: None, weeks=6)
        return self.commissions[procedure.pk]


@dataclass
class TourFile:
    context: TourContext
    procedure: Procedure
    title: str
    dossier: Dossier | None = None
    visit: Inspection | None = None

    @property
    def file(self) -> Dossier:
        assert self.dossier is not None, "the file is created by the first step"
        return self.dossier

    @property
    def inspection(self) -> Inspection:
        assert self.visit is not None, "the inspection is proposed first"
        return self.visit

    @property
    def owner(self) -> User:
        """Who acts for the applicant: the architect when one files for them."""
        return self.context.architect if self.file.architect_id else self.context.applicant


# --- the steps ------------------------------------------------------------------------------------------------


def _png(name: str) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (320, 240), (120, 150, 180)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _footprint(parcel: Parcel) -> GEOSGeometry:
    shape = shapely.affinity.scale(shapely.from_wkb(bytes(parcel.geom.wkb)), 0.6, 0.6, origin="centroid")
    return GEOSGeometry(memoryview(shapely.to_wkb(shape)), srid=4326)


def step_create(tour: TourFile) -> None:
    """The draft with its project (the procedure's own answers, or the building parameters), its mandatory
    documents uploaded; filed by the architect under the applicant's mandate for the procedures that say so."""
    context, procedure = tour.context, tour.procedure
    answers = answers_for(procedure)
    if procedure.parent_id is not None:
        parent = authorised_parent(context, procedure)
        tour.dossier, _ = dossier_start_linked(
            actor=context.applicant, address=ADDRESS, parent_dossier=parent, procedure=procedure, title=tour.title
        )
        if answers:  # the parent's reference is answered already; the rest of the procedure's form
            tour.dossier = services.dossier_update(
                actor=context.applicant, address=ADDRESS, dossier=tour.file, answers=answers
            )
    else:
        parcel = context.next_parcel()
        site: dict[str, Any] = {"parcels": [parcel]}
        if procedure.requires_footprint:
            site["footprint"] = _footprint(parcel)
        project = {} if procedure.form_fields else PROJECTS.get(procedure.code, DEFAULT_PROJECT)
        filer: dict[str, Any] = {"actor": context.applicant}
        if procedure.code in FILED_BY_ARCHITECT:
            demo_mandate(architect=context.architect, applicant=context.applicant)
            filer = {"actor": context.architect, "applicant": context.applicant}
        tour.dossier = services.dossier_create(
            **filer,
            address=ADDRESS,
            procedure=procedure,
            commune=context.commune,
            answers=answers or None,
            title=tour.title,
            **site,
            **project,
        )
    for required in services.documents_missing_mandatory(dossier=tour.file):
        formats = {value.lower() for value in required.accepted_formats}
        upload = (
            plan_pdf(f"{required.code}.pdf", required.label_fr) if "pdf" in formats else _png(f"{required.code}.png")
        )
        services.document_upload(
            actor=tour.owner, address=ADDRESS, dossier=tour.file, document_type=required.code, uploaded_file=upload
        )


def step_submit(tour: TourFile) -> None:
    """The applicant signs the application form of the file's current content (a code by e-mail, through the real
    path), then the file is filed: a first submission as a re-submission after "incomplete"."""
    demo_application_sign(tour.file, lambda line: None)
    tour.dossier = services.dossier_submit(actor=tour.owner, address=ADDRESS, dossier=tour.file)


def step_return_incomplete(tour: TourFile) -> None:
    missing = [required.code for required in tour.procedure.required_documents.all()[:1]]
    tour.dossier = services.dossier_check_completeness(
        actor=tour.context.desk,
        address=ADDRESS,
        dossier=tour.file,
        complete=False,
        missing_documents=missing,
        note="Le document fourni est illisible : merci de le déposer à nouveau.",
    )


def step_accept_complete(tour: TourFile) -> None:
    tour.dossier = services.dossier_check_completeness(
        actor=tour.context.desk, address=ADDRESS, dossier=tour.file, complete=True
    )


def step_remark(tour: TourFile) -> None:
    services.remark_issue(
        actor=tour.context.desk,
        address=ADDRESS,
        dossier=tour.file,
        text="Précisez les matériaux de façade sur les plans.",
    )


def step_send_remarks(tour: TourFile) -> None:
    tour.dossier = services.remarks_send_to_applicant(actor=tour.context.desk, address=ADDRESS, dossier=tour.file)


def step_opinions(tour: TourFile) -> None:
    pending = tour.file.consultations.filter(status=ConsultationStatus.PENDING).select_related("agency")
    for consultation in pending:
        services.opinion_give(
            actor=agency_member(consultation.agency),
            address=ADDRESS,
            consultation=consultation,
            opinion=OpinionValue.FAVOURABLE,
            motivation=f"Avis favorable de {consultation.agency.code}.",
        )


def step_book_slot(tour: TourFile) -> None:
    slot_book(tour.file, tour.context.commission(tour.procedure))


def step_send_to_commission(tour: TourFile) -> None:
    tour.dossier = services.dossier_send_to_commission(actor=tour.context.desk, address=ADDRESS, dossier=tour.file)


def step_examine_and_decide(tour: TourFile) -> None:
    commission = tour.context.commission(tour.procedure)
    session = tour.file.commission_bookings.get().session
    examination = session_hold(
        tour.file,
        session,
        joint_opinion=OpinionValue.FAVOURABLE,
        joint_motivation="Projet conforme.",
        report=lambda line: None,
    )
    commission_services.examination_decide(
        actor=commission.president, address=ADDRESS, examination=examination, decision="favourable"
    )
    tour.file.refresh_from_db()


def step_service_decide(tour: TourFile) -> None:
    commission_services.service_decide(
        actor=tour.context.desk, address=ADDRESS, dossier=tour.file, decision="favourable"
    )
    tour.file.refresh_from_db()


def step_sign_in_sequence(tour: TourFile) -> None:
    signatures_in_sequence(tour.file, lambda line: None)
    tour.file.refresh_from_db()


def step_withdraw(tour: TourFile) -> None:
    tour.dossier = services.dossier_withdraw(
        actor=tour.owner, address=ADDRESS, dossier=tour.file, reason="Projet abandonné."
    )


# --- the site inspection (récolement) ---------------------------------------------------------------------------


def visit_time(now: datetime | None = None) -> datetime:
    """The proposed visit: 10:00 local time on the first weekday at least two days ahead."""
    day = timezone.localtime(now or timezone.now()) + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=10, minute=0, second=0, microsecond=0)


def site_photo(latitude: float, longitude: float) -> SimpleUploadedFile:
    """A JPEG of the site whose EXIF GPS tags say where it was taken (degrees, minutes, seconds)."""

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))

    exif = Image.Exif()
    exif[Base.GPSInfo] = {
        GPS.GPSLatitudeRef: "N" if latitude >= 0 else "S",
        GPS.GPSLatitude: dms(latitude),
        GPS.GPSLongitudeRef: "E" if longitude >= 0 else "W",
        GPS.GPSLongitude: dms(longitude),
    }
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (168, 140, 110)).save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("facade.jpg", buffer.getvalue(), content_type="image/jpeg")


def step_inspection_propose(tour: TourFile) -> None:
    tour.visit = inspection_services.inspection_propose(
        actor=tour.context.desk,
        address=ADDRESS,
        dossier=tour.file,
        starts_at=visit_time(),
        duration_minutes=60,
        inspector=tour.context.inspector,
    )


def step_inspection_ask_other_date(tour: TourFile) -> None:
    tour.visit = inspection_services.inspection_ask_other_date(
        actor=tour.owner,
        address=ADDRESS,
        inspection=tour.inspection,
        message="Je suis absent ce jour-là ; disponible les matins de la semaine suivante.",
    )


def step_inspection_confirm(tour: TourFile) -> None:
    tour.visit = inspection_services.inspection_confirm(actor=tour.owner, address=ADDRESS, inspection=tour.inspection)


def step_inspection_report(tour: TourFile) -> None:
    """The inspector on site: a photo of the facade (EXIF position: the building), every item answered, the verdict."""
    inspector, inspection = tour.context.inspector, tour.inspection
    parcel = tour.file.parcels.order_by("pk").first()
    site = tour.file.footprint or (parcel.geom if parcel is not None else tour.file.commune.geom)
    position = site.point_on_surface
    inspection_services.inspection_photo_add(
        actor=inspector,
        address=ADDRESS,
        inspection=inspection,
        uploaded_file=site_photo(position.y, position.x),
        latitude=position.y,
        longitude=position.x,
        accuracy_m=8.0,
        caption="Façade principale",
    )
    checklist = ChecklistItem.objects.filter(procedure=tour.procedure).values_list("code", flat=True)
    answers = {code: ItemAnswer(ItemResult.CONFORM, "") for code in checklist}
    tour.visit = inspection_services.inspection_report_save(
        actor=inspector,
        address=ADDRESS,
        inspection=inspection,
        answers=answers,
        remarks="Construction achevée, conforme aux plans autorisés.",
        verdict=Verdict.CONFORM,
    )


def step_inspection_close(tour: TourFile) -> None:
    """The inspector closes the report; its PAdES signature (the inspector's development certificate) is applied here
    rather than waiting for the worker (the task is idempotent: the worker's copy then does nothing)."""
    inspector = tour.context.inspector
    pki = DevelopmentPki(Path(settings.SIGNING_PKI_DIR))
    pki.user(inspector.get_username(), display_name=inspector.get_full_name(), email=inspector.email)
    closed = inspection_services.inspection_close(actor=inspector, address=ADDRESS, inspection=tour.inspection)
    inspection_report_sign_task(inspection_id=closed.pk)
    report = report_latest_version(inspection=closed)
    if report is None or document_verify(document=report).status != "valid":
        raise DemoDataMissing(f"{tour.file.reference}: the inspection report is not signed (development PKI?)")
    tour.visit = closed


@dataclass(frozen=True)
class Step:
    run: Callable[[TourFile], None]
    applies: Callable[[Procedure], bool] = _always


STEPS: dict[str, Step] = {
    "create": Step(step_create),
    "submit": Step(step_submit),
    "return_incomplete": Step(step_return_incomplete),
    "accept_complete": Step(step_accept_complete),
    "remark": Step(step_remark),
    "send_remarks": Step(step_send_remarks),
    "opinions": Step(step_opinions),
    "inspection_propose": Step(step_inspection_propose, _inspected),
    "inspection_ask_other_date": Step(step_inspection_ask_other_date, _inspected),
    "inspection_confirm": Step(step_inspection_confirm, _inspected),
    "inspection_report": Step(step_inspection_report, _inspected),
    "inspection_close": Step(step_inspection_close, _inspected),
    "book_slot": Step(step_book_slot, _by_commission),
    "send_to_commission": Step(step_send_to_commission, _by_commission),
    "examine_and_decide": Step(step_examine_and_decide, _by_commission),
    "service_decide": Step(step_service_decide, _by_service),
    "sign_in_sequence": Step(step_sign_in_sequence),
    "withdraw": Step(step_withdraw),
}


def file_to_state(context: TourContext, procedure: Procedure, state: str, title: str) -> Dossier:
    """A new file of `procedure` taken to `state` along the state's path."""
    tour = TourFile(context, procedure, title)
    for name in STATE_PATHS[state]:
        step = STEPS[name]
        if step.applies(procedure):
            step.run(tour)
    tour.file.refresh_from_db()
    if tour.file.status != file_status_of(state):
        raise DemoDataMissing(f"{procedure.code}: the path to {state} ended at {tour.file.status}")
    if state in INSPECTION_STATES and tour.inspection.status != INSPECTION_STATES[state]:
        raise DemoDataMissing(f"{procedure.code}: the path to {state} left the inspection {tour.inspection.status}")
    return tour.file


def authorised_parent(context: TourContext, procedure: Procedure) -> Dossier:
    """An authorised file of the parent procedure of the demo applicant that no open file of `procedure` follows
    (one of the tour's, else a new one, decided favourably through the commission)."""
    parent_procedure = procedure.parent
    assert parent_procedure is not None, f"{procedure.code} follows no procedure"
    open_linked = Dossier.objects.filter(procedure=procedure, status__in=OPEN).values("parent_dossier_id")
    parent = (
        Dossier.objects.filter(
            procedure=parent_procedure,
            applicant=context.applicant,
            status__in=DECIDED_GROUP,
            decision__in=AUTHORISING_DECISIONS,
        )
        .exclude(pk__in=open_linked)
        .order_by("pk")
        .first()
    )
    if parent is not None:
        return parent
    return file_to_state(context, parent_procedure, S.DECIDED, PARENT_TITLE)


# --- the plan -------------------------------------------------------------------------------------------------


def tour_title(procedure: Procedure, state: str, number: int = 1) -> str:
    suffix = f" {number}" if number > 1 else ""
    return f"{TITLE_PREFIX} · {procedure.name_en} · {state}{suffix}"


@dataclass(frozen=True)
class PlannedFile:
    procedure: Procedure
    state: str
    title: str


def tour_plan(procedures: list[Procedure]) -> list[PlannedFile]:
    """Every (procedure, state) the tour has, plus the extra published files; in the order they are made."""
    plan = []
    for procedure in procedures:
        for state, applies in STATES:
            if applies(procedure):
                plan.append(PlannedFile(procedure, state, tour_title(procedure, state)))
        for number in range(2, EXTRA_PUBLISHED.get(procedure.code, 0) + 2):
            plan.append(PlannedFile(procedure, S.PUBLISHED, tour_title(procedure, S.PUBLISHED, number)))
    # Parents first: the building permit's own files before the procedures that follow it.
    return sorted(plan, key=lambda planned: planned.procedure.parent_id is not None)


@dataclass(frozen=True)
class TourSummary:
    created: list[Dossier]
    existing: int


def demo_files_ensure(*, report: ReportFunction = print) -> TourSummary:
    """Every planned file of the tour that is not there yet, made through the services; reports each one."""
    commune = Territory.objects.filter(code=DEMO_COMMUNE).first()
    if commune is None:
        raise DemoDataMissing(f"commune {DEMO_COMMUNE} is missing: run `manage.py load_demo` first")
    services.procedures_load()
    inside = Parcel.objects.filter(commune=commune, geom__within=commune.geom)  # a footprint must lie in the commune
    parcels = list(inside.order_by("-area_m2", "reference")[:200])
    if not parcels:
        raise DemoDataMissing("the demo commune has no parcel: run `manage.py load_demo`")
    context = TourContext(
        commune=commune,
        report=report,
        applicant=demo_user("demo-applicant"),
        architect=demo_user("demo-architect", Role.ARCHITECT),
        desk=demo_user("demo-desk", Role.DESK_AGENT, commune),
        inspector=demo_user("demo-inspector", Role.INSPECTOR, commune),
        parcels=parcels,
    )
    procedures = list(Procedure.objects.filter(active=True).order_by("pk"))
    plan = tour_plan(procedures)
    titles = set(Dossier.objects.filter(title__startswith=f"{TITLE_PREFIX} · ").values_list("title", flat=True))
    context.used_parcels = len(titles)
    created = []
    for planned in plan:
        if planned.title in titles:
            continue
        dossier = file_to_state(context, planned.procedure, planned.state, planned.title)
        created.append(dossier)
        report(f"   {planned.procedure.code:<26} {planned.state:<28} {dossier.reference or f'draft #{dossier.pk}'}")
    return TourSummary(created=created, existing=len(plan) - len(created))
