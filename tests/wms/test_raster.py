"""The raster layer: a DEM's hillshade prepared with rasterio as a COG and served through the WMS and WMTS."""

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from owslib.wms import WebMapService
from rasterio.transform import from_origin

from ogc_services.wms.configuration import configuration_write
from ogc_services.wms.raster import CogError, cog_validate, raster_prepare
from tests.wms.conftest import image_has_content

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_plain_geotiff_is_not_a_cog(tmp_path: Path) -> None:
    path = tmp_path / "striped.tif"
    profile = {"driver": "GTiff", "dtype": "uint8", "count": 1, "width": 1200, "height": 1200, "crs": "EPSG:3857"}
    with rasterio.open(path, "w", transform=from_origin(0, 0, 1, 1), **profile) as dataset:
        dataset.write(np.zeros((1200, 1200), dtype="uint8"), 1)
    with pytest.raises(CogError):
        cog_validate(path)


def test_hillshade_cog_is_served(
    shared_data: Path, wms_directory: Path, transactional_db: object, live_server: object
) -> None:
    source = shared_data / "rasters" / "pysheds" / "dem.tif"
    if not source.exists():
        pytest.skip(f"{source} is absent")
    report = raster_prepare(
        source=source, destination=wms_directory / "rasters" / "hillshade.tif", make_hillshade=True, z_factor=5
    )
    assert report.crs == "EPSG:3857" and report.block_size == (512, 512)
    cog_validate(report.path)
    configuration_write()

    wms = WebMapService(f"{live_server.url}/ows/service", version="1.3.0")  # type: ignore[attr-defined]
    assert "hillshade" in wms.contents
    west, south, east, north = report.bounds
    size = 256 if math.isfinite(west) else 0
    response = wms.getmap(
        layers=["hillshade"], styles=[""], srs="EPSG:3857", bbox=(west, south, east, north), size=(size, size),
        format="image/png",
    )  # fmt: skip
    assert image_has_content(response.read())
