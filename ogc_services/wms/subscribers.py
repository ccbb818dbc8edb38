"""Keeps the WMTS/WMS tile cache true to the database: a published decision drops the tiles it touches.

Subscribed to the permits domain's `dossier.publish` event (delivered on commit); the face imports the domain,
never the reverse.
"""

import logging

from permits import events

logger = logging.getLogger(__name__)

PUBLISH_EVENTS = ("dossier.publish",)


def dossier_published(event: events.Event) -> None:
    """Remove the cached `authorised_projects` tiles over the published file's footprint."""
    from ogc_services.wms.cache import dossier_footprint_extent, wms_cache_invalidate

    if event.dossier_id is None:
        return
    extent = dossier_footprint_extent(dossier_id=event.dossier_id)
    if extent is None:
        return
    removed = wms_cache_invalidate("authorised_projects", extent)
    logger.info("dossier %s published: %d cached WMS/WMTS tiles removed", event.dossier_id, removed)


def subscribe() -> None:
    for name in PUBLISH_EVENTS:
        events.event_subscribe(name=name, handler=dossier_published)
