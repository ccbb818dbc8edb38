"""Celery tasks of the OGC API face: an import's extent growth (`ogc_services.models.ExtentGrowth`, an outbox:
`gis_core.outbox`) is tried right after the commit in the importing process (`extent_growth_run_on_commit`); when the
extents file cannot be written, `extent_growth_run_task` tries again with a backoff until it succeeds, and Celery
beat's `extent_growths_resume` runs the leftovers (a process that died right after the commit, a lost retry)."""

from celery import Task, shared_task

from gis_core.outbox import outbox_after_commit, outbox_run_leftovers
from ogc_services.models import ExtentGrowth
from ogc_services.services import extent_growth_run

LABEL = "OGC extent growth"


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def extent_growth_run_task(self: Task, growth_id: int) -> str:
    """One attempt; while the extents file cannot be written, again after the outbox's backoff."""
    outcome = extent_growth_run(growth_id=growth_id)
    if outcome.retry_in is not None and not self.request.is_eager:  # eager (tests): the leftovers' task retries
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


def extent_growth_run_on_commit(*, growth_id: int) -> None:
    """The first attempt right after the current (import's) transaction commits, then the task's retries."""
    outbox_after_commit(
        item_id=growth_id,
        run=lambda item_id: extent_growth_run(growth_id=item_id),
        retry_task=extent_growth_run_task,
        label=LABEL,
    )


@shared_task(ignore_result=True)
def extent_growths_resume() -> int:
    """Celery beat: run the pending growths whose retry is overdue; returns how many are done now."""
    return outbox_run_leftovers(
        model=ExtentGrowth, run=lambda item_id: extent_growth_run(growth_id=item_id), label=LABEL
    )
