"""Fixtures of the WMS/WMTS tests: a private WMS_DIR (own config, own tile cache) and a small real dataset.

Everything is served by the live server through the real stack: Django -> MapProxy -> MapServer's CGI binary
-> PostGIS (the test database, as the read-only `geoportal_reader` role). Data must be committed for the
MapServer process to see it, hence `transactional_db`.
"""

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from ogc_services.wms.configuration import configuration_write
from tests.factories import OverlayFactory, ParcelFactory, TerritoryFactory, ZoneFactory, box

# The test area around the default factory geometries (lon/lat): about 250 m a side.
AREA = (-71.1215, 42.3690, -71.1185, 42.3720)
PARCEL_POINT = (-71.11985, 42.37015)  # inside the default ParcelFactory parcel (and the dossier footprint)
# A second area in Casablanca, inside the Lambert Nord grid (EPSG:26191) of the WMTS.
CASABLANCA_AREA = (-7.6300, 33.5850, -7.6250, 33.5900)


@dataclass
class Geoportal:
    url: str  # the /ows/ root, e.g. http://localhost:12345/ows/
    directory: Path
    parcel_reference: str

    @property
    def service(self) -> str:
        return self.url + "service"


def image_has_content(data: bytes) -> bool:
    """A decodable image with drawn (non-transparent) and non-uniform pixels."""
    image = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    drawn = image[..., 3] > 0
    return bool(drawn.any()) and len(np.unique(image.reshape(-1, 4), axis=0)) > 1


def image_drawn_pixels(data: bytes) -> int:
    image = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    return int((image[..., 3] > 0).sum())


@pytest.fixture
def wms_directory(settings: Any, tmp_path: Path) -> Path:
    directory = tmp_path / "wms"
    settings.WMS_DIR = directory
    settings.WMS_CACHE_DIR = directory / "cache"
    settings.WMS_RASTER_DIR = directory / "rasters"
    settings.WMS_DEMO = False
    return directory


@pytest.fixture
def geoportal(wms_directory: Path, transactional_db: Any, live_server: Any) -> Geoportal:
    commune = TerritoryFactory.create(code="US-MA-TEST", geom=box(-71.2, 42.3, -71.0, 42.45))
    parcel = ParcelFactory.create(commune=commune, reference="TEST-PARCEL-1")
    ParcelFactory.create(commune=commune, geom=box(-71.1196, 42.3700, -71.1193, 42.3703))
    ParcelFactory.create(commune=commune, geom=box(-71.1210, 42.3705, -71.1204, 42.3712))
    ZoneFactory.create(commune=commune, code="C-1", geom=box(-71.1215, 42.3690, -71.1200, 42.3720))
    ZoneFactory.create(commune=commune, code="BA-2", geom=box(-71.1200, 42.3690, -71.1185, 42.3720))
    OverlayFactory.create(commune=commune)
    casablanca = TerritoryFactory.create(code="MA-CASA-TEST", geom=box(-7.7, 33.5, -7.5, 33.65))
    ZoneFactory.create(commune=casablanca, code="R+4", geom=box(-7.6300, 33.5850, -7.6275, 33.5900))
    ParcelFactory.create(commune=casablanca, geom=box(-7.6280, 33.5860, -7.6260, 33.5880))
    configuration_write()
    return Geoportal(url=f"{live_server.url}/ows/", directory=wms_directory, parcel_reference=parcel.reference)
