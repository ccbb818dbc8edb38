"""WMS 1.3.0 with real clients (OWSLib, GDAL) against the live server: capabilities, maps in three CRSs,
feature info without personal data, legends."""

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from owslib.wms import WebMapService
from pyproj import Transformer

from ogc_services.wms.conf import SRS_CODES
from ogc_services.wms.layers import LAYER_NAMES, VECTOR_LAYERS
from tests.wms.conftest import AREA, CASABLANCA_AREA, PARCEL_POINT, Geoportal, image_has_content

pytestmark = pytest.mark.django_db(transaction=True)


def area_in(srs: int, area: tuple[float, float, float, float] = AREA) -> tuple[float, float, float, float]:
    if srs == 4326:
        return area
    return Transformer.from_crs(4326, srs, always_xy=True).transform_bounds(*area)


def test_capabilities_list_layers_and_crs(geoportal: Geoportal) -> None:
    wms = WebMapService(geoportal.service, version="1.3.0")
    assert set(LAYER_NAMES) <= set(wms.contents)
    for name in LAYER_NAMES:
        crs = {str(code).upper() for code in wms[name].crsOptions}
        assert {f"EPSG:{code}" for code in SRS_CODES} <= crs, (name, crs)
    assert wms["parcels"].queryable


@pytest.mark.parametrize(
    ("srs", "size", "area"),
    [
        (3857, 256, AREA),
        (3857, 1024, AREA),
        (4326, 256, AREA),
        (4326, 1024, AREA),
        (26191, 256, CASABLANCA_AREA),
        (26191, 1024, CASABLANCA_AREA),
    ],
    ids=["3857-256", "3857-1024", "4326-256", "4326-1024", "26191-256", "26191-1024"],
)
def test_getmap_draws_the_layers(
    geoportal: Geoportal, srs: int, size: int, area: tuple[float, float, float, float]
) -> None:
    wms = WebMapService(geoportal.service, version="1.3.0")
    response = wms.getmap(
        layers=["zones", "overlays", "parcels"],
        styles=["", "", ""],
        srs=f"EPSG:{srs}",
        bbox=area_in(srs, area),
        size=(size, size),
        format="image/png",
        transparent=True,
    )
    assert response.info()["Content-Type"].startswith("image/png")
    data = response.read()
    assert image_has_content(data)


def test_gdal_reads_a_map(geoportal: Geoportal, tmp_path: Path) -> None:
    if not shutil.which("gdal_translate"):
        pytest.skip("gdal-bin is not installed")
    west, south, east, north = area_in(3857)
    url = (
        f"WMS:{geoportal.service}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=zones,parcels"
        f"&CRS=EPSG:3857&BBOX={west},{south},{east},{north}&FORMAT=image/png&TRANSPARENT=TRUE"
    )
    info = subprocess.run(["gdalinfo", url], capture_output=True, text=True, timeout=120, check=True).stdout
    assert "Driver: WMS" in info
    output = tmp_path / "map.png"
    subprocess.run(
        ["gdal_translate", "-q", "-of", "PNG", "-outsize", "256", "256", "-projwin", str(west), str(north),
         str(east), str(south), url, str(output)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert image_has_content(output.read_bytes())


def test_featureinfo_on_a_parcel_gives_its_reference_only(geoportal: Geoportal) -> None:
    wms = WebMapService(geoportal.service, version="1.3.0")
    lon, lat = PARCEL_POINT
    half = 0.0005
    response = wms.getfeatureinfo(
        layers=["parcels"],
        query_layers=["parcels"],
        styles=[""],
        srs="EPSG:4326",
        bbox=(lon - half, lat - half, lon + half, lat + half),
        size=(256, 256),
        format="image/png",
        info_format="application/json",
        xy=(128, 128),
    )
    collection = json.loads(response.read())
    references = [feature["properties"]["reference"] for feature in collection["features"]]
    assert references == [geoportal.parcel_reference]
    public = set(next(layer for layer in VECTOR_LAYERS if layer.name == "parcels").public_items)
    assert set(collection["features"][0]["properties"]) <= public


def test_legend_graphic_is_an_image(geoportal: Geoportal) -> None:
    query = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=zones&FORMAT=image/png&SLD_VERSION=1.1.0"
    url = f"{geoportal.service}?{query}"
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.headers["Content-Type"].startswith("image/png")
        assert image_has_content(response.read())
