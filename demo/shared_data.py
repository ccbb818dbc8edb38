"""Loading the real datasets of `../shared/data` (not shipped: ODbL, Licence Ouverte and unlicensed data stay there).

Morocco's regions and provinces (OpenStreetMap TopoJSON), its communes (HCP 2014 census map), Cambridge's full
parcels, zoning and overlays, and the Paris 18e cadastre with a commune boundary made from its parcels.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import shapely
from pyogrio.raw import read, write

from demo.cambridge import DEMO_COMMUNE, DEMO_DIR, DEMO_PLAN, TERRITORIES
from gis_core.importing import ImportRequest, ImportSummary, import_layer
from parcels.importers import TARGETS
from parcels.importers.agencies import agencies_load

PARIS_PARCELS = "paris18/cadastre-75118-parcelles.json"
PARIS_TERRITORIES = (
    ("region", {"code": "FR-IDF", "name_fr": "Île-de-France", "name_ar": "إيل دو فرانس", "name_en": "Île-de-France"}),
    (
        "province",
        {"code": "FR-75", "name_fr": "Paris", "name_ar": "باريس", "name_en": "Paris", "parent_code": "FR-IDF"},
    ),
    (
        "commune",
        {
            "code": "FR-75118",
            "name_fr": "Paris 18e arrondissement",
            "name_ar": "الدائرة الثامنة عشرة بباريس",
            "name_en": "Paris 18th arrondissement",
            "parent_code": "FR-75",
        },
    ),
)


@contextmanager
def paris_boundary(data: Path) -> Iterator[Path]:
    """A boundary for Paris 18e: the union of its cadastral parcels, closed by a 5 m buffer (written to a temp file)."""
    _, _, wkb, _ = read(str(data / PARIS_PARCELS), columns=[])
    union = shapely.union_all(shapely.make_valid(shapely.from_wkb(wkb)))
    boundary = shapely.buffer(shapely.buffer(union, 0.0002), -0.00015).simplify(0.00001)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "paris18_boundary.geojson"
        write(
            str(path),
            np.array([shapely.to_wkb(boundary)], dtype=object),
            field_data=[],
            fields=[],
            crs="EPSG:4326",
            driver="GeoJSON",
            geometry_type="Unknown",
        )
        yield path


def shared_requests(data: Path, paris: Path) -> list[ImportRequest]:
    morocco, cambridge = data / "morocco", data / "cambridge"
    cambridge_commune = {"commune": DEMO_COMMUNE}
    boundary = cambridge / "Boundary/City_Boundary/BOUNDARY_CityBoundary.geojson"
    return [
        ImportRequest(target="territories", path=morocco / "regions.json", options={"level": "region"}),
        ImportRequest(target="territories", path=morocco / "provinces.json", options={"level": "province"}),
        ImportRequest(
            target="territories",
            path=morocco / "hcp_admin_2014.gpkg",
            layer="communes",
            mapping={"code": "cc", "name_fr": "com_fr", "name_ar": "com_ar"},
            options={"level": "commune"},
        ),
        *[
            ImportRequest(target="territories", path=boundary, constants=constants, options={"level": level})
            for level, constants in TERRITORIES
        ],
        ImportRequest(
            target="zones",
            path=cambridge / "CDD/Zoning_Districts/CDD_ZoningDistricts.geojson",
            mapping={"code": "ZONE_TYPE"},
            options={
                **cambridge_commune,
                "plan": DEMO_PLAN,
                "rules": str(DEMO_DIR / "cambridge_zone_rules.csv"),
            },
        ),
        ImportRequest(
            target="overlays",
            path=cambridge / "CDD/Zoning_Overlay_Districts/CDD_ZoningOverlayDistricts.geojson",
            mapping={"reference": "GlobalID", "name": "Name"},
            constants={"kind": "special_district"},
            options=cambridge_commune,
        ),
        ImportRequest(
            target="overlays",
            path=cambridge / "Historical/Historic_Districts/HISTORICAL_HistoricDistricts.geojson",
            mapping={"reference": "GlobalID", "name": "NAME"},
            constants={"kind": "heritage"},
            options=cambridge_commune,
        ),
        ImportRequest(
            target="parcels",
            path=cambridge / "cambridge_parcels_fy2014.gpkg",
            mapping={"reference": "ML"},
            options=cambridge_commune,
        ),
        *[
            ImportRequest(target="territories", path=paris, constants=constants, options={"level": level})
            for level, constants in PARIS_TERRITORIES
        ],
        ImportRequest(target="parcels", path=data / PARIS_PARCELS, mapping={"reference": "id"}),
    ]


def shared_data_load(
    *, data: Path, report: Callable[[str], None] = lambda line: None, progress: bool | None = None
) -> list[ImportSummary]:
    """Import every shared dataset, one transaction per layer; `report` gets each summary's lines."""
    agencies_load()
    summaries = []
    with paris_boundary(data) as paris:
        for request in shared_requests(data, paris):
            request.progress = progress
            summary = import_layer(request, TARGETS)
            for line in summary.lines(issues=3):
                report(line)
            summaries.append(summary)
    return summaries
