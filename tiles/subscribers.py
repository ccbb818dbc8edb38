"""Keeps the tiles true to imports: subscribed to `gis_core.importing.events` from `TilesConfig.ready`.

After an import of parcels, zones, overlays or territories commits, the tiles it changed are forgotten. Parcels
(rendered from their view) at once: the tiles of the imported area when the run only inserted (parcels are
stored as read, so nothing changed outside the area), else the whole layer (a generation bump). A pieced layer's
pieces are re-cut over the imported area by a Celery task (`tiles.tasks.tiles_pieces_update_task`), which then forgets
the layer's tiles; until it has run, the layer shows the data as it was before the import.
"""

import logging

from gis_core.importing.events import LayerImported
from tiles.cache import cache_forget_layer
from tiles.layers import LAYERS
from tiles.services import tiles_invalidate_imported_area
from tiles.tasks import tiles_pieces_update_task

logger = logging.getLogger(__name__)

IMPORTED_LAYERS = {"parcels": "parcels", "zones": "zones", "overlays": "overlays", "territories": "territories"}


def tiles_on_layer_imported(event: LayerImported) -> None:
    """After an import commits: forget the tiles it changed (see the module docstring)."""
    layer = LAYERS.get(IMPORTED_LAYERS.get(event.target, ""))
    if layer is None or not event.changed or event.bbox is None:
        return
    if layer.pieced:
        tiles_pieces_update_task.delay(layer.name, list(event.bbox))
        logger.info("tiles: import %s, pieces of %s to re-cut over %s", event.run_id, layer.name, event.bbox)
        return
    deleted = None if event.updated else tiles_invalidate_imported_area(layer=layer, bbox=event.bbox)
    if deleted is None:
        generation = cache_forget_layer(layer=layer.name)
        logger.info("tiles: import %s, every %s tile forgotten (generation %s)", event.run_id, layer.name, generation)
    else:
        logger.info("tiles: import %s, %s cached %s tiles forgotten", event.run_id, deleted, layer.name)
