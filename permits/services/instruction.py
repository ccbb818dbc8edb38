"""Instruction: the completeness check, rounds and dispatch, opinions, tacit opinions, sending to commission."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from permits import access, workflow
from permits.deadlines import add_business_days
from permits.dispatch import dispatch_targets
from permits.errors import InvalidDossier, PermissionDenied
from permits.lifecycles import CONSULTATION, ConsultationAction
from permits.models import (
    Consultation,
    ConsultationStatus,
    Dossier,
    InstructionRound,
    OpinionValue,
    ProcedureStep,
    Role,
)
from permits.services.common import audit_and_publish, dossier_lock, transition_run

OPINIONS_NEEDING_MOTIVATION = frozenset({OpinionValue.FAVOURABLE_WITH_RESERVATIONS, OpinionValue.UNFAVOURABLE})


def consultations_close_pending(*, dossier: Dossier) -> int:
    """Close the pending consultations of a file (a new round replaces them, or the file is withdrawn)."""
    pending = list(Consultation.objects.select_for_update().filter(dossier=dossier, status=ConsultationStatus.PENDING))
    for consultation in pending:
        CONSULTATION.apply(record=consultation, action=ConsultationAction.CLOSE)
    return len(pending)


def round_open(*, dossier: Dossier, actor: Any, address: str | None, reason: str) -> InstructionRound:
    """Open the next instruction round of a locked file and dispatch it: one consultation per agency.

    Earlier rounds, their consultations and their remarks are kept as they are.
    """
    now = timezone.now()
    InstructionRound.objects.filter(dossier=dossier, closed_at__isnull=True).update(closed_at=now)
    consultations_close_pending(dossier=dossier)
    dossier.current_round += 1
    dossier.save(update_fields=["current_round", "updated_at"])
    instruction_round = InstructionRound.objects.create(
        dossier=dossier, number=dossier.current_round, opened_at=now, reason=reason
    )
    deadline = add_business_days(timezone.localdate(now), dossier.procedure.deadline_days(ProcedureStep.CONSULTATION))
    targets = dispatch_targets(dossier=dossier)
    Consultation.objects.bulk_create(
        [
            Consultation(
                dossier=dossier,
                round=instruction_round,
                agency=target.agency,
                permanent=target.permanent,
                reasons=target.reasons,
                dispatched_at=now,
                deadline=deadline,
            )
            for target in targets
        ]
    )
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="dossier.dispatched",
        payload={
            "round": instruction_round.number,
            "reason": reason,
            "deadline": deadline.isoformat(),
            "agencies": [
                {"agency": target.agency.code, "permanent": target.permanent, "reasons": target.reasons}
                for target in targets
            ],
        },
    )
    return instruction_round


@transaction.atomic
def dossier_check_completeness(
    *,
    actor: Any,
    address: str | None,
    dossier: Dossier,
    complete: bool,
    missing_documents: list[str] | None = None,
    note: str = "",
) -> Dossier:
    """The desk's completeness check: a complete file enters instruction (round 1, dispatched); an incomplete
    one goes back to the applicant with what is missing."""
    dossier = dossier_lock(dossier=dossier)
    if complete:
        transition_run(
            dossier=dossier,
            action=workflow.Action.ACCEPT_COMPLETE,
            actor=actor,
            address=address,
            payload={"note": note},
        )
        round_open(dossier=dossier, actor=actor, address=address, reason="file complete")
        return dossier
    if not missing_documents and not note:
        raise InvalidDossier("say what is missing (missing_documents or note)")
    return transition_run(
        dossier=dossier,
        action=workflow.Action.RETURN_INCOMPLETE,
        actor=actor,
        address=address,
        payload={"missing_documents": missing_documents or [], "note": note},
    )


def _consultation_lock(consultation: Consultation | int) -> Consultation:
    consultation_id = consultation if isinstance(consultation, int) else consultation.pk
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("round", "agency", "dossier__commune__parent__parent")
        .get(pk=consultation_id)
    )


@transaction.atomic
def opinion_give(
    *,
    actor: Any,
    address: str | None,
    consultation: Consultation | int,
    opinion: str,
    motivation: str = "",
    today: Any = None,
) -> Consultation:
    """A member of the consulted agency gives its opinion, before the end of the deadline day."""
    consultation = _consultation_lock(consultation)
    dossier = consultation.dossier
    if opinion not in OpinionValue.values:
        raise InvalidDossier(f"unknown opinion {opinion!r}")
    if opinion in OPINIONS_NEEDING_MOTIVATION and not motivation.strip():
        raise InvalidDossier("an unfavourable opinion or one with reservations must be motivated")
    if not access.holds_role(actor, dossier, Role.COMMISSION_MEMBER, agency_id=consultation.agency_id):
        raise PermissionDenied(f"only a member for {consultation.agency.code} may give this opinion")
    CONSULTATION.apply(
        record=consultation,
        action=ConsultationAction.GIVE_OPINION,
        context={"today": today or timezone.localdate()},
        changes={"opinion": opinion, "motivation": motivation, "given_by": actor, "given_at": timezone.now()},
    )
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="consultation.opinion_given",
        payload={
            "consultation": consultation.pk,
            "agency": consultation.agency.code,
            "round": consultation.round.number,
            "opinion": opinion,
        },
    )
    return consultation


def consultations_apply_tacit(*, now: datetime | None = None) -> list[int]:
    """Give the procedure's legal default opinion to every pending consultation of a current round whose
    deadline day has ended. Idempotent: only pending consultations change. Returns their ids."""
    today = timezone.localdate(now or timezone.now())
    applied: list[int] = []
    tacit, context = ConsultationAction.APPLY_TACIT, {"today": today}
    due = Consultation.objects.filter(
        status=ConsultationStatus.PENDING, deadline__lt=today, dossier__status__in=workflow.TAKING_OPINIONS
    ).values_list("pk", flat=True)
    for consultation_id in list(due):
        with transaction.atomic():
            consultation = (
                Consultation.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("round", "agency", "dossier__procedure")
                .filter(pk=consultation_id, status=ConsultationStatus.PENDING)
                .first()
            )
            if consultation is None or not CONSULTATION.allows(record=consultation, action=tacit, context=context):
                continue
            CONSULTATION.apply(
                record=consultation,
                action=tacit,
                context=context,
                changes={
                    "opinion": consultation.dossier.procedure.tacit_opinion,
                    "motivation": "tacit: no opinion by the legal deadline",
                    "given_at": now or timezone.now(),
                },
            )
            audit_and_publish(
                dossier=consultation.dossier,
                actor=None,
                address=None,
                action="consultation.tacit_opinion",
                payload={
                    "consultation": consultation.pk,
                    "agency": consultation.agency.code,
                    "round": consultation.round.number,
                    "opinion": consultation.opinion,
                    "deadline": consultation.deadline.isoformat(),
                },
            )
            applied.append(consultation.pk)
    return applied


@transaction.atomic
def dossier_send_to_commission(*, actor: Any, address: str | None, dossier: Dossier) -> Dossier:
    """Close the instruction round (every opinion in, no open remark) and put the file before the commission."""
    dossier = dossier_lock(dossier=dossier)
    transition_run(dossier=dossier, action=workflow.Action.SEND_TO_COMMISSION, actor=actor, address=address)
    InstructionRound.objects.filter(dossier=dossier, closed_at__isnull=True).update(closed_at=timezone.now())
    return dossier
