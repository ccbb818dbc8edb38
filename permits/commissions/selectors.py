"""Reads of the commissions: the commission in charge of a file, its free slots and its booking; the sessions a
user sits in or runs, their agendas, attendance and quorum, the examination rows of a session; the outputs and
the signature queues. The services and both faces (web pages, JSON API) read through these functions; none writes.

The `..._for(*, user, ...)` look-ups answer `NotFound` for anything the user may not reach (a session of another
commission, someone else's signature, an output of a file they may not see, a slot of another commission): a row
that exists but is not the user's cannot be told from a missing one. Lists are read in a fixed number of queries,
whatever the number of rows.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from gis_core.documents.models import StoredDocument
from gis_core.problems import NotFound
from gis_core.signing.models import VerificationToken
from permits import access
from permits import selectors as permit_selectors
from permits.access import commune_ancestry
from permits.commissions.errors import CommissionNotFound, QuorumNotReached
from permits.commissions.models import (
    Attendance,
    Booking,
    BookingStatus,
    Commission,
    CommissionMember,
    Examination,
    OutputDocument,
    OutputKind,
    ProcedureDuration,
    Session,
    SessionStatus,
    SignatureRequest,
    SignatureStatus,
    Slot,
    SlotOccupancy,
)
from permits.errors import DossierNotFound
from permits.models import Consultation, ConsultationStatus, Dossier, DossierStatus, Role

# A file may book once it is complete: from under instruction until the commission has examined it.
BOOKABLE_STATUSES = frozenset(
    {
        DossierStatus.UNDER_INSTRUCTION,
        DossierStatus.REMARKS_ISSUED,
        DossierStatus.AWAITING_APPLICANT,
        DossierStatus.IN_COMMISSION,
    }
)
# Besides the commission's president and secretary, who runs a session: these roles over its territory.
SESSION_RUNNER_ROLES = (Role.COMMISSION_PRESIDENT, Role.DESK_AGENT, Role.ADMINISTRATOR)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# --- the commission in charge of a file, its slots and its booking ------------------------------------------


def commission_for_dossier(*, dossier: Dossier) -> Commission:
    """The active commission of the file's procedure over its commune (the closest territory wins)."""
    scope = commune_ancestry(dossier)
    candidates = list(
        Commission.objects.filter(
            active=True, procedures=dossier.procedure_id, territory_id__in=scope, family=dossier.procedure.family
        )
    )
    if not candidates:
        raise CommissionNotFound(
            f"no commission is in charge of {dossier.procedure.code} files in this commune",
            procedure=dossier.procedure.code,
        )
    return min(candidates, key=lambda commission: scope.index(commission.territory_id))


