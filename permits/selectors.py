"""Reads of the permits domain: what a user may see, a file's deadlines, queues, overlaps, history.

Visibility is one rule, used by every face: `dossiers_visible_to(user=...)`, and `dossier_get_for` which
raises `DossierNotFound` (a 404, never a 403) for a file that does not exist *or* that the user may not see,
so ids cannot be probed.
- applicant: their own files (drafts included); architect: the files they hold while a mandate covers them;
- commission member: filed files dispatched to their agency (in the territory of their membership, if any);
- desk agent, commission president, signing authority, administrator: filed files of their territory (the
  commune, or the communes under the province/region) or every file for a national membership;
- a superuser: every file. Back-office roles never see drafts.

Overlapping files follow a second rule (`overlaps_in_full`): the back office of the file's commune sees every
open or authorised file on the same ground; anyone else (the applicant) only the published authorisations the public
map shows, so that drawing footprints over a commune reveals nothing of other people's unpublished files.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from gis_core.documents.models import StoredDocument
from parcels.geometry_input import geodesic_area
from permits import access, workflow
from permits.clock import FileClock, clock_rules, file_clock, filing_rule, limit_deadline
from permits.deadlines import business_days_remaining
from permits.dispatch import dossier_ground
from permits.errors import DossierNotFound, NotFound
from permits.models import (
    AUTHORISING_DECISIONS,
    AuditEvent,
    Consultation,
    ConsultationStatus,
    Dossier,
    DossierClock,
    DossierDocument,
    EconomicActivity,
    InstructionRound,
    PlanAnnotation,
    Procedure,
    ProjectUse,
    Remark,
    Role,
    UserProfile,
    mask_national_id,
)

TERRITORIAL_ROLES = (
    Role.DESK_AGENT,
    Role.COMMISSION_PRESIDENT,
    Role.SIGNING_AUTHORITY,
    Role.INSPECTOR,
    Role.ADMINISTRATOR,
)
MIN_OVERLAP_M2 = 0.01  # shared edges are not overlaps


def _visibility_q(user: Any) -> Q | None:
    """The filter of the files a user may see; None means every file."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    visible = Q(applicant_id=user.pk) | access.mandated_files_q(architect_id=user.pk)
    filed = ~Q(status=workflow.S.DRAFT)
    for membership in access.memberships_of(user, TERRITORIAL_ROLES):
        visible |= filed & access.territory_scope_q(membership.territory_id)
    for membership in access.memberships_of(user, [Role.COMMISSION_MEMBER]):
        if membership.agency_id is None:
            continue
        dispatched = Consultation.objects.filter(agency_id=membership.agency_id).values("dossier_id")
        visible |= filed & Q(pk__in=dispatched) & access.territory_scope_q(membership.territory_id)
    return visible


def dossiers_visible_to(*, user: Any) -> QuerySet[Dossier]:
    queryset = Dossier.objects.select_related("procedure", "commune")
    visible = _visibility_q(user)
    return queryset if visible is None else queryset.filter(visible)


def dossier_get_for(*, user: Any, dossier_id: int) -> Dossier:
    """The file if the user may see it; DossierNotFound otherwise, whether it exists or not."""
    dossier = dossiers_visible_to(user=user).filter(pk=dossier_id).first()
    if dossier is None:
        raise DossierNotFound(f"There is no file {dossier_id}.")
    return dossier


def dossiers_publishable() -> QuerySet[Dossier]:
    """Files the public may see (the geoportal and open data filter on this group)."""
    return Dossier.objects.filter(status__in=workflow.PUBLISHABLE)


# --- the file's legal clock (computed by permits.clock) ----------------------------------------------------------

CLOCK_ORDERS = {
    "days_left": (F("clock__next_deadline").asc(nulls_last=True), "pk"),
    "-days_left": (F("clock__next_deadline").desc(nulls_last=True), "pk"),
    "filed": (F("submitted_at").asc(nulls_last=True), "pk"),
}


