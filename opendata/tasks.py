"""The nightly refresh of yesterday's indicators and of the month and year containing it (to date) (beat,
`config/settings.py`); idempotent, logged per run."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from opendata.indicators import periods_refresh


@shared_task(ignore_result=True)
def indicators_refresh_task() -> int:
    """Yesterday's snapshots (the platform's local day), then its month's and its year's, replaced; the rows."""
    runs = periods_refresh(days=[timezone.localdate() - timedelta(days=1)])
    return sum(run.rows for run in runs)
