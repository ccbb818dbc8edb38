"""Celery tasks of the WMS/WMTS face: a publication's cache invalidation (`ogc_services.wms.models.WmsInvalidation`,
an outbox: `gis_core.outbox`) is tried right after the commit in the publishing process
(`wms_invalidation_run_on_commit`); when the file cache fails, `wms_invalidation_run_task` tries again with a
backoff until it succeeds, and Celery beat's `wms_invalidations_resume` runs the leftovers. An import's invalidation
(`WmsImportInvalidation`) goes the same way (`wms_import_invalidation_*`)."""

from celery import Task, shared_task

from gis_core.outbox import outbox_after_commit, outbox_run_leftovers
from ogc_services.wms.models import WmsImportInvalidation, WmsInvalidation
from ogc_services.wms.services import wms_import_invalidation_run, wms_invalidation_run

LABEL = "WMS/WMTS cache invalidation"
IMPORT_LABEL = "WMS/WMTS cache invalidation after an import"


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def wms_invalidation_run_task(self: Task, invalidation_id: int) -> str:
    """One attempt; while the file cache fails, again after the outbox's backoff (never run twice once done)."""
    outcome = wms_invalidation_run(invalidation_id=invalidation_id)
    if outcome.retry_in is not None and not self.request.is_eager:  # eager (tests): the leftovers' task retries
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


def wms_invalidation_run_on_commit(*, invalidation_id: int) -> None:
    """The first attempt right after the current (publishing) transaction commits, then the task's retries."""
    outbox_after_commit(
        item_id=invalidation_id,
        run=lambda item_id: wms_invalidation_run(invalidation_id=item_id),
        retry_task=wms_invalidation_run_task,
        label=LABEL,
    )


@shared_task(ignore_result=True)
def wms_invalidations_resume() -> int:
    """Celery beat: run the pending invalidations whose retry is overdue; returns how many are done now."""
    return outbox_run_leftovers(
        model=WmsInvalidation, run=lambda item_id: wms_invalidation_run(invalidation_id=item_id), label=LABEL
    )


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def wms_import_invalidation_run_task(self: Task, invalidation_id: int) -> str:
    """One attempt at an import's invalidation; while the file cache fails, again after the outbox's backoff."""
    outcome = wms_import_invalidation_run(invalidation_id=invalidation_id)
    if outcome.retry_in is not None and not self.request.is_eager:  # eager (tests): the leftovers' task retries
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


def wms_import_invalidation_run_on_commit(*, invalidation_id: int) -> None:
    """The first attempt right after the import commits, then the task's retries."""
    outbox_after_commit(
        item_id=invalidation_id,
        run=lambda item_id: wms_import_invalidation_run(invalidation_id=item_id),
        retry_task=wms_import_invalidation_run_task,
        label=IMPORT_LABEL,
    )


@shared_task(ignore_result=True)
def wms_import_invalidations_resume() -> int:
    """Celery beat: run the pending import invalidations whose retry is overdue; returns how many are done now."""
    return outbox_run_leftovers(
        model=WmsImportInvalidation,
        run=lambda item_id: wms_import_invalidation_run(invalidation_id=item_id),
        label=IMPORT_LABEL,
    )
