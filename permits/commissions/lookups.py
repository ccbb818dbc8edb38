"""What the faces (web pages, JSON API) of the commissions share: the look-ups that answer 404 for anything the
user may not reach (a session of another commission, someone else's signature, an output of a file they may not
see, a booking of another file), and who runs a session (president, secretariat) or sits in it.

Ids cannot be probed: a row that exists but is not the user's raises the same `NotFound` as a missing one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from gis_core.documents.models import StoredDocument
from gis_core.problems import NotFound
from gis_core.signing.models import VerificationToken
from permits import access
from permits import selectors as permit_selectors
from permits.commissions import published, selectors
from permits.commissions.errors import CommissionNotFound, QuorumNotReached
from permits.commissions.examination import _may_run_session, quorum_check
from permits.commissions.models import (
    Attendance,
    Booking,
    Commission,
    CommissionMember,
    Examination,
    OutputDocument,
    OutputKind,
    Session,
    SessionStatus,
    SignatureRequest,
    Slot,
)
from permits.errors import DossierNotFound
from permits.models import Dossier

__all__ = [
    "QuorumState",
    "booking_of",
    "commissions_of",
    "dossier_bookable",
    "examination_for",
    "may_run_session",
    "output_for",
    "quorum_state",
    "session_for",
    "sessions_for",
    "signature_request_for",
    "slot_for",
    "verification_path",
]


def commissions_of(*, user: Any) -> QuerySet[Commission]:
    """Commissions where the user sits (an active seat) or which they run (president, secretary)."""
    if not getattr(user, "is_authenticated", False):
        return Commission.objects.none()
    seats = selectors.member_seats_of(user=user).values_list("commission_id", flat=True)
    return Commission.objects.filter(
        Q(pk__in=seats) | Q(president_id=user.pk) | Q(secretary_id=user.pk), active=True
    ).distinct()


def may_run_session(*, user: Any, session: Session) -> bool:
    """President, secretary (or the territory's president/desk/administrator): attendance and examinations."""
    return bool(getattr(user, "is_authenticated", False)) and _may_run_session(user, session)


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
    if session is None or not getattr(user, "is_authenticated", False) or not _may_see_session(user, session):
        raise NotFound(f"There is no session {session_id} in your commissions.")
    return session


def examination_for(*, user: Any, examination_id: int) -> Examination:
    """An examination of a session the user runs; `NotFound` otherwise."""
    examination = Examination.objects.select_related("session__commission", "dossier").filter(pk=examination_id).first()
    if examination is None or not may_run_session(user=user, session=examination.session):
        raise NotFound(f"There is no examination {examination_id} in your sessions.")
    return examination


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


def output_for(*, user: Any, output_id: int) -> OutputDocument:
    """An output the user may read: a signer of it, the staff who may see its file, the file's applicant once the
    file is published (`published`), or (agenda) a session member."""
    output = OutputDocument.objects.select_related("examination__dossier", "session").filter(pk=output_id).first()
    if output is None or not getattr(user, "is_authenticated", False):
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
    return output.kind in published.APPLICANT_KINDS and published.documents_released(dossier=dossier)


def verification_path(*, output: OutputDocument) -> str | None:
    """The public verification page of an output (its lineage's token), if it was stamped."""
    from django.urls import reverse

    token = VerificationToken.objects.filter(lineage=output.lineage).values_list("token", flat=True).first()
    return reverse("signing:verify", kwargs={"token": token}) if token else None


def dossier_bookable(*, dossier: Dossier) -> bool:
    """The file is complete, not yet examined, and a commission is in charge of it."""
    if dossier.status not in selectors.BOOKABLE_STATUSES:
        return False
    try:
        selectors.commission_for_dossier(dossier=dossier)
    except CommissionNotFound:
        return False
    return True


def booking_of(*, dossier: Dossier) -> Booking:
    """The file's active booking; `NotFound` when it has none."""
    booking = selectors.booking_active_for(dossier=dossier)
    if booking is None:
        raise NotFound("This file has no booking.")
    return booking


def slot_for(*, dossier: Dossier, slot_id: int) -> Slot:
    """A slot of a session of the commission in charge of the file; `NotFound` otherwise."""
    commission = selectors.commission_for_dossier(dossier=dossier)
    slot = Slot.objects.filter(pk=slot_id, session__commission=commission).first()
    if slot is None:
        raise NotFound(f"There is no slot {slot_id} for this file.")
    return slot


@dataclass(frozen=True)
class QuorumState:
    recorded: bool
    reached: bool
    present: list[CommissionMember]
    detail: str


def quorum_state(*, session: Session) -> QuorumState:
    """Whether attendance is recorded and the quorum reached (`quorum_check`), for display."""
    recorded = Attendance.objects.filter(session=session).exists()
    try:
        present = quorum_check(session=session)
    except QuorumNotReached as error:
        present = [row.member for row in Attendance.objects.filter(session=session, present=True)]
        return QuorumState(recorded, False, present, str(getattr(error, "detail", "") or error))
    return QuorumState(recorded, True, present, "")


def agenda_document(*, session: Session) -> tuple[OutputDocument, StoredDocument] | None:
    """The session's agenda output and its latest version, if generated."""
    output = OutputDocument.objects.filter(session=session, kind=OutputKind.AGENDA).order_by("-created_at").first()
    if output is None:
        return None
    return output, selectors.output_latest_version(output=output)
