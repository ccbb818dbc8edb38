"""Writes of the WMS/WMTS face: the outbox of a publication's cache invalidation (`gis_core.outbox`).

- `wms_invalidation_record`: the row (`ogc_services.wms.models.WmsInvalidation`), written in the publishing
  transaction by `ogc_services.wms.subscribers`;
- `wms_invalidation_run`: one attempt at removing the cached `authorised_projects` tiles over the published file's
  footprint (`cache.wms_cache_invalidate`); a file-system error leaves the row pending with the time of its next
  attempt (scheduled by `ogc_services.wms.tasks`);
- `wms_import_invalidation_record`, `wms_import_invalidation_run`: the same for an import (`WmsImportInvalidation`,
  written in the import's transaction): the cached tiles of the imported layer over its area when that bounds the
  change (parcels, only inserted: stored as read), else the layer's whole cache.
"""

from gis_core.importing.events import BBox
from gis_core.outbox import OutboxOutcome, outbox_attempt
from ogc_services.wms.cache import dossier_footprint_extent, wms_cache_clear, wms_cache_invalidate
from ogc_services.wms.conf import wms_settings
from ogc_services.wms.models import WmsImportInvalidation, WmsInvalidation

PUBLISHED_LAYER = "authorised_projects"
# Parcels are stored as read: an import that only inserted changed nothing outside its area. Otherwise (an update
# may move a feature from anywhere, an overlay grows by its buffer) the layer's whole cache is dropped.
AREA_LAYERS = frozenset({"parcels"})


def wms_invalidation_record(*, dossier_id: int, event: str) -> WmsInvalidation:
    """Write the invalidation of a published file's WMTS tiles in the caller's (the publishing) transaction."""
    return WmsInvalidation.objects.create(dossier_id=dossier_id, event=event)


def _remove_published(invalidation: WmsInvalidation) -> str:
    extent = dossier_footprint_extent(dossier_id=invalidation.dossier_id)
    if extent is None:
        return "no footprint"
    return f"{wms_cache_invalidate(PUBLISHED_LAYER, extent)} cached tiles removed"


def wms_invalidation_run(*, invalidation_id: int) -> OutboxOutcome:
    """One attempt at removing the published file's cached tiles (idempotent); an `OSError` (the cache's disk or
    volume) leaves the row pending."""
    return outbox_attempt(model=WmsInvalidation, item_id=invalidation_id, work=_remove_published, retry_on=(OSError,))


def wms_import_invalidation_record(
    *, run_id: int, layer: str, bbox: BBox, only_inserted: bool
) -> WmsImportInvalidation:
    """Write the invalidation of what an import changed in the caller's (the import's) transaction."""
    return WmsImportInvalidation.objects.create(
        run_id=run_id, layer=layer, bbox=list(bbox), only_inserted=only_inserted
    )


def _remove_imported(invalidation: WmsImportInvalidation) -> str:
    if not wms_settings().cache_directory.is_dir():
        return "nothing ever cached"
    if invalidation.layer in AREA_LAYERS and invalidation.only_inserted:
        return f"{wms_cache_invalidate(invalidation.layer, invalidation.bbox)} cached tiles removed"
    wms_cache_clear(invalidation.layer)
    return "the layer's cache dropped"


def wms_import_invalidation_run(*, invalidation_id: int) -> OutboxOutcome:
    """One attempt at removing the cached tiles an import changed (idempotent); an `OSError` leaves it pending."""
    return outbox_attempt(
        model=WmsImportInvalidation, item_id=invalidation_id, work=_remove_imported, retry_on=(OSError,)
    )
