"""Keeps the WMTS/WMS tile cache true to the database: a published decision drops the tiles it touches, an import
drops the cached tiles of the layer it wrote.

The face's handlers on the event bus (`gis_core.events`), subscribed by their decorators when `WmsConfig.ready`
imports this module: `dossier.publish` (`permits.events`) in the publishing transaction, writing an outbox row
(`models.WmsInvalidation`) whose tiles are removed right after the commit and again until that succeeds
(`tasks`); `layer.imported` (`gis_core.importing.events`) after commit. The face imports the domain and the kernel,
never the reverse. MapServer renders the views themselves, so the next request after the commit draws the new data;
a tile whose removal was missed all the same expires (`WMS_CACHE_MAX_AGE_SECONDS`, `mapproxy_config`).
"""

import logging

from gis_core.events import Phase, subscriber
from gis_core.importing.events import LayerImported
from ogc_services.wms.services import wms_invalidation_record
from ogc_services.wms.tasks import wms_invalidation_run_on_commit
from permits.events import DossierEvent

logger = logging.getLogger(__name__)

# The WMS layer each import target writes. Parcels are stored as read: an import that only inserted changed
# nothing outside its area. Otherwise (an update may move a feature from anywhere, an overlay grows by its buffer)
# the layer's whole cache is dropped.
IMPORTED_LAYERS = {"parcels": "parcels", "zones": "zones", "overlays": "overlays", "territories": "territories"}
AREA_LAYERS = frozenset({"parcels"})


@subscriber("dossier.publish", phase=Phase.IN_TRANSACTION)
def wms_on_dossier_published(event: DossierEvent) -> None:
    """In the publishing transaction: the cached `authorised_projects` tiles over the file's footprint must go."""
    if event.dossier_id is None:
        return
    invalidation = wms_invalidation_record(dossier_id=event.dossier_id, event=event.name)
    wms_invalidation_run_on_commit(invalidation_id=invalidation.pk)


@subscriber("layer.imported")
def wms_on_layer_imported(event: LayerImported) -> None:
    """Remove the cached tiles of the imported layer: over the imported area when that bounds the change, else all."""
    from ogc_services.wms.cache import wms_cache_clear, wms_cache_invalidate
    from ogc_services.wms.conf import wms_settings

    layer = IMPORTED_LAYERS.get(event.target)
    if layer is None or not event.changed or not wms_settings().cache_directory.is_dir():
        return  # nothing written, or nothing ever cached
    if layer in AREA_LAYERS and not event.updated and event.bbox is not None:
        removed = wms_cache_invalidate(layer, event.bbox)
        logger.info("import %s: %d cached WMS/WMTS %s tiles removed", event.run_id, removed, layer)
    else:
        wms_cache_clear(layer)
        logger.info("import %s: the WMS/WMTS cache of %s dropped", event.run_id, layer)