def dossier_clock(*, dossier: Dossier, today: date | None = None) -> FileClock | None:
    """The file's clock today: its current step, deadline, business days left and what happens at expiry."""
    return file_clock(dossier=dossier, today=today or timezone.localdate())


def decision_limits(*, dossier_ids: list[int]) -> dict[int, date]:
    """The last day of each file's limit counted from filing, from its clock (kept after the decision), for the
    files whose procedure has one; by file id. The limit depends only on the procedure, the filing day and the
    paused days: each such triple is computed once (files filed the same day share it)."""
    clocks = DossierClock.objects.filter(dossier_id__in=dossier_ids, filed_on__isnull=False).values_list(
        "dossier_id", "dossier__procedure_id", "filed_on", "filing_paused_days"
    )
    rows = list(clocks)
    procedures = Procedure.objects.filter(id__in={row[1] for row in rows}).prefetch_related("step_deadlines")
    rules = {procedure.pk: filing_rule(clock_rules(Dossier(procedure=procedure))) for procedure in procedures}
    computed: dict[tuple[int, date, int], date] = {}
    limits = {}
    for dossier_id, procedure_id, filed_on, paused_days in rows:
        rule = rules.get(procedure_id)
        if rule is None or filed_on is None:  # (filtered out above)
            continue
        key = (procedure_id, filed_on, paused_days)
        if key not in computed:
            computed[key] = limit_deadline(start=filed_on, rule=rule, paused_days=paused_days)
        limits[dossier_id] = computed[key]
    return limits


def dossiers_by_days_left(
    *, user: Any, order: str = "days_left", today: date | None = None
) -> list[tuple[Dossier, FileClock]]:
    """The open files the user sees whose clock runs (paused ones too), by the deadline that expires first:
    overdue first (`days_left`), or the reverse, or by filing date; each with its clock. Three queries."""
    today = today or timezone.localdate()
    files = (
        dossiers_visible_to(user=user)
        .filter(status__in=list(workflow.FILED | {workflow.S.DECIDED}), clock__step__gt="")
        .select_related("clock")
        .prefetch_related("procedure__step_deadlines")
        .order_by(*CLOCK_ORDERS.get(order, CLOCK_ORDERS["days_left"]))
    )
    rows = []
    for dossier in files:
        found = file_clock(dossier=dossier, today=today, clock=dossier.clock)
        if found is not None:
            rows.append((dossier, found))
    return rows


def dossiers_of_owner(*, user: Any, today: date | None = None) -> list[tuple[Dossier, FileClock | None]]:
    """The user's own files ("my files": as applicant, or as architect under a mandate), newest first, each with its
    clock today (None when none runs: a draft, a decided and published file). Three queries whatever their number."""
    today = today or timezone.localdate()
    mine = (
        dossiers_visible_to(user=user)
        .filter(Q(applicant_id=user.pk) | Q(architect_id=user.pk))
        .select_related("clock")
        .prefetch_related("procedure__step_deadlines")
        .order_by("-created_at")
    )
    return [(dossier, file_clock(dossier=dossier, today=today)) for dossier in mine]


def procedures_active() -> QuerySet[Procedure]:
    return Procedure.objects.filter(active=True).prefetch_related("required_documents", "step_deadlines")


def project_uses() -> QuerySet[ProjectUse]:
    """The catalogue's nomenclature of uses, in its order (what a project declares and the public views publish)."""
    return ProjectUse.objects.all()


def procedure_issues_receipt(*, procedure: Procedure) -> bool:
    """Whether the procedure's outcome is a receipt (`receipt` outcome document: the simple declaration), which the
    service gives or refuses, rather than an authorisation."""
    return procedure.outcome_documents.filter(code="receipt").exists()


def economic_activities() -> QuerySet[EconomicActivity]:
    """The catalogue's nomenclature of economic activities, in its order (a file declares a code of it)."""
    return EconomicActivity.objects.all()


def project_use_codes() -> list[str]:
    return list(ProjectUse.objects.values_list("code", flat=True))


