"""Celery tasks of the tiles face. They take names and boxes, are idempotent, and may be retried.

`tiles_pieces_update_task` re-cuts the pieces of a pieced layer over an imported area, then forgets the layer's cached
tiles. It is a task because a large import makes it long (every Moroccan territory: ~40 s on two cores); until it
has run, the layer's tiles show the data as it was before the import.
"""

from celery import shared_task
from django.db import OperationalError

from tiles.services import tiles_pieces_update


@shared_task(ignore_result=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def tiles_pieces_update_task(layer: str, bbox: list[float]) -> int:
    """Idempotent: re-cutting the features of an area again gives the same pieces."""
    west, south, east, north = bbox
    return tiles_pieces_update(layer_name=layer, bbox=(west, south, east, north))
