"""The raster layer: a DEM's hillshade prepared with rasterio as a COG and served through the WMS and WMTS; the
set-up (`raster_prepare --shared`, run by `make demo`) prepares it from the shared data only when missing or stale."""

import io
import math
import os
from pathlib import Path

import numpy as np
import pytest
import rasterio
from django.core.management import call_command
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


def prepare_shared(data: Path | None = None) -> str:
    out = io.StringIO()
    call_command("raster_prepare", "--shared", *(["--data", str(data)] if data else []), stdout=out)
    return out.getvalue()


def test_the_set_up_prepares_the_shared_raster_once(shared_data: Path, wms_directory: Path) -> None:
    if not (shared_data / "rasters" / "pysheds" / "dem.tif").is_file():
        pytest.skip("the shared data has no DEM")
    first = prepare_shared()
    cog = wms_directory / "rasters" / "hillshade.tif"
    assert "valid COG" in first and cog.is_file()
    cog_validate(cog)
    stamp = cog.stat().st_mtime_ns
    second = prepare_shared()
    assert second == f"Raster layer 'hillshade' is up to date ({cog})\n"
    assert cog.stat().st_mtime_ns == stamp, "the second run did nothing"


def test_a_cog_older_than_its_source_is_prepared_again(wms_directory: Path, tmp_path: Path) -> None:
    source = tmp_path / "data" / "rasters" / "pysheds" / "dem.tif"
    source.parent.mkdir(parents=True)
    profile = {"driver": "GTiff", "dtype": "int16", "count": 1, "width": 64, "height": 64, "crs": "EPSG:4326"}
    with rasterio.open(source, "w", transform=from_origin(-7.7, 33.7, 0.001, 0.001), **profile) as dataset:
        dataset.write((np.indices((64, 64)).sum(axis=0) * 3).astype("int16"), 1)
    assert "valid COG" in prepare_shared(tmp_path / "data")
    cog = wms_directory / "rasters" / "hillshade.tif"
    assert "up to date" in prepare_shared(tmp_path / "data")
    earlier = source.stat().st_mtime_ns - 1_000_000_000
    os.utime(cog, ns=(earlier, earlier))  # the source changed after the COG was made
    assert "valid COG" in prepare_shared(tmp_path / "data")
    assert "up to date" in prepare_shared(tmp_path / "data")


def test_without_shared_data_the_set_up_says_so_in_one_line(wms_directory: Path, tmp_path: Path) -> None:
    output = prepare_shared(tmp_path / "absent")
    assert output.count("\n") == 1 and "skipped" in output
    assert not (wms_directory / "rasters").exists()
