"""Celery tasks of the commissions: they take ids, are idempotent and retry with backoff.

- `sessions_generate_task` (beat, daily): sessions of every active schedule `COMMISSIONS_GENERATE_WEEKS` ahead.
- `agendas_send_due_task` (beat, hourly): the agenda of each planned session whose booking cut-off has passed
  and that has no agenda yet is generated and sent.
- `session_agenda_send_task(session_id)`: (re)generate and send one session's agenda.
- `signature_request_run_task(request_id)`: apply one PAdES signature (see `signatures.signature_request_run`).
"""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from permits.commissions import selectors
from permits.commissions.examination import session_agenda_send
from permits.commissions.models import OutputKind, Session, SessionStatus
from permits.commissions.scheduling import sessions_generate
from permits.commissions.signatures import signature_request_run


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def sessions_generate_task(weeks: int | None = None) -> int:
    """Idempotent: a session that exists is not created again."""
    configured: int = settings.COMMISSIONS_GENERATE_WEEKS
    ahead = weeks if weeks else configured
    return len(sessions_generate(weeks=ahead).created)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def session_agenda_send_task(session_id: int) -> str:
    output = session_agenda_send(session=Session.objects.get(pk=session_id))
    return str(selectors.output_latest_version(output=output).pk)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def agendas_send_due_task() -> int:
    """Sessions whose booking has closed and whose agenda was never sent: generate and send it (idempotent)."""
    now = timezone.now()
    sent = 0
    due = Session.objects.filter(status=SessionStatus.PLANNED, starts_at__gt=now).exclude(
        outputs__kind=OutputKind.AGENDA
    )
    for session in due.select_related("commission"):
        if session.starts_at <= selectors.booking_cutoff(commission=session.commission, now=now):
            session_agenda_send(session=session)
            sent += 1
    return sent


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def signature_request_run_task(*, request_id: int) -> str:
    """Idempotent: a request already signed (or its field already signed) is not signed again."""
    request = signature_request_run(request_id=request_id)
    return str(request.signed_document_id)