@dataclass(frozen=True)
class Overlap:
    dossier_id: int
    reference: str | None
    status: str
    procedure: str
    overlap_m2: float

    def as_json(self) -> dict[str, Any]:
        return {
            "dossier": self.dossier_id,
            "reference": self.reference,
            "status": self.status,
            "procedure": self.procedure,
            "overlap_m2": round(self.overlap_m2, 2),
        }


# What the public map shows: the rows of `geoportal.authorised_projects` (ogc_services/sql), nothing else.
PUBLICLY_AUTHORISED = Q(
    status__in=workflow.PUBLISHABLE, decision__in=list(AUTHORISING_DECISIONS), footprint__isnull=False
)
# Who sees every file overlapping a file of their commune (the rest see only what the public map shows).
OVERLAP_STAFF_ROLES = (*TERRITORIAL_ROLES, Role.COMMISSION_MEMBER)
# The key of a frozen overlap that is a published authorisation: its overlap with the footprint the map shows.
PUBLIC_OVERLAP_KEY = "public_overlap_m2"


def dossier_overlaps(*, dossier: Dossier) -> list[Overlap]:
    """Other open or authorised files whose ground (footprint, or parcels) overlaps this file's ground: the back
    office's facts (unpublished files included). Faces show `dossier_overlaps_for` instead."""
    ground = dossier_ground(dossier=dossier)
    if ground is None:
        return []
    parcel_ids = list(dossier.parcels.values_list("pk", flat=True))
    candidates = (
        Dossier.objects.exclude(pk=dossier.pk)
        .filter(
            Q(status__in=workflow.FILED)
            | Q(status__in=workflow.DECIDED_GROUP, decision__in=list(AUTHORISING_DECISIONS))
        )
        .filter(Q(footprint__intersects=ground) | Q(parcels__in=parcel_ids))
        .select_related("procedure")
        .distinct()
    )
    mine = shapely.from_wkb(bytes(ground.wkb))
    overlaps = []
    for other in candidates:
        other_ground = dossier_ground(dossier=other)
        if other_ground is None:
            continue
        area = geodesic_area(shapely.intersection(mine, shapely.from_wkb(bytes(other_ground.wkb))))
        if area >= MIN_OVERLAP_M2:
            overlaps.append(Overlap(other.pk, other.reference, other.status, other.procedure.code, area))
    return sorted(overlaps, key=lambda overlap: -overlap.overlap_m2)


def dossier_public_overlaps(*, dossier: Dossier) -> list[Overlap]:
    """The published authorisations whose footprint, as the public map shows it, overlaps this file's ground."""
    ground = dossier_ground(dossier=dossier)
    if ground is None:
        return []
    candidates = (
        Dossier.objects.exclude(pk=dossier.pk)
        .filter(PUBLICLY_AUTHORISED, footprint__intersects=ground)
        .select_related("procedure")
    )
    mine = shapely.from_wkb(bytes(ground.wkb))
    overlaps = []
    for other in candidates:
        assert other.footprint is not None  # PUBLICLY_AUTHORISED
        area = geodesic_area(shapely.intersection(mine, shapely.from_wkb(bytes(other.footprint.wkb))))
        if area >= MIN_OVERLAP_M2:
            overlaps.append(Overlap(other.pk, other.reference, other.status, other.procedure.code, area))
    return sorted(overlaps, key=lambda overlap: -overlap.overlap_m2)


def dossier_overlaps_record(*, dossier: Dossier) -> list[dict[str, Any]]:
    """What filing freezes in `overlaps_at_filing`: the back office's overlaps, each published authorisation marked
    with its overlap with its public footprint (`public_overlap_m2`), which is all an applicant is shown of it."""
    public = {overlap.dossier_id: overlap for overlap in dossier_public_overlaps(dossier=dossier)}
    record = []
    for overlap in dossier_overlaps(dossier=dossier):
        entry = overlap.as_json()
        if overlap.dossier_id in public:
            entry[PUBLIC_OVERLAP_KEY] = round(public[overlap.dossier_id].overlap_m2, 2)
        record.append(entry)
    return record


