"""Keeps the WMTS/WMS tile cache true to the database: a published decision drops the tiles it touches, an import
drops the cached tiles of the layer it wrote.

The face's handlers on the event bus (`gis_core.events`), subscribed by their decorators when `WmsConfig.ready`
imports this module: `dossier.publish` (`permits.events`) in the publishing transaction, writing an outbox row
(`models.WmsInvalidation`) whose tiles are removed right after the commit and again until that succeeds
(`tasks`); `layer.imported` (`gis_core.importing.events`) the same way, in the import's transaction
(`models.WmsImportInvalidation`). The face imports the domain and the kernel,
never the reverse. MapServer renders the views themselves, so the next request after the commit draws the new data;
a tile whose removal was missed all the same expires (`WMS_CACHE_MAX_AGE_SECONDS`, `mapproxy_config`).
"""

import logging

from gis_core.events import Phase, subscriber
from gis_core.importing.events import LayerImported
from ogc_services.wms.services import wms_import_invalidation_record, wms_invalidation_record
from ogc_services.wms.tasks import wms_import_invalidation_run_on_commit, wms_invalidation_run_on_commit
from permits.events import DossierEvent

logger = logging.getLogger(__name__)

# The WMS layer each import target writes.
IMPORTED_LAYERS = {"parcels": "parcels", "zones": "zones", "overlays": "overlays", "territories": "territories"}


@subscriber("dossier.publish", phase=Phase.IN_TRANSACTION)
def wms_on_dossier_published(event: DossierEvent) -> None:
    """In the publishing transaction: the cached `authorised_projects` tiles over the file's footprint must go."""
    if event.dossier_id is None:
        return
    invalidation = wms_invalidation_record(dossier_id=event.dossier_id, event=event.name)
    wms_invalidation_run_on_commit(invalidation_id=invalidation.pk)


@subscriber("layer.imported", phase=Phase.IN_TRANSACTION)
def wms_on_layer_imported(event: LayerImported) -> None:
    """In the import's transaction: the cached tiles of the imported layer must go (`services._remove_imported`)."""
    layer = IMPORTED_LAYERS.get(event.target)
    if layer is None or not event.changed or event.bbox is None:
        return  # nothing written
    invalidation = wms_import_invalidation_record(
        run_id=event.run_id, layer=layer, bbox=event.bbox, only_inserted=not event.updated
    )
    wms_import_invalidation_run_on_commit(invalidation_id=invalidation.pk)
    logger.info("import %s: the cached WMS/WMTS %s tiles to remove (%s)", event.run_id, layer, invalidation.pk)
