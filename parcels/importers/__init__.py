"""Import targets of the parcel domain (parcels, zones, overlays), next to gis_core's territories.

`TARGETS` is the registry the `import_layer` command and `load_demo` hand to `gis_core.importing.import_layer`.
"""

from gis_core.importing import Target, TerritoriesTarget
from parcels.importers.overlays import OverlaysTarget
from parcels.importers.parcels import ParcelsTarget
from parcels.importers.zones import ZonesTarget

TARGETS: dict[str, Target] = {
    target.name: target for target in (TerritoriesTarget(), ParcelsTarget(), ZonesTarget(), OverlaysTarget())
}

__all__ = ["TARGETS"]