def overlaps_in_full(*, dossier: Dossier, user: Any) -> bool:
    """Whether `user` sees every file overlapping this one (the back office of its commune: desk, president,
    members, signing authority, administrator; a superuser) or only the published authorisations the public map
    shows (the applicant, their architect): an applicant must not learn anything of other people's unpublished
    files, not even that they exist."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    scope = access.commune_ancestry(dossier)
    memberships = access.memberships_of(user, OVERLAP_STAFF_ROLES)
    return memberships.filter(Q(territory__isnull=True) | Q(territory_id__in=scope)).exists()


def dossier_overlaps_for(*, dossier: Dossier, user: Any) -> list[Overlap]:
    """The overlapping files `user` may be shown now (see `overlaps_in_full`)."""
    if overlaps_in_full(dossier=dossier, user=user):
        return dossier_overlaps(dossier=dossier)
    return dossier_public_overlaps(dossier=dossier)


def dossier_overlaps_at_filing_for(*, dossier: Dossier, user: Any) -> list[dict[str, Any]]:
    """The overlaps frozen at filing that `user` may be shown: all of them for the back office; for anyone else
    only the published authorisations, with their public footprint's overlap (nothing of the other entries)."""
    frozen: list[dict[str, Any]] = list(dossier.overlaps_at_filing or [])
    if overlaps_in_full(dossier=dossier, user=user):
        return frozen
    return [
        {
            "dossier": entry["dossier"],
            "reference": entry["reference"],
            "status": entry["status"],
            "procedure": entry["procedure"],
            "overlap_m2": entry[PUBLIC_OVERLAP_KEY],
        }
        for entry in frozen
        if PUBLIC_OVERLAP_KEY in entry
    ]


def audit_payload_for(*, payload: dict[str, Any], overlaps_shown_in_full: bool) -> dict[str, Any]:
    """An audit event's payload as a viewer may read it: the filing event names the overlapping files, which only
    the back office may see (`overlaps_in_full`)."""
    if overlaps_shown_in_full or "overlaps" not in payload:
        return payload
    return {key: value for key, value in payload.items() if key != "overlaps"}


@dataclass(frozen=True)
class ConsultationDeadline:
    consultation_id: int
    agency_code: str
    agency_name_fr: str
    round: int
    permanent: bool
    deadline: date
    business_days_remaining: int
    status: str
    opinion: str
    overdue: bool


def consultation_deadlines(
    *, dossier: Dossier, today: date | None = None, all_rounds: bool = False
) -> list[ConsultationDeadline]:
    """Each consulted member's deadline and business days remaining (negative once overdue), for the desk and
    the applicant; the current round only unless `all_rounds`."""
    today = today or timezone.localdate()
    consultations = Consultation.objects.filter(dossier=dossier).select_related("agency", "round")
    if not all_rounds:
        consultations = consultations.filter(round__number=dossier.current_round)
    rows = []
    for consultation in consultations.order_by("round__number", "-permanent", "agency__code"):
        remaining = business_days_remaining(today, consultation.deadline)
        pending = consultation.status == ConsultationStatus.PENDING
        rows.append(
            ConsultationDeadline(
                consultation.pk,
                consultation.agency.code,
                consultation.agency.name_fr,
                consultation.round.number,
                consultation.permanent,
                consultation.deadline,
                remaining,
                consultation.status,
                consultation.opinion,
                pending and today > consultation.deadline,
            )
        )
    return rows


def consultations_queue_for(*, user: Any, pending_only: bool = True) -> QuerySet[Consultation]:
    """A commission member's queue: consultations of their agencies (in their territory), soonest deadline first."""
    scope = Q(pk__in=[])
    for membership in access.memberships_of(user, [Role.COMMISSION_MEMBER]):
        scope |= Q(agency_id=membership.agency_id) & access.territory_scope_q(membership.territory_id, "dossier__")
    queryset = Consultation.objects.filter(scope).select_related("dossier", "agency", "round")
    if pending_only:
        queryset = queryset.filter(status=ConsultationStatus.PENDING)
    return queryset.order_by("deadline", "pk")


