"""Celery task of the API tokens: the daily purge of expired tokens (Celery beat, `CELERY_BEAT_SCHEDULE`)."""

from celery import shared_task

from gis_core.api_tokens.services import api_tokens_purge_expired


@shared_task(ignore_result=True)
def api_tokens_purge_expired_task() -> int:
    """Idempotent: deletes what has expired by now."""
    return api_tokens_purge_expired()
