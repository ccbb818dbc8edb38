"""The file's legal clock at expiry, for the limits whose silence is not an authorisation: a reminder to those in
charge of the step when its deadline comes near (`remind_before` business days), an escalation to the role the
catalogue names once it has passed. Each is written once per occurrence of the step (`ClockNotice`, unique on the
file, the step, its start and the kind) with its audit event (`dossier.clock_reminder`, `dossier.clock_escalation`)
and the event of the same name, which `permits.notifications` turns into messages. A re-run changes nothing.
The tacit decisions are the commissions' (`permits.commissions.tacit`): they produce a signed output.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction

from permits import clock
from permits.models import ClockNotice, DossierClock, NoticeKind, SilenceOutcome
from permits.services.common import audit_and_publish, dossier_lock

LOOK_AHEAD = timedelta(days=62)  # no reminder is asked more than ~40 business days ahead


def _notice(*, dossier_id: int, limit: clock.Limit, kind: str) -> bool:
    with transaction.atomic():
        dossier = dossier_lock(dossier=dossier_id)
        if ClockNotice.objects.filter(
            dossier=dossier, step=limit.step, started_on=limit.started_on, kind=kind
        ).exists():
            return False
        try:
            with transaction.atomic():
                ClockNotice.objects.create(
                    dossier=dossier, step=limit.step, started_on=limit.started_on, deadline=limit.deadline, kind=kind
                )
        except IntegrityError:  # written meanwhile by another run
            return False
        audit_and_publish(
            dossier=dossier,
            actor=None,
            address=None,
            action=f"dossier.clock_{kind}",
            payload={
                "step": limit.step,
                "started_on": limit.started_on.isoformat(),
                "deadline": limit.deadline.isoformat(),
                "business_days_left": limit.days_left,
                "in_charge": clock.IN_CHARGE.get(limit.step, ""),
                "escalate_to": limit.escalate_to,
            },
        )
    return True


def clock_notices_apply(*, today: date) -> list[tuple[int, str, str]]:
    """Send the reminders and escalations due today; returns (file id, step, kind) of each one written now."""
    candidates = DossierClock.objects.filter(
        next_deadline__isnull=False, next_deadline__lte=today + LOOK_AHEAD, paused_since__isnull=True
    ).select_related("dossier")
    written = []
    for row in candidates:
        for limit in clock.running_limits(dossier=row.dossier, today=today, clock=row):
            if limit.overdue:
                if limit.silence == SilenceOutcome.TACIT_APPROVAL:
                    continue  # decided by the tacit path
                kind = NoticeKind.ESCALATION
            elif limit.days_left <= limit.remind_before:
                kind = NoticeKind.REMINDER
            else:
                continue
            if _notice(dossier_id=row.dossier_id, limit=limit, kind=kind):
                written.append((row.dossier_id, limit.step, str(kind)))
    return written
