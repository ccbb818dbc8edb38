"""Keeps the OGC API true to imports: the OGC API face's handler on the event bus (`gis_core.events`), subscribed
by its decorator when `OgcServicesConfig.ready` imports this module (the WMS/WMTS handlers are
`ogc_services.wms.subscribers`).

`layer.imported`, in the import's transaction: an outbox row (`models.ExtentGrowth`) says that the known extent of
the imported layer must grow by the imported area; right after the commit (and again until it succeeds,
`ogc_services.tasks`) `extents.extent_grow` does it and this process's configuration is rebuilt on its next
request; every other serving process sees `extents.json` change and rebuilds its own.
"""

from gis_core.events import Phase, subscriber
from gis_core.importing.events import LayerImported
from ogc_services.services import extent_growth_record
from ogc_services.tasks import extent_growth_run_on_commit

# The geoportal view each import target writes.
IMPORTED_VIEWS = {"parcels": "parcels", "zones": "zones", "overlays": "overlays", "territories": "territories"}


@subscriber("layer.imported", phase=Phase.IN_TRANSACTION)
def extents_on_layer_imported(event: LayerImported) -> None:
    """In the import's transaction: the imported layer's known extent will grow by the imported area."""
    view = IMPORTED_VIEWS.get(event.target)
    if view is None or not event.changed or event.bbox is None:
        return
    growth = extent_growth_record(run_id=event.run_id, layer=view, bbox=event.bbox)
    extent_growth_run_on_commit(growth_id=growth.pk)
