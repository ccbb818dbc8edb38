"""Reads of the commissions: which commission is in charge of a file, free slots, agendas, members' workspace.

Faces (web pages, API) and the services read through these functions; none of them writes.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from gis_core.documents.models import StoredDocument
from permits.access import commune_ancestry
from permits.commissions.errors import CommissionNotFound
from permits.commissions.models import (
    Booking,
    BookingStatus,
    Commission,
    CommissionMember,
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
from permits.models import Dossier, DossierStatus

# A file may book once it is complete: from under instruction until the commission has examined it.
BOOKABLE_STATUSES = frozenset(
    {
        DossierStatus.UNDER_INSTRUCTION,
        DossierStatus.REMARKS_ISSUED,
        DossierStatus.AWAITING_APPLICANT,
        DossierStatus.IN_COMMISSION,
    }
)
DEFAULT_SLOT_MINUTES = 30


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


def slots_needed(*, commission: Commission, dossier: Dossier, session: Session) -> int:
    """Consecutive slots the file takes: the procedure's duration rounded up to whole slots (at least one)."""
    duration = (
        ProcedureDuration.objects.filter(commission=commission, procedure_id=dossier.procedure_id)
        .values_list("minutes", flat=True)
        .first()
    )
    if not duration:
        return 1
    return max(1, math.ceil(duration / session_slot_minutes(session=session)))


def booking_cutoff(*, commission: Commission, now: datetime | None = None) -> datetime:
    """Slots starting before this moment can no longer be booked, and bookings there can no longer move."""
    return (now or timezone.now()) + timedelta(hours=commission.booking_cutoff_hours)


def sessions_upcoming(*, commission: Commission, now: datetime | None = None) -> QuerySet[Session]:
    return Session.objects.filter(
        commission=commission, status=SessionStatus.PLANNED, starts_at__gte=now or timezone.now()
    ).order_by("starts_at")


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
    sessions = Session.objects.filter(commission=commission, status=SessionStatus.PLANNED, starts_at__gte=cutoff)
    free: list[FreeSlot] = []
    occupied = SlotOccupancy.objects.filter(slot=OuterRef("pk"))
    for session in sessions.select_related("schedule").order_by("starts_at"):
        needed = slots_needed(commission=commission, dossier=dossier, session=session)
        slots = list(session.slots.annotate(taken=Exists(occupied)).order_by("number"))
        for index, slot in enumerate(slots):
            run = slots[index : index + needed]
            if slot.starts_at < cutoff or len(run) < needed or any(getattr(item, "taken", False) for item in run):
                continue
            free.append(FreeSlot(slot.pk, session.pk, slot.starts_at, run[-1].ends_at, needed))
            if len(free) >= limit:
                return free
    return free


def booking_active_for(*, dossier: Dossier) -> Booking | None:
    return (
        Booking.objects.filter(dossier=dossier, status=BookingStatus.ACTIVE)
        .select_related("session__commission", "first_slot")
        .first()
    )


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


def agenda_entries(*, session: Session) -> list[AgendaEntry]:
    """The session's agenda: booked files still awaiting the commission, in slot order."""
    bookings = (
        Booking.objects.filter(session=session, status=BookingStatus.ACTIVE, dossier__status__in=BOOKABLE_STATUSES)
        .select_related("dossier__procedure", "dossier__commune", "first_slot")
        .order_by("first_slot__number")
    )
    entries = []
    for position, booking in enumerate(bookings, start=1):
        last = Slot.objects.filter(session=session, number=booking.first_slot.number + booking.slot_count - 1).first()
        dossier = booking.dossier
        entries.append(
            AgendaEntry(
                position=position,
                dossier_id=dossier.pk,
                reference=dossier.reference or f"#{dossier.pk}",
                title=dossier.title,
                procedure=dossier.procedure.name_fr,
                commune=dossier.commune.name_fr,
                starts_at=booking.first_slot.starts_at,
                ends_at=(last or booking.first_slot).ends_at,
                status=dossier.status,
            )
        )
    return entries


def output_latest_version(*, output: OutputDocument) -> StoredDocument:
    return StoredDocument.objects.filter(lineage=output.lineage).order_by("-version")[0]


def agenda_document_for(*, session: Session) -> StoredDocument | None:
    """The latest version of the session's agenda PDF, if generated."""
    output = OutputDocument.objects.filter(session=session, kind=OutputKind.AGENDA).order_by("-created_at").first()
    return output_latest_version(output=output) if output else None


def member_seats_of(*, user: Any) -> QuerySet[CommissionMember]:
    return CommissionMember.objects.filter(user_id=user.pk, active=True, commission__active=True)


@dataclass(frozen=True)
class WorkspaceSession:
    session: Session
    agenda: list[AgendaEntry]
    agenda_document: StoredDocument | None


def member_workspace(*, user: Any, now: datetime | None = None, weeks: int = 4) -> list[WorkspaceSession]:
    """A member's next sessions (their commissions, the coming `weeks`) with each agenda and its PDF."""
    start = now or timezone.now()
    commissions = member_seats_of(user=user).values_list("commission_id", flat=True)
    sessions = Session.objects.filter(
        commission_id__in=commissions,
        status=SessionStatus.PLANNED,
        starts_at__gte=start - timedelta(hours=12),
        starts_at__lt=start + timedelta(weeks=weeks),
    ).select_related("commission")
    return [
        WorkspaceSession(session, agenda_entries(session=session), agenda_document_for(session=session))
        for session in sessions.order_by("starts_at")
    ]


def signature_requests_pending_for(*, user: Any) -> list[SignatureRequest]:
    """Signatures the user must give now (their turn has come: every earlier signer has signed)."""
    pending = SignatureRequest.objects.filter(signer_id=user.pk, status=SignatureStatus.PENDING).select_related(
        "output__examination__dossier"
    )
    earlier_pending = SignatureRequest.objects.filter(
        output=OuterRef("output"), position__lt=OuterRef("position"), status=SignatureStatus.PENDING
    )
    return list(pending.annotate(blocked=Exists(earlier_pending)).filter(blocked=False).order_by("pk"))


def outputs_for_dossier(*, dossier: Dossier) -> QuerySet[OutputDocument]:
    return OutputDocument.objects.filter(examination__dossier=dossier).order_by("created_at", "id")


def dossier_signatures_complete(*, dossier: Dossier) -> bool:
    """True when every output of the file's latest examination is signed by all its signers."""
    requests = SignatureRequest.objects.filter(output__examination__dossier=dossier)
    return requests.exists() and not requests.filter(~Q(status=SignatureStatus.SIGNED)).exists()
