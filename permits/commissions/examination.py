"""Writes: the agenda of a session (PDF + notification of the members), attendance, each file's examination
(member opinions gathered from the consultations, the commission's joint opinion), and the president's decision.

`examination_decide` runs `permits.services.dossier_decide` with the examination (the workflow checks the session's
quorum) and, in the same transaction, generates the PV and the decision PDFs, stamps them (and the file's
architectural plans when authorised) with their verification QR code, and lays out the signatures each one needs
(`permits.commissions.signatures`).

Locks, in one order everywhere (the file, then the session, then its bookings and slots; `booking` does the same):
a booking moved or cancelled while the file is examined waits for the examination, never deadlocks with it.
`session_agenda_send` locks the session alone. A refusal for lack of permission is audited (`permits.refusals`).
"""

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from gis_core.documents.models import StoredDocument
from gis_core.documents.services import document_store
from gis_core.documents.validation import DocumentKind
from gis_core.events import event_publish
from gis_core.notifications.services import notification_schedule_event
from permits import services
from permits.audit import audit_deferred, audit_record, canonical_json
from permits.commissions import pdf, selectors
from permits.commissions.errors import InvalidCommissionInput, NotOnAgenda, PermissionDenied
from permits.commissions.models import (
    Attendance,
    Booking,
    BookingStatus,
    CommissionMember,
    Examination,
    MemberOpinion,
    OpinionSource,
    OutputDocument,
    OutputKind,
    Session,
    SessionStatus,
)
from permits.commissions.selectors import AgendaEntry, may_run_session, quorum_check
from permits.commissions.signatures import outputs_prepare
from permits.events import DecisionRecorded, SessionHeld
from permits.models import Consultation, ConsultationStatus, Dossier, DossierStatus, OpinionValue
from permits.notifications import recipients
from permits.refusals import refusals_audited
from permits.services.common import dossier_lock

AGENDA_EVENT = "commission.agenda"


def session_path(session_id: int) -> str:
    """Where the members' workspace shows a session and its agenda (served by the web face)."""
    return f"/office/commission/sessions/{session_id}/"


def _output_store(*, data: bytes, filename: str, previous: StoredDocument | None, user: Any) -> StoredDocument:
    return document_store(
        stream=io.BytesIO(data),
        filename=filename,
        allowed_kinds=(DocumentKind.PDF,),
        supersedes=previous,
        user=user,
    )