def dossier_rounds(*, dossier: Dossier) -> QuerySet[InstructionRound]:
    return dossier.rounds.prefetch_related("consultations__agency", "remarks__replies").order_by("number")


def remarks_for(*, dossier: Dossier, round_number: int | None = None) -> QuerySet[Remark]:
    """The file's remarks (of one round), with their replies and the ids of their plan annotations."""
    linked = Prefetch("annotations", queryset=PlanAnnotation.objects.only("pk", "remark_id").order_by("pk"))
    remarks = (
        Remark.objects.filter(dossier=dossier).select_related("round", "agency").prefetch_related("replies", linked)
    )
    if round_number is not None:
        remarks = remarks.filter(round__number=round_number)
    return remarks.order_by("round__number", "created_at")


def audit_events_for(*, dossier: Dossier) -> QuerySet[AuditEvent]:
    """A file's history, oldest first (the history page)."""
    return AuditEvent.objects.filter(dossier=dossier).select_related("actor").order_by("sequence")


def actions_available(*, dossier: Dossier, user: Any) -> list[str]:
    """Workflow actions the user could run on the file now (for buttons; the services check again)."""
    return [str(action) for action in workflow.available_actions(dossier=dossier, actor=user)]


def _documents_annotated(queryset: QuerySet[DossierDocument]) -> QuerySet[DossierDocument]:
    superseded = StoredDocument.objects.filter(supersedes_id=OuterRef("stored_document_id"))
    return queryset.select_related("stored_document", "required_document", "uploaded_by").annotate(
        is_current=~Exists(superseded)
    )


def documents_for(*, dossier: Dossier, user: Any, current_only: bool = False) -> QuerySet[DossierDocument]:
    """Every uploaded version of the file's documents, oldest first, each annotated `is_current` (nothing
    supersedes it); only the current versions with `current_only`. `DossierNotFound` unless the user may see the
    file (the rules of `dossier_get_for`)."""
    visible = dossier_get_for(user=user, dossier_id=dossier.pk)
    documents = _documents_annotated(DossierDocument.objects.filter(dossier=visible))
    if current_only:
        documents = documents.exclude(stored_document__superseded_by__isnull=False)
    return documents.order_by("uploaded_at", "pk")


def dossier_document_get_for(*, user: Any, document_id: int) -> DossierDocument:
    """One uploaded version if the user may see its file; `NotFound` otherwise, whether it exists or not."""
    visible = dossiers_visible_to(user=user).values("pk")
    document = _documents_annotated(DossierDocument.objects.filter(pk=document_id, dossier__in=visible)).first()
    if document is None:
        raise NotFound(f"There is no document {document_id}.")
    return document


def architects_to_check(*, status: str = "pending") -> QuerySet[UserProfile]:
    """Architects' registrations by the desk's check status (pending first in, first out), with their user."""
    return (
        UserProfile.objects.filter(architect_status=status)
        .select_related("user", "architect_checked_by")
        .order_by("user__date_joined", "user_id")
    )


def applicant_identity_for(*, dossier: Dossier, viewer: Any) -> dict[str, Any]:
    """Who filed the file, as a back-office viewer sees it: the desk of its commune (and administrators) see the
    national ID number (CIN) in full, every other role sees it masked; a pseudonymised person is named as such."""
    applicant = dossier.applicant
    profile = UserProfile.objects.filter(user_id=applicant.pk).first()
    national_id = profile.national_id if profile else ""
    desk = access.holds_role(viewer, dossier, Role.DESK_AGENT)
    return {
        "name": applicant.get_full_name() or applicant.get_username(),
        "email": applicant.email,
        "phone": profile.phone if profile else "",
        "national_id": national_id if desk else mask_national_id(national_id),
        "pseudonymised": bool(profile and profile.pseudonymised_at),
    }
