"""Keeps the OGC API true to imports: the OGC API face's handler on the event bus (`gis_core.events`), subscribed
by its decorator when `OgcServicesConfig.ready` imports this module (the WMS/WMTS handlers are
`ogc_services.wms.subscribers`).

`layer.imported`, after commit: the known extent of the imported layer grows by the imported area
(`extents.extent_grow`) and this process's configuration is rebuilt on its next request; every other serving
process sees `extents.json` change and rebuilds its own.
"""

from gis_core.events import subscriber
from gis_core.importing.events import LayerImported
from ogc_services.extents import extent_grow

# The geoportal view each import target writes.
IMPORTED_VIEWS = {"parcels": "parcels", "zones": "zones", "overlays": "overlays", "territories": "territories"}


@subscriber("layer.imported")
def extents_on_layer_imported(event: LayerImported) -> None:
    """After an import commits: grow the imported layer's known extent by the imported area; rebuild the config."""
    view = IMPORTED_VIEWS.get(event.target)
    if view is None or not event.changed or event.bbox is None:
        return
    extent_grow(layer_name=view, bbox=event.bbox)  # moves `extents_generation()`: the config is rebuilt