def _agenda_sha256(session: Session, entries: list[AgendaEntry], member_ids: list[int]) -> str:
    """What an agenda says: the session's times, its files in slot order and the members it goes to."""
    content = {
        "session": [session.starts_at, session.ends_at],
        "entries": [
            [entry.position, entry.dossier_id, entry.reference, entry.title, entry.starts_at, entry.ends_at]
            for entry in entries
        ],
        "members": sorted(member_ids),
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AgendaSent:
    output: OutputDocument
    sent: bool  # False: the agenda last sent says the same; nothing was generated, nobody notified


@transaction.atomic
def session_agenda_send(*, session: Session, actor: Any = None) -> AgendaSent:
    """Generate the agenda PDF and notify every active member by their channels, unless the agenda last sent says
    the same (same files, slots and members): then nothing is generated and nobody is notified again.

    Idempotent: the session's row is locked, so two runs at once (the beat task twice, a retry) send one agenda; a
    changed agenda is a new version of the same output, sent once (`session-<id>#agenda-v<version>`).
    """
    session = Session.objects.select_for_update(of=("self",)).select_related("commission__territory").get(pk=session.pk)
    entries = selectors.agenda_entries(session=session)
    members = CommissionMember.objects.filter(commission=session.commission, active=True)
    fingerprint = _agenda_sha256(session, entries, list(members.values_list("pk", flat=True)))
    output = OutputDocument.objects.filter(session=session, kind=OutputKind.AGENDA).first()
    if output is not None and output.source_sha256 == fingerprint:
        return AgendaSent(output, sent=False)
    previous = selectors.output_latest_version(output=output) if output else None
    data = pdf.agenda_pdf(session=session, entries=entries)
    filename = f"ordre-du-jour-{session.starts_at:%Y%m%d-%H%M}.pdf"
    document = _output_store(data=data, filename=filename, previous=previous, user=actor)
    if output is None:
        output = OutputDocument.objects.create(
            kind=OutputKind.AGENDA, session=session, document=document, lineage=document.lineage
        )
    output.source_sha256 = fingerprint
    output.save(update_fields=["source_sha256"])
    reference = f"session-{session.pk}#agenda-v{document.version}"
    for person in recipients(members.values_list("user_id", flat=True)):
        for channel, address in person.channels():
            notification_schedule_event(
                channel=channel,
                recipient=address,
                language=person.language,
                event_key=AGENDA_EVENT,
                reference=reference,
                context={
                    "name": person.name,
                    "commission": session.commission.name_fr,
                    "date": session.starts_at,
                    "files": len(entries),
                    "references": [entry.reference for entry in entries],
                    "link": session_path(session.pk),
                },
            )
    audit_record(
        action="commission.agenda_sent",
        actor_id=actor.pk if actor is not None else None,
        payload={"session": session.pk, "document": str(document.pk), "sha256": document.sha256, "files": len(entries)},
    )
    return AgendaSent(output, sent=True)


def _session_lock(session_id: int) -> Session:
    return Session.objects.select_for_update(of=("self",)).select_related("commission").get(pk=session_id)


def _examination_dossier(arguments: Any) -> int | None:
    examination = arguments.get("examination")
    return getattr(examination, "dossier_id", None)


@refusals_audited("commission.attendance", dossier_of=lambda arguments: None)
@transaction.atomic
def session_attendance_record(
    *, actor: Any, address: str | None, session: Session, present_member_ids: list[int]
) -> list[Attendance]:
    """Record who is present (every other active member is recorded absent)."""
    session = _session_lock(session.pk)
    if not may_run_session(user=actor, session=session):
        raise PermissionDenied("only the president or the secretariat records attendance", action="attendance")
    members = {member.pk: member for member in CommissionMember.objects.filter(commission=session.commission)}
    unknown = set(present_member_ids) - set(members)
    if unknown:
        raise InvalidCommissionInput("unknown members for this commission", members=sorted(unknown))
    rows = []
    for member in members.values():
        if not member.active and member.pk not in present_member_ids:
            continue
        attendance, _created = Attendance.objects.update_or_create(
            session=session,
            member=member,
            defaults={"present": member.pk in present_member_ids, "recorded_by": actor},
        )
        rows.append(attendance)
    audit_record(
        action="commission.attendance_recorded",
        actor_id=actor.pk,
        address=address,
        payload={"session": session.pk, "present": sorted(present_member_ids)},
    )
    event_publish(
        event=SessionHeld(
            session_id=session.pk,
            commission_id=session.commission_id,
            actor_id=actor.pk,
            present_member_ids=tuple(sorted(present_member_ids)),
        )
    )
    return rows


def _consultation_opinions(dossier: Dossier) -> dict[int, Consultation]:
    """The latest opinion of each consulted agency (current round first, then earlier rounds)."""
    opinions: dict[int, Consultation] = {}
    consultations = Consultation.objects.filter(
        dossier=dossier, status__in=[ConsultationStatus.GIVEN, ConsultationStatus.TACIT]
    ).order_by("-round__number")
    for consultation in consultations:
        opinions.setdefault(consultation.agency_id, consultation)
    return opinions


@refusals_audited("commission.examination")
@transaction.atomic
def examination_record(
    *,
    actor: Any,
    address: str | None,
    session: Session,
    dossier: Dossier,
    joint_opinion: str,
    joint_motivation: str = "",
    member_opinions: dict[int, tuple[str, str]] | None = None,
) -> Examination:
    """Record the commission's joint opinion on a file of the agenda, with every present member's opinion.

    A member's opinion is what they state in session (`member_opinions`: member id -> (opinion, motivation)),
    else their agency's opinion from the consultations. The quorum must be reached.
    """
    dossier = dossier_lock(dossier=dossier)  # the file first, then the session: the order of every writer
    session = _session_lock(session.pk)
    if not may_run_session(user=actor, session=session):
        raise PermissionDenied("only the president or the secretariat records the joint opinion", action="examine")
    if session.status == SessionStatus.CANCELLED:
        raise NotOnAgenda("the session was cancelled")
    booked = Booking.objects.filter(session=session, dossier=dossier, status=BookingStatus.ACTIVE).exists()
    if not booked or dossier.status != DossierStatus.IN_COMMISSION:
        raise NotOnAgenda("the file must be booked in this session and in commission", current_status=dossier.status)
    if joint_opinion not in OpinionValue.values:
        raise InvalidCommissionInput(f"unknown opinion {joint_opinion!r}")
    if joint_opinion != OpinionValue.FAVOURABLE and not joint_motivation.strip():
        raise InvalidCommissionInput("a joint opinion other than favourable must be motivated")
    present = quorum_check(session=session)
    stated = member_opinions or {}
    if set(stated) - {member.pk for member in present}:
        raise InvalidCommissionInput("only members present state an opinion in session")
    examination, _created = Examination.objects.update_or_create(
        session=session,
        dossier=dossier,
        defaults={"joint_opinion": joint_opinion, "joint_motivation": joint_motivation, "recorded_by": actor},
    )
    examination.member_opinions.all().delete()
    consulted = _consultation_opinions(dossier)
    for member in present:
        if member.pk in stated:
            opinion, motivation = stated[member.pk]
            source = OpinionSource.SESSION
        elif member.agency_id in consulted:
            opinion, motivation = consulted[member.agency_id].opinion, consulted[member.agency_id].motivation
            source = OpinionSource.CONSULTATION
        else:
            continue  # an agency not consulted on this file and silent in session
        if opinion not in OpinionValue.values:
            raise InvalidCommissionInput(f"unknown opinion {opinion!r}", member=member.pk)
        MemberOpinion.objects.create(
            examination=examination,
            member=member,
            agency_id=member.agency_id,
            opinion=opinion,
            motivation=motivation,
            source=source,
        )
    audit_record(
        action="commission.joint_opinion",
        actor_id=actor.pk,
        dossier=dossier,
        address=address,
        payload={"session": session.pk, "examination": examination.pk, "opinion": joint_opinion},
    )
    return examination


@refusals_audited("commission.decision", dossier_of=_examination_dossier)
@transaction.atomic
@audit_deferred()  # the chain head is taken after the PDFs are rendered and stamped, not before (permits.audit)
def examination_decide(
    *,
    actor: Any,
    address: str | None,
    examination: Examination,
    decision: str,
    motivation: str = "",
    conditions: str = "",
) -> Examination:
    """The commission's president decides from the examination (permits' `dossier_decide`: the workflow checks the
    session's quorum), then the PV and decision are generated and stamped, the authorised plans stamped, and the
    signatures requested (see `signatures.outputs_prepare`)."""
    examination = Examination.objects.select_related("session__commission", "dossier").get(pk=examination.pk)
    dossier_lock(dossier=examination.dossier_id)  # the file, then the session (attendance cannot change meanwhile)
    _session_lock(examination.session_id)
    president_id = examination.session.commission.president_id
    if president_id is not None and president_id != actor.pk:
        raise PermissionDenied("only the commission's president decides", action="decide")
    services.dossier_decide(
        actor=actor,
        address=address,
        dossier=examination.dossier,
        examination_id=examination.pk,
        decision=decision,
        motivation=motivation,
        conditions=conditions,
    )
    examination.dossier.refresh_from_db()
    outputs = outputs_prepare(examination=examination, actor=actor, address=address)
    event_publish(
        event=DecisionRecorded(
            dossier_id=examination.dossier_id,
            actor_id=actor.pk,
            session_id=examination.session_id,
            examination_id=examination.pk,
            decision=decision,
            output_ids=tuple(output.pk for output in outputs),
        )
    )
    return examination
