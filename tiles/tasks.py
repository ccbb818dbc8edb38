"""Celery tasks of the tiles face. They take ids, are idempotent, and may be retried.

An import's invalidation (`tiles.models.TileImportInvalidation`, an outbox) forgets the tiles the import changed. For
a pieced layer it re-cuts the pieces over the imported area first: long for a large import (every Moroccan
territory: ~40 s on two cores), so even the first attempt is the worker's (`tile_import_invalidation_run_task`);
until it has run, the layer's tiles show the data as it was before the import. Other layers are done right after
the commit, in the importing process. Either way, Redis or the broker down, the row waits for the retries and the
leftovers' task (`tile_import_invalidations_resume`).

A publication's invalidation (`tiles.models.TileInvalidation`, an outbox: `gis_core.outbox`) is tried right after the
commit, in the publishing process (`tile_invalidation_run_on_commit`: the project is on the map within a second);
when Redis is unavailable, `tile_invalidation_run_task` tries again with a backoff until it succeeds, and Celery
beat's `tile_invalidations_resume` runs the leftovers (a retry lost with a worker, or never enqueued because the
broker was down too).
"""

from celery import Task, shared_task

from gis_core.outbox import outbox_after_commit, outbox_enqueue_after_commit, outbox_run_leftovers
from tiles.models import TileImportInvalidation, TileInvalidation
from tiles.services import tile_import_invalidation_run, tile_invalidation_run

LABEL = "tile invalidation"
IMPORT_LABEL = "tile invalidation after an import"


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def tile_invalidation_run_task(self: Task, invalidation_id: int) -> str:
    """One attempt; while Redis is unavailable, again after the outbox's backoff (never run twice once done)."""
    outcome = tile_invalidation_run(invalidation_id=invalidation_id)
    if outcome.retry_in is not None and not self.request.is_eager:  # eager (tests): the leftovers' task retries
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


def tile_invalidation_run_on_commit(*, invalidation_id: int) -> None:
    """The first attempt right after the current (publishing) transaction commits, then the task's retries."""
    outbox_after_commit(
        item_id=invalidation_id,
        run=lambda item_id: tile_invalidation_run(invalidation_id=item_id),
        retry_task=tile_invalidation_run_task,
        label=LABEL,
    )


@shared_task(ignore_result=True)
def tile_invalidations_resume() -> int:
    """Celery beat: run the pending invalidations whose retry is overdue; returns how many are done now."""
    return outbox_run_leftovers(
        model=TileInvalidation, run=lambda item_id: tile_invalidation_run(invalidation_id=item_id), label=LABEL
    )


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def tile_import_invalidation_run_task(self: Task, invalidation_id: int) -> str:
    """One attempt at an import's invalidation; while Redis is unavailable, again after the outbox's backoff."""
    outcome = tile_import_invalidation_run(invalidation_id=invalidation_id)
    if outcome.retry_in is not None and not self.request.is_eager:  # eager (tests): the leftovers' task retries
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


def tile_import_invalidation_run_on_commit(*, invalidation_id: int, in_worker: bool) -> None:
    """After the import commits: the first attempt here, or in the worker when it is long (`in_worker`)."""
    if in_worker:
        outbox_enqueue_after_commit(item_id=invalidation_id, task=tile_import_invalidation_run_task, label=IMPORT_LABEL)
        return
    outbox_after_commit(
        item_id=invalidation_id,
        run=lambda item_id: tile_import_invalidation_run(invalidation_id=item_id),
        retry_task=tile_import_invalidation_run_task,
        label=IMPORT_LABEL,
    )


@shared_task(ignore_result=True)
def tile_import_invalidations_resume() -> int:
    """Celery beat: run the pending import invalidations whose retry is overdue; returns how many are done now."""
    return outbox_run_leftovers(
        model=TileImportInvalidation,
        run=lambda item_id: tile_import_invalidation_run(invalidation_id=item_id),
        label=IMPORT_LABEL,
    )