def session_slot_minutes(*, session: Session) -> int:
    if session.schedule_id is not None and session.schedule is not None:
        return session.schedule.slot_minutes
    total = (session.ends_at - session.starts_at).total_seconds() / 60
    return max(1, int(total // max(session.capacity, 1)))


def _procedure_minutes(commission: Commission, dossier: Dossier) -> int | None:
    return (
        ProcedureDuration.objects.filter(commission=commission, procedure_id=dossier.procedure_id)
        .values_list("minutes", flat=True)
        .first()
    )


def _slots_for(minutes: int | None, session: Session) -> int:
    if not minutes:
        return 1
    return max(1, math.ceil(minutes / session_slot_minutes(session=session)))


def slots_needed(*, commission: Commission, dossier: Dossier, session: Session) -> int:
    """Consecutive slots the file takes: the procedure's duration rounded up to whole slots (at least one)."""
    return _slots_for(_procedure_minutes(commission, dossier), session)


def booking_cutoff(*, commission: Commission, now: datetime | None = None) -> datetime:
    """Slots starting before this moment can no longer be booked, and bookings there can no longer move."""
    return (now or timezone.now()) + timedelta(hours=commission.booking_cutoff_hours)


@dataclass(frozen=True)
class FreeSlot:
    slot_id: int
    session_id: int
    starts_at: datetime
    ends_at: datetime
    slot_count: int


def slots_free_for(*, dossier: Dossier, now: datetime | None = None, limit: int = 200) -> list[FreeSlot]:
    """Slots where the file could start its examination: bookable (after the cut-off) and followed by enough
    free consecutive slots for the procedure's duration."""
    commission = commission_for_dossier(dossier=dossier)
    cutoff = booking_cutoff(commission=commission, now=now)
    minutes = _procedure_minutes(commission, dossier)
    sessions = list(
        Session.objects.filter(commission=commission, status=SessionStatus.PLANNED, starts_at__gte=cutoff)
        .select_related("schedule")
        .order_by("starts_at")
    )
    occupied = SlotOccupancy.objects.filter(slot=OuterRef("pk"))
    open_slots = Slot.objects.filter(session__in=[session.pk for session in sessions]).annotate(taken=Exists(occupied))
    slots_of: dict[int, list[Slot]] = defaultdict(list)
    for open_slot in open_slots.order_by("session_id", "number"):
        slots_of[open_slot.session_id].append(open_slot)
    free: list[FreeSlot] = []
    for session in sessions:
        needed = _slots_for(minutes, session)
        slots = slots_of[session.pk]
        for index, slot in enumerate(slots):
            run = slots[index : index + needed]
            if slot.starts_at < cutoff or len(run) < needed or any(getattr(item, "taken", False) for item in run):
                continue
            free.append(FreeSlot(slot.pk, session.pk, slot.starts_at, run[-1].ends_at, needed))
            if len(free) >= limit:
                return free
    return free


def dossier_bookable(*, dossier: Dossier) -> bool:
    """The file is complete, not yet examined, and a commission is in charge of it."""
    if dossier.status not in BOOKABLE_STATUSES:
        return False
    try:
        commission_for_dossier(dossier=dossier)
    except CommissionNotFound:
        return False
    return True


def booking_active_for(*, dossier: Dossier) -> Booking | None:
    return (
        Booking.objects.filter(dossier=dossier, status=BookingStatus.ACTIVE)
        .select_related("session__commission", "first_slot", "dossier")
        .first()
    )


def booking_of(*, dossier: Dossier) -> Booking:
    """The file's active booking; `NotFound` when it has none."""
    booking = booking_active_for(dossier=dossier)
    if booking is None:
        raise NotFound("This file has no booking.")
    return booking


def booking_get(*, booking_id: int) -> Booking:
    """A booking as it is stored now (any status), with its first slot."""
    return Booking.objects.select_related("first_slot").get(pk=booking_id)


def booking_movable(*, booking: Booking) -> bool:
    """The applicant may still move or cancel the booking: active, before the cut-off, the file not yet examined."""
    if booking.status != BookingStatus.ACTIVE:
        return False
    cutoff = booking_cutoff(commission=booking.session.commission)
    return booking.first_slot.starts_at >= cutoff and booking.dossier.status in BOOKABLE_STATUSES


def slot_for(*, dossier: Dossier, slot_id: int) -> Slot:
    """A slot of a session of the commission in charge of the file; `NotFound` otherwise."""
    commission = commission_for_dossier(dossier=dossier)
    slot = Slot.objects.filter(pk=slot_id, session__commission=commission).first()
    if slot is None:
        raise NotFound(f"There is no slot {slot_id} for this file.")
    return slot


# --- who sits in or runs a session ---------------------------------------------------------------------------


def member_seats_of(*, user: Any) -> QuerySet[CommissionMember]:
    return CommissionMember.objects.filter(user_id=user.pk, active=True, commission__active=True)


def commissions_of(*, user: Any) -> QuerySet[Commission]:
    """Commissions where the user sits (an active seat) or which they run (president, secretary)."""
    if not _signed_in(user):
        return Commission.objects.none()
    seats = member_seats_of(user=user).values_list("commission_id", flat=True)
    return Commission.objects.filter(
        Q(pk__in=seats) | Q(president_id=user.pk) | Q(secretary_id=user.pk), active=True
    ).distinct()


def commission_members(*, commission: Commission, include_inactive: bool = False) -> list[CommissionMember]:
    """The commission's members (active ones unless told), with their user and agency, by agency code."""
    members = CommissionMember.objects.filter(commission=commission).select_related("user", "agency")
    if not include_inactive:
        members = members.filter(active=True)
    return list(members.order_by("agency__code", "pk"))


def _sessions_run_by(user: Any, sessions: Iterable[Session]) -> set[int]:
    """Ids of the sessions the user runs: the commission's president or secretary, a superuser, or one of
    `SESSION_RUNNER_ROLES` nationally or over the commission's territory (one query for any number of sessions)."""
    if not _signed_in(user):
        return set()
    runs: set[int] = set()
    others: list[Session] = []
    for session in sessions:
        commission = session.commission
        if getattr(user, "is_superuser", False) or user.pk in (commission.president_id, commission.secretary_id):
            runs.add(session.pk)
        else:
            others.append(session)
    if others:
        territories = set(access.memberships_of(user, SESSION_RUNNER_ROLES).values_list("territory_id", flat=True))
        runs |= {session.pk for session in others if {None, session.commission.territory_id} & territories}
    return runs


def may_run_session(*, user: Any, session: Session) -> bool:
    """President, secretary (or the territory's president/desk/administrator): attendance and examinations."""
    return session.pk in _sessions_run_by(user, [session])


def _may_see_session(user: Any, session: Session) -> bool:
    return commissions_of(user=user).filter(pk=session.commission_id).exists() or may_run_session(
        user=user, session=session
    )


def sessions_for(*, user: Any, now: datetime | None = None, weeks: int | None = None) -> list[Session]:
    """The user's coming sessions (their commissions, the next `weeks`, by default as far as sessions are
    generated: `COMMISSIONS_GENERATE_WEEKS`; today's sessions stay listed)."""
    start = now or timezone.now()
    weeks = weeks or settings.COMMISSIONS_GENERATE_WEEKS
    return list(
        Session.objects.filter(
            commission__in=commissions_of(user=user),
            status=SessionStatus.PLANNED,
            starts_at__gte=start - timedelta(hours=12),
            starts_at__lt=start + timedelta(weeks=weeks),
        )
        .select_related("commission")
        .order_by("starts_at")
    )


def session_for(*, user: Any, session_id: int) -> Session:
    """A session of one of the user's commissions (or one they run); `NotFound` otherwise."""
    session = Session.objects.select_related("commission").filter(pk=session_id).first()
    if session is None or not _signed_in(user) or not _may_see_session(user, session):
        raise NotFound(f"There is no session {session_id} in your commissions.")
    return session


# --- agendas -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaEntry:
    position: int
    dossier_id: int
    reference: str
    title: str
    procedure: str
    commune: str
    starts_at: datetime
    ends_at: datetime
    status: str


def _agenda_bookings(session_ids: list[int]) -> QuerySet[Booking]:
    """The sessions' active bookings of files still awaiting the commission, in slot order, each annotated with
    the end of its last slot (`last_slot_ends_at`)."""
    last_slot = Slot.objects.filter(
        session=OuterRef("session"), number=OuterRef("first_slot__number") + OuterRef("slot_count") - 1
    )
    return (
        Booking.objects.filter(
            session_id__in=session_ids, status=BookingStatus.ACTIVE, dossier__status__in=BOOKABLE_STATUSES
        )
        .select_related("dossier__procedure", "dossier__commune", "first_slot")
        .annotate(last_slot_ends_at=Subquery(last_slot.values("ends_at")[:1]))
        .order_by("session_id", "first_slot__number")
    )


def _agenda_entry(booking: Booking, position: int) -> AgendaEntry:
    dossier = booking.dossier
    return AgendaEntry(
        position=position,
        dossier_id=dossier.pk,
        reference=dossier.reference or f"#{dossier.pk}",
        title=dossier.title,
        procedure=dossier.procedure.name_fr,
        commune=dossier.commune.name_fr,
        starts_at=booking.first_slot.starts_at,
        ends_at=getattr(booking, "last_slot_ends_at", None) or booking.first_slot.ends_at,
        status=dossier.status,
    )


def agendas_for(*, sessions: Iterable[Session]) -> dict[int, list[AgendaEntry]]:
    """Each session's agenda (by session id): booked files still awaiting the commission, in slot order."""
    agendas: dict[int, list[AgendaEntry]] = {session.pk: [] for session in sessions}
    for booking in _agenda_bookings(list(agendas)):
        entries = agendas[booking.session_id]
        entries.append(_agenda_entry(booking, len(entries) + 1))
    return agendas


def agenda_entries(*, session: Session) -> list[AgendaEntry]:
    """The session's agenda: booked files still awaiting the commission, in slot order."""
    return agendas_for(sessions=[session])[session.pk]


def output_latest_version(*, output: OutputDocument) -> StoredDocument:
    return StoredDocument.objects.filter(lineage=output.lineage).order_by("-version")[0]


def agenda_outputs_for(*, sessions: Iterable[Session]) -> dict[int, OutputDocument]:
    """The agenda output of each session that has one (by session id)."""
    outputs = OutputDocument.objects.filter(session__in=[session.pk for session in sessions], kind=OutputKind.AGENDA)
    latest: dict[int, OutputDocument] = {}
    for output in outputs.order_by("session_id", "-created_at"):
        if output.session_id is not None:
            latest.setdefault(output.session_id, output)
    return latest


def agenda_document(*, session: Session) -> tuple[OutputDocument, StoredDocument] | None:
    """The session's agenda output and its latest version, if generated."""
    output = agenda_outputs_for(sessions=[session]).get(session.pk)
    if output is None:
        return None
    return output, output_latest_version(output=output)


@dataclass(frozen=True)
class SessionOverview:
    session: Session
    runner: bool  # the user records attendance and examinations
    agenda: list[AgendaEntry]
    agenda_output: OutputDocument | None


def session_overviews(*, user: Any, sessions: list[Session]) -> list[SessionOverview]:
    """The sessions (read by `sessions_for` or `session_for`) with their agenda, agenda output and whether the
    user runs them."""
    agendas = agendas_for(sessions=sessions)
    outputs = agenda_outputs_for(sessions=sessions)
    runs = _sessions_run_by(user, sessions)
    return [
        SessionOverview(session, session.pk in runs, agendas[session.pk], outputs.get(session.pk))
        for session in sessions
    ]


@dataclass(frozen=True)
class WorkspaceSession:
    session: Session
    agenda: list[AgendaEntry]
    agenda_document: StoredDocument | None


def member_workspace(*, user: Any, now: datetime | None = None, weeks: int = 4) -> list[WorkspaceSession]:
    """A member's next sessions (their commissions, the coming `weeks`) with each agenda and its PDF."""
    start = now or timezone.now()
    commissions = member_seats_of(user=user).values_list("commission_id", flat=True)
    sessions = list(
        Session.objects.filter(
            commission_id__in=commissions,
            status=SessionStatus.PLANNED,
            starts_at__gte=start - timedelta(hours=12),
            starts_at__lt=start + timedelta(weeks=weeks),
        )
        .select_related("commission")
        .order_by("starts_at")
    )
    agendas = agendas_for(sessions=sessions)
    outputs = agenda_outputs_for(sessions=sessions)
    versions = _latest_versions([output.lineage for output in outputs.values()])
    return [
        WorkspaceSession(
            session,
            agendas[session.pk],
            versions[outputs[session.pk].lineage] if session.pk in outputs else None,
        )
        for session in sessions
    ]


def _latest_versions(lineages: list[Any]) -> dict[Any, StoredDocument]:
    documents = StoredDocument.objects.filter(lineage__in=lineages).order_by("lineage", "-version")
    return {document.lineage: document for document in documents.distinct("lineage")}


# --- a session: attendance, quorum, examination rows ---------------------------------------------------------


def _quorum_shortfall(session: Session, present: list[CommissionMember]) -> QuorumNotReached | None:
    commission = session.commission
    if len(present) < commission.quorum_minimum_members:
        return QuorumNotReached(
            f"{len(present)} member(s) present, {commission.quorum_minimum_members} required",
            present=len(present),
            required=commission.quorum_minimum_members,
        )
    missing = sorted(
        set(commission.required_agencies.values_list("code", flat=True)) - {member.agency.code for member in present}
    )
    if missing:
        return QuorumNotReached("agencies that must be present are absent", missing_agencies=missing)
    return None


def quorum_check(*, session: Session) -> list[CommissionMember]:
    """The members present; raises QuorumNotReached when too few are, or a required agency is absent."""
    attendances = Attendance.objects.filter(session=session, present=True).select_related("member__agency")
    present = [attendance.member for attendance in attendances]
    shortfall = _quorum_shortfall(session, present)
    if shortfall is not None:
        raise shortfall
    return present


@dataclass(frozen=True)
class QuorumState:
    recorded: bool
    reached: bool
    present: list[CommissionMember]
    detail: str


@dataclass(frozen=True)
class AttendanceRow:
    member: CommissionMember
    present: bool | None  # None while the member's attendance is not recorded


@dataclass(frozen=True)
class SessionAttendance:
    members: list[AttendanceRow]  # the active members, by agency code
    quorum: QuorumState


def session_attendance(*, session: Session) -> SessionAttendance:
    """Who is present among the active members, whether attendance is recorded and the quorum reached (the rule
    of `quorum_check`)."""
    attendances = list(Attendance.objects.filter(session=session).select_related("member__agency"))
    recorded = {attendance.member_id: attendance.present for attendance in attendances}
    present = [attendance.member for attendance in attendances if attendance.present]
    shortfall = _quorum_shortfall(session, present)
    detail = "" if shortfall is None else str(shortfall.detail or shortfall)
    quorum = QuorumState(bool(attendances), shortfall is None, present, detail)
    members = commission_members(commission=session.commission)
    return SessionAttendance([AttendanceRow(member, recorded.get(member.pk)) for member in members], quorum)


def agenda_booking_for(*, session: Session, dossier_id: int) -> Booking:
    """The file's active booking in the session (the file is on its agenda), with the file; `NotFound` otherwise."""
    booking = (
        Booking.objects.filter(session=session, dossier_id=dossier_id, status=BookingStatus.ACTIVE)
        .select_related("dossier")
        .first()
    )
    if booking is None:
        raise NotFound(f"File {dossier_id} is not on this session's agenda.")
    return booking


def examination_for(*, user: Any, examination_id: int) -> Examination:
    """An examination of a session the user runs; `NotFound` otherwise."""
    examination = Examination.objects.select_related("session__commission", "dossier").filter(pk=examination_id).first()
    if examination is None or not may_run_session(user=user, session=examination.session):
        raise NotFound(f"There is no examination {examination_id} in your sessions.")
    return examination


def examination_get(*, examination_id: int) -> Examination:
    """An examination as it is stored now, with its file and its members' opinions (and their agencies)."""
    examinations = Examination.objects.select_related("dossier").prefetch_related("member_opinions__agency")
    return examinations.get(pk=examination_id)


@dataclass(frozen=True)
class OutputLink:
    output: OutputDocument
    verify: str | None  # its public verification page, once stamped


@dataclass(frozen=True)
class ExaminationRow:
    entry: AgendaEntry | None  # None for a file examined here that left the agenda (decided)
    dossier: Dossier
    examination: Examination | None
    consultations: list[Consultation]  # the opinions gathered, latest round first
    outputs: list[OutputLink]  # the outputs of this examination


def examination_rows(*, session: Session) -> list[ExaminationRow]:
    """Every file of the session's agenda, then every other file the session examined, with the consultations'
    opinions, the examination (members' opinions with their user and agency) and its outputs."""
    bookings = list(_agenda_bookings([session.pk]))
    entries = {booking.dossier_id: _agenda_entry(booking, position) for position, booking in enumerate(bookings, 1)}
    dossiers = {booking.dossier_id: booking.dossier for booking in bookings}
    examinations = {
        examination.dossier_id: examination
        for examination in Examination.objects.filter(session=session)
        .select_related("dossier")
        .prefetch_related("member_opinions__member__user", "member_opinions__agency")
    }
    dossier_ids = [*entries, *(pk for pk in examinations if pk not in entries)]
    consultations: dict[int, list[Consultation]] = defaultdict(list)
    for consultation in (
        Consultation.objects.filter(
            dossier_id__in=dossier_ids, status__in=[ConsultationStatus.GIVEN, ConsultationStatus.TACIT]
        )
        .select_related("agency", "round")
        .order_by("dossier_id", "-round__number", "agency__code")
    ):
        consultations[consultation.dossier_id].append(consultation)
    examination_ids = [examination.pk for examination in examinations.values()]
    outputs = list(OutputDocument.objects.filter(examination__in=examination_ids).order_by("created_at", "id"))
    paths = verification_paths(outputs=outputs)
    links: dict[int | None, list[OutputLink]] = defaultdict(list)
    for output in outputs:
        links[output.examination_id].append(OutputLink(output, paths[output.pk]))
    rows = []
    for dossier_id in dossier_ids:
        examination = examinations.get(dossier_id)
        rows.append(
            ExaminationRow(
                entry=entries.get(dossier_id),
                dossier=examination.dossier if examination else dossiers[dossier_id],
                examination=examination,
                consultations=consultations[dossier_id],
                outputs=links[examination.pk] if examination else [],
            )
        )
    return rows


# --- outputs and signatures ----------------------------------------------------------------------------------


def verification_paths(*, outputs: Iterable[OutputDocument]) -> dict[int, str | None]:
    """The public verification page of each output (its lineage's token), None for one not stamped (by id)."""
    outputs = list(outputs)
    lineages = {output.lineage for output in outputs}
    tokens = dict(VerificationToken.objects.filter(lineage__in=lineages).values_list("lineage", "token"))
    return {
        output.pk: reverse("signing:verify", kwargs={"token": tokens[output.lineage]})
        if output.lineage in tokens
        else None
        for output in outputs
    }


def output_for(*, user: Any, output_id: int) -> OutputDocument:
    """An output the user may read: a signer of it, the staff who may see its file, the file's applicant once the
    file is published (`published`), or (agenda) a session member."""
    output = OutputDocument.objects.select_related("examination__dossier", "session").filter(pk=output_id).first()
    if output is None or not _signed_in(user):
        raise NotFound(f"There is no document {output_id} for you.")
    if output.signature_requests.filter(signer_id=user.pk).exists():
        return output
    if output.kind == OutputKind.AGENDA and output.session is not None:
        if _may_see_session(user, output.session):
            return output
    elif output.examination is not None:
        try:
            dossier = permit_selectors.dossier_get_for(user=user, dossier_id=output.examination.dossier_id)
        except DossierNotFound:
            pass
        else:
            if not access.is_owner(user, dossier) or _released_to_owner(output, dossier):
                return output
    raise NotFound(f"There is no document {output_id} for you.")


def _released_to_owner(output: OutputDocument, dossier: Dossier) -> bool:
    """The applicant (or architect) reads their file's outputs only once released (`published`)."""
    from permits.commissions import published  # published reads `dossier_signatures_complete` from here

    return output.kind in published.APPLICANT_KINDS and published.documents_released(dossier=dossier)


def signature_requests_pending_for(*, user: Any) -> list[SignatureRequest]:
    """Signatures the user must give now (their turn has come: every earlier signer has signed)."""
    pending = SignatureRequest.objects.filter(signer_id=user.pk, status=SignatureStatus.PENDING).select_related(
        "output__examination__dossier"
    )
    earlier_pending = SignatureRequest.objects.filter(
        output=OuterRef("output"), position__lt=OuterRef("position"), status=SignatureStatus.PENDING
    )
    return list(pending.annotate(blocked=Exists(earlier_pending)).filter(blocked=False).order_by("pk"))


def signature_requests_signed_by(*, user: Any, limit: int = 20) -> list[SignatureRequest]:
    """The user's latest signatures, newest first."""
    signed = SignatureRequest.objects.filter(signer_id=user.pk, status=SignatureStatus.SIGNED)
    return list(signed.select_related("output__examination__dossier").order_by("-signed_at")[:limit])


def signature_request_for(*, user: Any, request_id: int) -> SignatureRequest:
    """One of the user's own signature requests; `NotFound` for anyone else's."""
    request = (
        SignatureRequest.objects.select_related("output__examination__dossier")
        .filter(pk=request_id, signer_id=getattr(user, "pk", None))
        .first()
    )
    if request is None:
        raise NotFound(f"There is no signature {request_id} for you.")
    return request


@dataclass(frozen=True)
class SignedOutput:
    output: OutputDocument
    verify: str | None  # its public verification page, once stamped
    requests: list[SignatureRequest]  # every signature it needs, in order, with the signer


@dataclass(frozen=True)
class SignatureFile:
    dossier: Dossier
    outputs: list[SignedOutput]


def signature_files_for(*, requests: Iterable[SignatureRequest]) -> list[SignatureFile]:
    """The files of these signature requests (read with `output__examination__dossier`), in their order, each with
    every output of the file, its verification page and its signatures."""
    dossiers: dict[int, Dossier] = {}
    for request in requests:
        if request.output.examination is not None:
            dossiers.setdefault(request.output.examination.dossier_id, request.output.examination.dossier)
    in_order = SignatureRequest.objects.select_related("signer").order_by("position")
    outputs = list(
        OutputDocument.objects.filter(examination__dossier_id__in=list(dossiers))
        .select_related("examination")
        .prefetch_related(Prefetch("signature_requests", queryset=in_order))
        .order_by("created_at", "id")
    )
    paths = verification_paths(outputs=outputs)
    by_dossier: dict[int, list[SignedOutput]] = defaultdict(list)
    for output in outputs:
        assert output.examination is not None  # outputs of the files' examinations
        signed = SignedOutput(output, paths[output.pk], list(output.signature_requests.all()))
        by_dossier[output.examination.dossier_id].append(signed)
    return [SignatureFile(dossier, by_dossier[dossier_id]) for dossier_id, dossier in dossiers.items()]


def dossier_signatures_complete(*, dossier: Dossier) -> bool:
    """True when every output of the file's latest examination is signed by all its signers."""
    requests = SignatureRequest.objects.filter(output__examination__dossier=dossier)
    return requests.exists() and not requests.filter(~Q(status=SignatureStatus.SIGNED)).exists()
