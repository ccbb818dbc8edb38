"""Reads of the sessions: who sits in a commission and who runs its sessions, the sessions a user reaches
(`NotFound` for any other), their agendas, attendance and quorum, the rows of a session's examinations, and who
may read an output (its signers, the staff who see its file, the applicant once released, for an agenda the
session's members)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from gis_core.documents.models import StoredDocument
from gis_core.problems import NotFound
from permits import access, workflow
from permits import selectors as permit_selectors
from permits.commissions.guards import quorum_shortfall
from permits.commissions.models import (
    Attendance,
    Booking,
    BookingStatus,
    Commission,
    CommissionMember,
    Examination,
    OutputDocument,
    OutputKind,
    Session,
    SessionStatus,
    Slot,
)
from permits.commissions.selectors.outputs import agenda_documents_for, agenda_outputs_for, verification_paths
from permits.errors import DossierNotFound
from permits.models import Consultation, ConsultationStatus, Dossier, Role

# Besides the commission's president and secretary, who runs a session: these roles over its territory.
SESSION_RUNNER_ROLES = (Role.COMMISSION_PRESIDENT, Role.DESK_AGENT, Role.ADMINISTRATOR)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


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
            session_id__in=session_ids, status=BookingStatus.ACTIVE, dossier__status__in=workflow.BOOKABLE
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
    documents = agenda_documents_for(sessions=sessions)
    return [WorkspaceSession(session, agendas[session.pk], documents.get(session.pk)) for session in sessions]


# --- a session: attendance, quorum, examination rows ---------------------------------------------------------


def quorum_check(*, session: Session) -> list[CommissionMember]:
    """The members present; raises QuorumNotReached when too few are, or a required agency is absent."""
    attendances = Attendance.objects.filter(session=session, present=True).select_related("member__agency")
    present = [attendance.member for attendance in attendances]
    shortfall = quorum_shortfall(session=session, present=present)
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
    shortfall = quorum_shortfall(session=session, present=present)
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


# --- who may read an output ----------------------------------------------------------------------------------


def output_for(*, user: Any, output_id: int) -> OutputDocument:
    """An output the user may read: a signer of it, the staff who may see its file, the file's applicant once the
    file is published (`published`), or (agenda) a session member."""
    output = OutputDocument.objects.select_related("dossier", "session").filter(pk=output_id).first()
    if output is None or not _signed_in(user):
        raise NotFound(f"There is no document {output_id} for you.")
    if output.signature_requests.filter(signer_id=user.pk).exists():
        return output
    if output.kind == OutputKind.AGENDA and output.session is not None:
        if _may_see_session(user, output.session):
            return output
    elif output.dossier_id is not None:
        try:
            dossier = permit_selectors.dossier_get_for(user=user, dossier_id=output.dossier_id)
        except DossierNotFound:
            pass
        else:
            if not access.is_owner(user, dossier) or _released_to_owner(output, dossier):
                return output
    raise NotFound(f"There is no document {output_id} for you.")


def _released_to_owner(output: OutputDocument, dossier: Dossier) -> bool:
    """The applicant (or architect) reads their file's outputs only once released (`published`)."""
    from permits.commissions import published  # (published imports this package: its rule is read when needed)

    return output.kind in published.APPLICANT_KINDS and published.documents_released(dossier=dossier)
