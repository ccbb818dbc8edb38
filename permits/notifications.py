"""Who is told what, at every major event of a file: the subscribers that turn domain events into notifications.

Each subscriber runs `Phase.IN_TRANSACTION` on the event bus (`gis_core.events`; its decorator subscribes it when
`PermitsConfig.ready` imports this module): it calls `gis_core.notifications.services.notification_schedule_event`
inside the service's transaction, once per channel each recipient chose in their `UserProfile` (e-mail, SMS), in
their language. The delivery rows commit or roll back with the change (a rolled-back service sends nothing) and are
sent by Celery after commit.

Idempotency: the notification reference is `<file reference or #id>#<event>-<occurrence>`, where the occurrence is
what makes the event unique (the instruction round, the remark, the consultation, or the count of audit events of
that action on the file, which the service has just written). Publishing the same event twice schedules nothing
new; a second real occurrence (a file filed again after being returned as incomplete) is notified again.

| event | template (`templates/notifications/<key>.<lang>.txt`) | recipients |
|---|---|---|
| dossier.submit | dossier.submitted | applicant (and architect) |
| dossier.return_incomplete | dossier.incomplete | applicant |
| dossier.dispatched | dossier.under_instruction / dossier.dispatched | applicant / members of each consulted agency |
| dossier.send_remarks | dossier.remarks_sent | applicant |
| dossier.reply_to_remarks | dossier.reply_received | desk agents of the commune |
| consultation.opinion_given / tacit_opinion | consultation.opinion_given / consultation.tacit_opinion | desk |
| dossier.send_to_commission, decide, sign, publish | dossier.in_commission, decided, signed, published | applicant |
| dossier.withdraw | dossier.withdrawn | applicant, and the desk once the file was filed |
| dossier.tacit_decision, seal_tacit_decision | dossier.tacit_decision, dossier.signed | applicant |
| dossier.clock_reminder | dossier.clock_reminder | holders of the role in charge of the step (`permits.clock`) |
| dossier.clock_escalation | dossier.clock_escalation | holders of the role the catalogue names (`escalate_to`) |

The publication message sends the applicant to the file's page (`dossier_link`) for the signed decision, the PV
extract and, when authorised, the plans (`authorised` in the context also adds the public-map sentence).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone

from gis_core.events import Phase, subscriber
from gis_core.notifications.services import PHONE_PATTERN, PHONE_SEPARATORS, notification_schedule_event
from permits import access
from permits.audit import audit_count
from permits.deadlines import add_business_days
from permits.events import DossierEvent
from permits.models import (
    AUTHORISING_DECISIONS,
    Consultation,
    Decision,
    Dossier,
    DossierStatus,
    Language,
    OpinionValue,
    ProcedureStep,
    Role,
    RoleMembership,
    UserProfile,
)

logger = logging.getLogger(__name__)

EMAIL = "email"
SMS = "sms"
APPLICANT = "applicant"
DESK = "desk"
MEMBERS = "members"


def dossier_link(dossier_id: int) -> str:
    """The address of the file's page (the web face serves `/files/<id>/`), absolute on the platform's public base
    URL (`SIGNING_PUBLIC_BASE_URL`, the site the QR codes point to): e-mails and SMS carry it as is."""
    return f"{settings.SIGNING_PUBLIC_BASE_URL.rstrip('/')}/files/{dossier_id}/"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    phone: str
    language: str
    by_email: bool
    by_sms: bool

    def channels(self) -> list[tuple[str, str]]:
        """(channel, address) pairs the person chose and that can be used (a malformed address is skipped)."""
        chosen = []
        if self.by_email and self.email:
            try:
                validate_email(self.email)
                chosen.append((EMAIL, self.email))
            except ValidationError:
                logger.warning("user %s: malformed e-mail address, no e-mail notification", self.user_id)
        if self.by_sms and self.phone:
            if PHONE_PATTERN.match(PHONE_SEPARATORS.sub("", self.phone)):
                chosen.append((SMS, self.phone))
            else:
                logger.warning("user %s: malformed phone number, no SMS notification", self.user_id)
        return chosen


def recipients(user_ids: Iterable[int | None]) -> list[Recipient]:
    """The people behind `user_ids` with their channels and language (defaults without a profile: e-mail, fr)."""
    ids = sorted({user_id for user_id in user_ids if user_id is not None})
    profiles = {profile.user_id: profile for profile in UserProfile.objects.filter(user_id__in=ids)}
    people = []
    for user in get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"):
        profile = profiles.get(user.pk)
        people.append(
            Recipient(
                user_id=user.pk,
                name=user.get_full_name() or user.get_username(),
                email=user.email or "",
                phone=profile.phone if profile else "",
                language=profile.preferred_language if profile else Language.FRENCH,
                by_email=profile.notify_by_email if profile else True,
                by_sms=profile.notify_by_sms if profile else False,
            )
        )
    return people


def owners_of(dossier: Dossier) -> list[int | None]:
    return [dossier.applicant_id, dossier.architect_id]


def desk_of(dossier: Dossier) -> list[int]:
    """Desk agents whose territory covers the file's commune (or national ones)."""
    scope = access.commune_ancestry(dossier)
    return list(
        RoleMembership.objects.filter(role=Role.DESK_AGENT, active=True)
        .filter(Q(territory__isnull=True) | Q(territory_id__in=scope))
        .values_list("user_id", flat=True)
    )


