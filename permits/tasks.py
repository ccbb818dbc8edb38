"""Celery tasks of the permits domain. Each takes ids (or nothing), is idempotent and may be retried.

Schedule `permits.tasks.consultations_apply_tacit_task` with Celery beat (e.g. every hour, or daily at 00:05
Africa/Casablanca): it gives the legal default opinion to consultations whose deadline day has ended.
"""

from celery import shared_task

from permits.services import consultations_apply_tacit


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def consultations_apply_tacit_task() -> int:
    """Idempotent: only pending consultations change, each in its own transaction."""
    return len(consultations_apply_tacit())
