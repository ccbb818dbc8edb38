"""Celery tasks of the tiles face. They take names, boxes and ids, are idempotent, and may be retried.

`tiles_pieces_update_task` re-cuts the pieces of a pieced layer over an imported area, then forgets the layer's cached
tiles. It is a task because a large import makes it long (every Moroccan territory: ~40 s on two cores); until it
has run, the layer's tiles show the data as it was before the import.

A publication's invalidation (`tiles.models.TileInvalidation`, an outbox: `gis_core.outbox`) is tried right after the
commit, in the publishing process (`tile_invalidation_run_on_commit`: the project is on the map within a second);
when Redis is unavailable, `tile_invalidation_run_task` tries again with a backoff until it succeeds, and Celery
beat's `tile_invalidations_resume` runs the leftovers (a retry lost with a worker, or never enqueued because the
broker was down too).
"""

from celery import Task, shared_task
from django.db import OperationalError

from gis_core.outbox import outbox_after_commit, outbox_run_leftovers
from tiles.models import TileInvalidation
from tiles.services import tile_invalidation_run, tiles_pieces_update

LABEL = "tile invalidation"


@shared_task(ignore_result=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def tiles_pieces_update_task(layer: str, bbox: list[float]) -> int:
    """Idempotent: re-cutting the features of an area again gives the same pieces."""
    west, south, east, north = bbox
    return tiles_pieces_update(layer_name=layer, bbox=(west, south, east, north))


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