def role_holders(dossier: Dossier, role: str) -> list[int]:
    """Holders of `role` whose territory covers the file's commune (or national ones)."""
    scope = access.commune_ancestry(dossier)
    return list(
        RoleMembership.objects.filter(role=role, active=True)
        .filter(Q(territory__isnull=True) | Q(territory_id__in=scope))
        .values_list("user_id", flat=True)
    )


def members_of(dossier: Dossier, agency_ids: Iterable[int]) -> list[int]:
    """Commission members of the given agencies whose territory covers the file's commune."""
    scope = access.commune_ancestry(dossier)
    return list(
        RoleMembership.objects.filter(role=Role.COMMISSION_MEMBER, active=True, agency_id__in=list(agency_ids))
        .filter(Q(territory__isnull=True) | Q(territory_id__in=scope))
        .values_list("user_id", flat=True)
    )


def occurrence_of(event: DossierEvent) -> int:
    """How many times this action happened on the file, this one included (its audit event is already written)."""
    assert event.dossier_id is not None
    return audit_count(dossier_id=event.dossier_id, action=event.name)


def notify(
    *,
    dossier: Dossier,
    template: str,
    occurrence: str,
    user_ids: Iterable[int | None],
    extra: dict[str, Any] | None = None,
) -> int:
    """Schedule `template` to each person on each channel they chose, in their language; returns how many."""
    label = dossier.reference or f"#{dossier.pk}"
    scheduled = 0
    for person in recipients(user_ids):
        context = {
            "name": person.name,
            "reference": label,
            "title": dossier.title,
            "status": dossier.status,
            "status_label": DossierStatus(dossier.status).label,
            "link": dossier_link(dossier.pk),
            **(extra or {}),
        }
        for channel, address in person.channels():
            notification_schedule_event(
                channel=channel,
                recipient=address,
                language=person.language,
                event_key=template,
                reference=f"{label}#{occurrence}",
                context=context,
            )
            scheduled += 1
    return scheduled


def _dossier(event: DossierEvent) -> Dossier:
    assert event.dossier_id is not None, f"{event.name} names no file"
    return Dossier.objects.select_related("procedure", "commune__parent__parent").get(pk=event.dossier_id)


