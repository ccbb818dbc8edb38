"""Keeps the tiles true to the data: the tiles face's handlers on the event bus (`gis_core.events`), subscribed by
their decorators when `TilesConfig.ready` imports this module. A rolled-back publication or import changes nothing on
the map: the publication's row rolls back with it, the import's handler runs after commit.

- `dossier.publish` (`tiles_on_dossier_published`, in the publishing transaction): the file entered the published
  status; the authorised_projects tiles its footprint touches must be forgotten, so the next request renders the
  project. An outbox row (`tiles.models.TileInvalidation`) is written with the publication, and the tiles are
  forgotten right after the commit, in the publishing process (a few Redis deletes, well under a second); Redis
  down, Celery tries again until it succeeds (`tiles.tasks`).
- `layer.imported` (`tiles_on_layer_imported`): the tiles an import of parcels, zones, overlays or territories
  changed are forgotten. Parcels (rendered from their view) at once: the tiles of the imported area when the run
  only inserted (parcels are stored as read, so nothing changed outside the area), else the whole layer (a
  generation bump). A pieced layer's pieces are re-cut over the imported area by a Celery task
  (`tiles.tasks.tiles_pieces_update_task`), which then forgets the layer's tiles; until it has run, the layer
  shows the data as it was before the import.
"""

import logging

from gis_core.events import Phase, subscriber
from gis_core.importing.events import LayerImported
from permits.events import DossierEvent
from permits.workflow import PUBLISHABLE
from tiles.cache import cache_forget_layer
from tiles.layers import LAYERS
from tiles.services import tile_invalidation_record, tiles_invalidate_imported_area
from tiles.tasks import tile_invalidation_run_on_commit, tiles_pieces_update_task

logger = logging.getLogger(__name__)

IMPORTED_LAYERS = {"parcels": "parcels", "zones": "zones", "overlays": "overlays", "territories": "territories"}


@subscriber("dossier.publish", phase=Phase.IN_TRANSACTION)
def tiles_on_dossier_published(event: DossierEvent) -> None:
    """In the publishing transaction: the dossier enters the published status; its tiles will change."""
    status = event.data.get("to")
    if event.dossier_id is None or (status is not None and status not in PUBLISHABLE):
        return
    invalidation = tile_invalidation_record(dossier_id=event.dossier_id, event=event.name)
    tile_invalidation_run_on_commit(invalidation_id=invalidation.pk)


@subscriber("layer.imported")
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
