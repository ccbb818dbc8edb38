"""One-off: cut the demo extract of Cambridge (MA) open data (PDDL 1.0) into demo/fixtures/cambridge/.

About 1,500 parcels along Massachusetts Avenue between Harvard Square and Central Square, and the zoning
districts, overlay districts and historic districts that intersect them, written as compact GeoJSON.
Run: .venv/bin/python scripts/make_demo_extract.py [/path/to/shared/data/cambridge]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyogrio.raw import read, write
from pyproj import Transformer

HARVARD_SQUARE = (-71.1190, 42.3736)
CENTRAL_SQUARE = (-71.1036, 42.3654)
PARCEL_COUNT = 1500
OUT = Path(__file__).resolve().parent.parent / "demo" / "fixtures" / "cambridge"
LAYERS = {
    "cambridge_zoning_districts.geojson": "CDD/Zoning_Districts/CDD_ZoningDistricts.geojson",
    "cambridge_overlay_districts.geojson": "CDD/Zoning_Overlay_Districts/CDD_ZoningOverlayDistricts.geojson",
    "cambridge_historic_districts.geojson": "Historical/Historic_Districts/HISTORICAL_HistoricDistricts.geojson",
    "cambridge_city_boundary.geojson": "Boundary/City_Boundary/BOUNDARY_CityBoundary.geojson",
}
DROP_FIELDS = {"created_user", "created_date", "last_edited_user", "last_edited_date", "EditDate", "Editor"}


def write_geojson(path: Path, geometries: np.ndarray, fields: list[str], columns: list[np.ndarray]) -> None:
    path.unlink(missing_ok=True)
    keep = [index for index, name in enumerate(fields) if name not in DROP_FIELDS]
    write(
        str(path),
        shapely.to_wkb(geometries),
        field_data=[columns[index] for index in keep],
        fields=[fields[index] for index in keep],
        crs="EPSG:4326",
        driver="GeoJSON",
        geometry_type="Unknown",
        layer_options={"COORDINATE_PRECISION": "7", "RFC7946": "YES"},
    )


def main(source: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    meta, _, wkb, columns = read(str(source / "cambridge_parcels_fy2014.gpkg"))
    parcels = shapely.from_wkb(wkb)
    to_metres = Transformer.from_crs(4326, 26986, always_xy=True)  # Massachusetts state plane
    centres = shapely.get_coordinates(shapely.point_on_surface(parcels))
    x, y = to_metres.transform(centres[:, 0], centres[:, 1])
    start = to_metres.transform(*HARVARD_SQUARE)
    end = to_metres.transform(*CENTRAL_SQUARE)
    avenue = shapely.LineString([start, end])
    distances = shapely.distance(shapely.points(np.column_stack([x, y])), avenue)
    chosen = np.sort(np.argsort(distances)[:PARCEL_COUNT])
    write_geojson(
        OUT / "cambridge_parcels.geojson", parcels[chosen], list(meta["fields"]), [c[chosen] for c in columns]
    )
    area = shapely.convex_hull(shapely.multipoints(centres[chosen]))
    for name, relative in LAYERS.items():
        meta, _, wkb, columns = read(str(source / relative))
        geometries = shapely.from_wkb(wkb)
        hit = np.flatnonzero(shapely.intersects(shapely.make_valid(geometries), area))
        write_geojson(OUT / name, geometries[hit], list(meta["fields"]), [c[hit] for c in columns])
    for path in sorted(OUT.glob("*.geojson")):
        print(f"{path.name}: {pyogrio.read_info(str(path))['features']} features, {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data/cambridge"))
