"""Writes of the tiles face: invalidating cached tiles.

- `tiles_invalidate_area`: forget the tiles a lon/lat box touches, at every zoom the layer is cached at (a
  published decision's footprint, `tiles.subscribers`).
- `tiles_invalidate_imported_area`, `tiles_pieces_update`: forget what an import changed.
- `tiles_invalidate_layer`: rebuild a layer's pieces (when it has some) and forget all of its tiles; after a
  migration, and the `tiles_invalidate` command for manual use.
- `tile_invalidation_record`, `tile_invalidation_run`: the outbox of a publication's invalidation
  (`tiles.models.TileInvalidation`, `gis_core.outbox`): the row written in the publishing transaction, then one
  attempt at forgetting the published file's tiles (scheduled by `tiles.tasks`).
- `tile_import_invalidation_record`, `tile_import_invalidation_run`: the outbox of an import's invalidation
  (`tiles.models.TileImportInvalidation`): the row written in the import's transaction, then one attempt at
  forgetting what the import changed (a pieced layer's pieces re-cut over its area first).
"""

import logging
from collections.abc import Iterator
from itertools import islice

import psycopg
from django.db import OperationalError

from gis_core.importing.events import BBox
from gis_core.outbox import OutboxOutcome, outbox_attempt
from tiles.cache import TileCacheUnavailable, cache_forget_layer, cache_forget_tiles
from tiles.conf import tiles_settings
from tiles.grid import Tile, tiles_touching
from tiles.layers import LAYERS, TileLayer
from tiles.models import TileImportInvalidation, TileInvalidation
from tiles.pieces import pieces_refresh, pieces_update
from tiles.selectors import authorised_project_extent, layer_fields_forget

logger = logging.getLogger(__name__)

# Past this many tiles, forgetting an area one key at a time costs more than re-rendering the whole layer.
MAX_AREA_TILES = 20_000


def _touching(layer: TileLayer, bbox: BBox) -> Iterator[Tile]:
    settings = tiles_settings()
    return tiles_touching(bbox, range(layer.minzoom, layer.maxzoom + 1), margin=settings.buffer / settings.extent)


def tiles_invalidate_area(*, layer: TileLayer, bbox: BBox) -> int:
    """Delete the cached tiles of `layer` that `bbox` (lon/lat) touches, buffer included; returns how many."""
    return cache_forget_tiles(layer=layer.name, tiles=_touching(layer, bbox))


def tiles_invalidate_imported_area(*, layer: TileLayer, bbox: BBox) -> int | None:
    """After an import that only inserted: forget the tiles of its area; None (nothing done) when too many."""
    tiles = list(islice(_touching(layer, bbox), MAX_AREA_TILES + 1))
    if len(tiles) > MAX_AREA_TILES:
        return None
    return cache_forget_tiles(layer=layer.name, tiles=tiles)


def tiles_pieces_update(*, layer_name: str, bbox: BBox) -> int:
    """Re-cut a pieced layer's pieces over an imported area, then forget its tiles; returns the features re-cut."""
    layer = LAYERS[layer_name]
    count = pieces_update(layer=layer, bbox=bbox)
    cache_forget_layer(layer=layer.name)
    logger.info("tiles: %s pieces re-cut for %s features over %s", layer.name, count, bbox)
    return count


def tiles_invalidate_layer(*, layer: TileLayer, rebuild_pieces: bool = True) -> int:
    """Rebuild the layer's pieces, forget its fields and all its cached tiles (after a migration, or on demand)."""
    if layer.pieced and rebuild_pieces:
        pieces_refresh(layer=layer)
    layer_fields_forget()
    return cache_forget_layer(layer=layer.name)


def tiles_invalidate_all(*, rebuild_pieces: bool = True) -> None:
    for layer in LAYERS.values():
        tiles_invalidate_layer(layer=layer, rebuild_pieces=rebuild_pieces)


def tile_invalidation_record(*, dossier_id: int, event: str) -> TileInvalidation:
    """Write the invalidation of a published file's tiles in the caller's (the publishing) transaction."""
    return TileInvalidation.objects.create(dossier_id=dossier_id, event=event)


def _forget_published(invalidation: TileInvalidation) -> str:
    bbox = authorised_project_extent(dossier_id=invalidation.dossier_id)
    if bbox is None:  # not authorising, or no footprint: the geoportal does not show it
        return "not on the map"
    deleted = tiles_invalidate_area(layer=LAYERS["authorised_projects"], bbox=bbox)
    return f"{deleted} cached tiles forgotten"


def tile_invalidation_run(*, invalidation_id: int) -> OutboxOutcome:
    """One attempt at forgetting the tiles of a published file (idempotent; `gis_core.outbox.outbox_attempt`):
    Redis or the read-only connection unavailable leaves the row pending with the time of its next attempt."""
    return outbox_attempt(
        model=TileInvalidation,
        item_id=invalidation_id,
        work=_forget_published,
        retry_on=(TileCacheUnavailable, OperationalError, psycopg.OperationalError),
    )


def tile_import_invalidation_record(
    *, run_id: int, layer: str, bbox: BBox, only_inserted: bool
) -> TileImportInvalidation:
    """Write the invalidation of what an import changed in the caller's (the import's) transaction."""
    return TileImportInvalidation.objects.create(
        run_id=run_id, layer=layer, bbox=list(bbox), only_inserted=only_inserted
    )


def _forget_imported(invalidation: TileImportInvalidation) -> str:
    layer = LAYERS[invalidation.layer]
    west, south, east, north = invalidation.bbox
    bbox = (west, south, east, north)
    if layer.pieced:
        return f"{tiles_pieces_update(layer_name=layer.name, bbox=bbox)} features re-cut, every tile forgotten"
    deleted = tiles_invalidate_imported_area(layer=layer, bbox=bbox) if invalidation.only_inserted else None
    if deleted is None:
        return f"every {layer.name} tile forgotten (generation {cache_forget_layer(layer=layer.name)})"
    return f"{deleted} cached {layer.name} tiles forgotten"


def tile_import_invalidation_run(*, invalidation_id: int) -> OutboxOutcome:
    """One attempt at forgetting what an import changed (idempotent: re-cutting an area again gives the same pieces);
    Redis or PostgreSQL unavailable leaves the row pending with the time of its next attempt."""
    return outbox_attempt(
        model=TileImportInvalidation,
        item_id=invalidation_id,
        work=_forget_imported,
        retry_on=(TileCacheUnavailable, OperationalError, psycopg.OperationalError),
    )
