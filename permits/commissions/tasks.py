"""Celery tasks of the commissions: they take ids, are idempotent and retry with backoff.

- `sessions_generate_task` (beat, daily): sessions of every active schedule `COMMISSIONS_GENERATE_WEEKS` ahead.
- `agendas_send_due_task` (beat): the agenda of each planned session whose booking cut-off has passed and that has
  no agenda yet is generated and sent; run twice (or twice at once), it sends nothing twice and stores no second
  agenda (`examination.session_agenda_send` locks the session and compares the agenda with the one sent).
- `session_agenda_send_task(session_id)`: (re)generate and send one session's agenda when it changed.
- `signature_request_run_task(request_id)`: apply one PAdES signature (see `signatures.signature_request_run`).
- `signature_requests_resume_task` (beat): the safety net of the signatures, like the notifications'
  `delivery_resume_stale`: each signature its signer asked for and still pending after `SIGNATURE_STALE_AFTER`
  (its task lost in a broker outage), and each file whose signatures are all in but still decided, is enqueued
  again.
- `clock_outcomes_task` (beat): the file's legal clock at expiry: reminders, escalations, tacit decisions.
"""

import functools
import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from permits.commissions import selectors
from permits.commissions.examination import session_agenda_send
from permits.commissions.models import OutputKind, Session, SessionStatus
from permits.commissions.scheduling import sessions_generate
from permits.commissions.signatures import signature_request_run
from permits.commissions.tacit import tacit_decisions_apply

logger = logging.getLogger(__name__)

#: How long a signature asked for may stay pending before `signature_requests_resume_task` enqueues it again.
SIGNATURE_STALE_AFTER = timedelta(minutes=15)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def sessions_generate_task(weeks: int | None = None) -> int:
    """Idempotent: a session that exists is not created again."""
    configured: int = settings.COMMISSIONS_GENERATE_WEEKS
    ahead = weeks if weeks else configured
    return len(sessions_generate(weeks=ahead).created)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def session_agenda_send_task(session_id: int) -> str:
    agenda = session_agenda_send(session=Session.objects.get(pk=session_id))
    return str(selectors.output_latest_version(output=agenda.output).pk)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def agendas_send_due_task() -> int:
    """Sessions whose booking has closed and whose agenda was never sent: generate and send it (idempotent).
    Returns how many agendas were sent by this run."""
    now = timezone.now()
    sent = 0
    due = Session.objects.filter(status=SessionStatus.PLANNED, starts_at__gt=now).exclude(
        outputs__kind=OutputKind.AGENDA
    )
    for session in due.select_related("commission"):
        if session.starts_at <= selectors.booking_cutoff(commission=session.commission, now=now):
            sent += int(session_agenda_send(session=session).sent)
    return sent


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def signature_request_run_task(*, request_id: int) -> str:
    """Idempotent: a request already signed (or its field already signed) is not signed again."""
    request = signature_request_run(request_id=request_id)
    return str(request.signed_document_id)


@shared_task(ignore_result=True)
def signature_requests_resume_task(*, stale_after_seconds: float | None = None) -> int:
    """Enqueue again the signatures whose task was lost; returns how many (a duplicate task is harmless)."""
    stale_after = timedelta(seconds=stale_after_seconds) if stale_after_seconds is not None else SIGNATURE_STALE_AFTER
    request_ids = selectors.signature_requests_to_resume(stale_before=timezone.now() - stale_after)
    for request_id in request_ids:
        # robust: the broker still down leaves the request as it is, for the next run
        transaction.on_commit(functools.partial(signature_request_run_task.delay, request_id=request_id), robust=True)
    if request_ids:
        logger.warning("re-enqueued %s signature request(s) left pending", len(request_ids))
    return len(request_ids)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def clock_outcomes_task() -> dict[str, int]:
    """The file's legal clock at expiry (beat): reminders and escalations (`permits.services.clock`), then the
    tacit decisions (`tacit.tacit_decisions_apply`). Idempotent: each outcome is applied once."""
    return clock_outcomes_apply(today=timezone.localdate())


def clock_outcomes_apply(*, today: Any) -> dict[str, int]:
    from permits.services.clock import clock_notices_apply

    notices = clock_notices_apply(today=today)
    decided = tacit_decisions_apply(today=today)
    summary = {
        "reminders": sum(1 for _, _, kind in notices if kind == "reminder"),
        "escalations": sum(1 for _, _, kind in notices if kind == "escalation"),
        "tacit_decisions": len(decided),
    }
    if any(summary.values()):
        logger.info("file clock outcomes: %s", summary)
    return summary
