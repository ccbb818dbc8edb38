"""Keeps the tiles true to the data: the tiles face's handlers on the event bus (`gis_core.events`), subscribed by
their decorators when `TilesConfig.ready` imports this module. A rolled-back publication or import changes nothing on
the map: the publication's row rolls back with it, the import's handler runs after commit.

- `dossier.publish` (`tiles_on_dossier_published`, in the publishing transaction): the file entered the published
  status; the authorised_projects tiles its footprint touches must be forgotten, so the next request renders the
  project. An outbox row (`tiles.models.TileInvalidation`) is written with the publication, and the tiles are
  forgotten right after the commit, in the publishing process (a few Redis deletes, well under a second); Redis
  down, Celery tries again until it succeeds (`tiles.tasks`).
- `layer.imported` (`tiles_on_layer_imported`, in the import's transaction): the tiles an import of parcels, zones,
  overlays or territories changed must be forgotten, through the same outbox (`tiles.models.TileImportInvalidation`):
  Redis or the broker down at the import, nothing is lost. Parcels (rendered from their view) right after the
  commit: the tiles of the imported area when the run only inserted (parcels are stored as read, so nothing changed
  outside the area), else the whole layer (a generation bump). A pieced layer's pieces are re-cut over the imported
  area by the Celery worker, which then forgets the layer's tiles; until it has run, the layer shows the data as it
  was before the import.
"""

import logging

from gis_core.events import Phase, subscriber
from gis_core.importing.events import LayerImported
from permits.events import DossierEvent
from permits.workflow import PUBLISHABLE
from tiles.layers import LAYERS
from tiles.services import tile_import_invalidation_record, tile_invalidation_record
from tiles.tasks import tile_import_invalidation_run_on_commit, tile_invalidation_run_on_commit

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


@subscriber("layer.imported", phase=Phase.IN_TRANSACTION)
def tiles_on_layer_imported(event: LayerImported) -> None:
    """In the import's transaction: the tiles it changed will be forgotten (see the module docstring)."""
    layer = LAYERS.get(IMPORTED_LAYERS.get(event.target, ""))
    if layer is None or not event.changed or event.bbox is None:
        return
    invalidation = tile_import_invalidation_record(
        run_id=event.run_id, layer=layer.name, bbox=event.bbox, only_inserted=not event.updated
    )
    tile_import_invalidation_run_on_commit(invalidation_id=invalidation.pk, in_worker=layer.pieced)
    logger.info("tiles: import %s, %s tiles to forget (%s)", event.run_id, layer.name, invalidation.pk)
