"""Writes of the WMS/WMTS face: the outbox of a publication's cache invalidation (`gis_core.outbox`).

- `wms_invalidation_record`: the row (`ogc_services.wms.models.WmsInvalidation`), written in the publishing
  transaction by `ogc_services.wms.subscribers`;
- `wms_invalidation_run`: one attempt at removing the cached `authorised_projects` tiles over the published file's
  footprint (`cache.wms_cache_invalidate`); a file-system error leaves the row pending with the time of its next
  attempt (scheduled by `ogc_services.wms.tasks`).
"""

from gis_core.outbox import OutboxOutcome, outbox_attempt
from ogc_services.wms.cache import dossier_footprint_extent, wms_cache_invalidate
from ogc_services.wms.models import WmsInvalidation

PUBLISHED_LAYER = "authorised_projects"


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