def _deadline(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


# --- subscribers ---------------------------------------------------------------------------------------------


@subscriber("dossier.submit", phase=Phase.IN_TRANSACTION)
def on_submitted(event: DossierEvent) -> None:
    dossier = _dossier(event)
    notify(
        dossier=dossier,
        template="dossier.submitted",
        occurrence=f"submit-{occurrence_of(event)}",
        user_ids=owners_of(dossier),
    )


@subscriber("dossier.return_incomplete", phase=Phase.IN_TRANSACTION)
def on_incomplete(event: DossierEvent) -> None:
    dossier = _dossier(event)
    notify(
        dossier=dossier,
        template="dossier.incomplete",
        occurrence=f"incomplete-{occurrence_of(event)}",
        user_ids=owners_of(dossier),
        extra={
            "missing_documents": ", ".join(event.data.get("missing_documents") or []),
            "note": event.data.get("note", ""),
        },
    )


@subscriber("dossier.dispatched", phase=Phase.IN_TRANSACTION)
def on_dispatched(event: DossierEvent) -> None:
    dossier = _dossier(event)
    round_number = event.data.get("round", dossier.current_round)
    deadline = _deadline(event.data.get("deadline"))
    extra = {"round": round_number, "deadline": deadline}
    notify(
        dossier=dossier,
        template="dossier.under_instruction",
        occurrence=f"round-{round_number}",
        user_ids=owners_of(dossier),
        extra=extra,
    )
    agencies = Consultation.objects.filter(dossier=dossier, round__number=round_number).values_list(
        "agency_id", flat=True
    )
    notify(
        dossier=dossier,
        template="dossier.dispatched",
        occurrence=f"dispatch-{round_number}",
        user_ids=members_of(dossier, agencies),
        extra=extra,
    )


@subscriber("dossier.send_remarks", phase=Phase.IN_TRANSACTION)
def on_remarks_sent(event: DossierEvent) -> None:
    dossier = _dossier(event)
    days = dossier.procedure.deadline_days(ProcedureStep.APPLICANT_REPLY)
    deadline = add_business_days(timezone.localdate(), days) if days else None
    notify(
        dossier=dossier,
        template="dossier.remarks_sent",
        occurrence=f"remarks-{dossier.current_round}-{occurrence_of(event)}",
        user_ids=owners_of(dossier),
        extra={"round": dossier.current_round, "remarks": len(event.data.get("remarks") or []), "deadline": deadline},
    )


@subscriber("dossier.reply_to_remarks", phase=Phase.IN_TRANSACTION)
def on_reply_received(event: DossierEvent) -> None:
    dossier = _dossier(event)
    notify(
        dossier=dossier,
        template="dossier.reply_received",
        occurrence=f"reply-{occurrence_of(event)}",
        user_ids=desk_of(dossier),
    )


@subscriber("consultation.opinion_given", "consultation.tacit_opinion", phase=Phase.IN_TRANSACTION)
def on_opinion(event: DossierEvent) -> None:
    dossier = _dossier(event)
    template = (
        "consultation.tacit_opinion" if event.name == "consultation.tacit_opinion" else "consultation.opinion_given"
    )
    opinion = event.data.get("opinion", "")
    notify(
        dossier=dossier,
        template=template,
        occurrence=f"opinion-{event.data.get('consultation')}",
        user_ids=desk_of(dossier),
        extra={
            "agency": event.data.get("agency", ""),
            "round": event.data.get("round"),
            "opinion_label": OpinionValue(opinion).label if opinion in OpinionValue.values else opinion,
            "deadline": _deadline(event.data.get("deadline")),
        },
    )


@subscriber(
    "dossier.send_to_commission",
    "dossier.decide",
    "dossier.decide_without_commission",
    "dossier.sign",
    "dossier.publish",
    phase=Phase.IN_TRANSACTION,
)
def on_applicant_milestone(event: DossierEvent) -> None:
    dossier = _dossier(event)
    template = {
        "dossier.send_to_commission": "dossier.in_commission",
        "dossier.decide": "dossier.decided",
        "dossier.decide_without_commission": "dossier.decided",
        "dossier.sign": "dossier.signed",
        "dossier.publish": "dossier.published",
    }[event.name]
    decision = dossier.decision
    notify(
        dossier=dossier,
        template=template,
        occurrence=f"{event.name.removeprefix('dossier.')}-{occurrence_of(event)}",
        user_ids=owners_of(dossier),
        extra={
            "decision_label": Decision(decision).label if decision in Decision.values else "",
            "authorised": decision in AUTHORISING_DECISIONS,
            "conditions": dossier.decision_conditions,
        },
    )


@subscriber("dossier.withdraw", phase=Phase.IN_TRANSACTION)
def on_withdrawn(event: DossierEvent) -> None:
    dossier = _dossier(event)
    people: list[int | None] = owners_of(dossier)
    if event.data.get("from") != DossierStatus.DRAFT:
        people += desk_of(dossier)
    notify(dossier=dossier, template="dossier.withdrawn", occurrence="withdrawn", user_ids=people)


@subscriber("dossier.tacit_decision", "dossier.seal_tacit_decision", phase=Phase.IN_TRANSACTION)
def on_tacit_decision(event: DossierEvent) -> None:
    dossier = _dossier(event)
    template = "dossier.tacit_decision" if event.name == "dossier.tacit_decision" else "dossier.signed"
    notify(
        dossier=dossier,
        template=template,
        occurrence=f"{event.name.removeprefix('dossier.')}-{occurrence_of(event)}",
        user_ids=owners_of(dossier),
        extra={
            "deadline": _deadline(event.data.get("deadline")),
            "legal_source": event.data.get("legal_source", ""),
            "legal_sources": event.data.get("legal_sources") or {},
        },
    )


@subscriber("dossier.clock_reminder", "dossier.clock_escalation", phase=Phase.IN_TRANSACTION)
def on_clock_notice(event: DossierEvent) -> None:
    """A step's deadline comes near (those in charge) or has passed (the role the catalogue names)."""
    dossier = _dossier(event)
    data = event.data
    role = data.get("in_charge") if event.name == "dossier.clock_reminder" else data.get("escalate_to")
    if dossier.procedure.decision_role and data.get("step") == ProcedureStep.DECISION and role == data.get("in_charge"):
        role = dossier.procedure.decision_role  # a service decides: its role is in charge of the decision
    step = data.get("step", "")
    notify(
        dossier=dossier,
        template=event.name,
        occurrence=f"{event.name.removeprefix('dossier.')}-{step}-{data.get('started_on')}",
        user_ids=role_holders(dossier, role) if role else [],
        extra={
            "step_label": ProcedureStep(step).label if step in ProcedureStep.values else step,
            "deadline": _deadline(data.get("deadline")),
            "days_left": data.get("business_days_left"),
        },
    )


TEMPLATES = (
    "dossier.submitted",
    "dossier.incomplete",
    "dossier.under_instruction",
    "dossier.dispatched",
    "dossier.remarks_sent",
    "dossier.reply_received",
    "consultation.opinion_given",
    "consultation.tacit_opinion",
    "dossier.in_commission",
    "dossier.decided",
    "dossier.signed",
    "dossier.published",
    "dossier.withdrawn",
    "dossier.tacit_decision",
    "dossier.clock_reminder",
    "dossier.clock_escalation",
)
