"""The nightly refresh of yesterday's indicators (beat, `config/settings.py`); idempotent, logged per run."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from opendata.indicators import indicators_refresh


@shared_task(ignore_result=True)
def indicators_refresh_task() -> int:
    """Yesterday's snapshots (the platform's local day) replaced; the number of rows."""
    return indicators_refresh(day=timezone.localdate() - timedelta(days=1)).rows
