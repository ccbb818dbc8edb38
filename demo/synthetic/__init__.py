"""Synthetic parcels for scale: realistic lots over a real commune, streamed in chunks to PostGIS or a GeoPackage.

`layout` draws the lots (street blocks, irregular lots, clipping); this module numbers them, writes them
(COPY into PostGIS in one transaction, upserting by reference; or a GeoPackage appended chunk by chunk) and
stops at the requested count. Memory stays flat: one chunk of lots is alive at a time.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.db import connection, transaction

from demo.synthetic.layout import LOT_TYPE_NAMES, CommuneTooSmall, ParcelLayout
from gis_core.models import Territory, TerritoryLevel

__all__ = [
    "CommuneTooSmall",
    "ParcelChunk",
    "UnknownCommune",
    "parcel_chunks",
    "parcels_generate_into_database",
    "parcels_generate_to_geopackage",
]

SQL_DIR = Path(__file__).resolve().parent / "sql"
GEOPACKAGE_LAYER = "parcels"
DEFAULT_CHUNK_SIZE = 50_000


class UnknownCommune(LookupError):
    """No territory of level commune has the given code."""


@dataclass
class ParcelChunk:
    """Consecutive synthetic parcels: numbers `first_number`.., lon/lat polygons, geodesic and official areas."""

    first_number: int
    geometries: np.ndarray
    area_m2: np.ndarray
    official_area_m2: np.ndarray
    lot_type: np.ndarray

    def __len__(self) -> int:
        return len(self.geometries)

    def references(self, commune_code: str) -> list[str]:
        return [f"GEN-{commune_code}-{number}" for number in range(self.first_number, self.first_number + len(self))]

    def land_titles(self) -> list[str]:
        return [f"T{number}/C" for number in range(self.first_number, self.first_number + len(self))]


def commune_by_code(code: str) -> Territory:
    """The commune with this code, or UnknownCommune with a hint."""
    territory = Territory.objects.filter(code=code).first()
    if territory is None:
        communes = Territory.objects.filter(level=TerritoryLevel.COMMUNE).count()
        raise UnknownCommune(
            f"no territory has the code {code!r} ({communes} communes are loaded; "
            "import them with `manage.py import_layer territories ...` or `manage.py load_demo`)"
        )
    if territory.level != TerritoryLevel.COMMUNE:
        raise UnknownCommune(f"{territory} is a {territory.get_level_display().lower()}, not a commune")
    return territory


def parcel_chunks(
    commune_geometry: shapely.Geometry, *, count: int, seed: int, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[ParcelChunk]:
    """Exactly `count` synthetic parcels over the commune, in chunks of about `chunk_size`.

    Raises CommuneTooSmall before producing anything when the commune clearly cannot hold them, and when
    its districts run out before the count is reached.
    """
    if count <= 0:
        raise ValueError("the count of parcels must be positive")
    layout = ParcelLayout(commune_geometry, seed)
    capacity = layout.estimated_capacity()
    if count > capacity:
        raise CommuneTooSmall(
            f"the commune holds about {capacity:,} lots of 100-2,000 m² separated by streets; "
            f"{count:,} do not fit: ask for fewer or choose a larger commune"
        )
    official_rng = np.random.default_rng([seed, 3])
    produced = 0
    pending: list[ParcelChunk] = []
    pending_size = 0
    for batch in layout.batches():
        take = min(len(batch.geometries), count - produced - pending_size)
        # The official (registry) area differs from the computed one by survey error and rounding.
        official = np.round(batch.area_m2[:take] * official_rng.normal(1.0, 0.01, take))
        pending.append(
            ParcelChunk(
                produced + pending_size + 1,
                batch.geometries[:take],
                batch.area_m2[:take],
                official,
                batch.lot_type[:take],
            )
        )
        pending_size += take
        if pending_size >= chunk_size or produced + pending_size == count:
            yield _concatenate(pending)
            produced += pending_size
            pending, pending_size = [], 0
        if produced == count:
            return
    if pending:
        yield _concatenate(pending)
        produced += pending_size
    raise CommuneTooSmall(f"the commune's districts ran out after {produced:,} lots of the {count:,} asked for")


def _concatenate(chunks: list[ParcelChunk]) -> ParcelChunk:
    return ParcelChunk(
        chunks[0].first_number,
        np.concatenate([chunk.geometries for chunk in chunks]),
        np.concatenate([chunk.area_m2 for chunk in chunks]),
        np.concatenate([chunk.official_area_m2 for chunk in chunks]),
        np.concatenate([chunk.lot_type for chunk in chunks]),
    )


Progress = Callable[[int], None]


def parcels_generate_into_database(
    *, commune: Territory, count: int, seed: int, chunk_size: int = DEFAULT_CHUNK_SIZE, progress: Progress | None = None
) -> tuple[int, int]:
    """Insert or update `count` synthetic parcels of the commune by COPY, in one transaction.

    Parcels are upserted by (commune, reference), so running again with the same seed updates in place.
    Returns (inserted, updated).
    """
    inserted = updated = 0
    chunks = parcel_chunks(shapely.from_wkb(bytes(commune.geom.wkb)), count=count, seed=seed, chunk_size=chunk_size)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute((SQL_DIR / "staging_create.sql").read_text())
        upsert = (SQL_DIR / "parcels_upsert.sql").read_text()
        for chunk in chunks:
            cursor.execute('TRUNCATE "generated_parcel_staging"')
            with cursor.copy(
                'COPY "generated_parcel_staging" ("reference", "land_title", "official_area_m2", "area_m2", '
                '"geom", "attributes") FROM STDIN'
            ) as copy:
                copy.write(_copy_text(chunk, commune.code))
            cursor.execute(upsert, {"commune_id": commune.pk})
            chunk_inserted, chunk_updated = cursor.fetchone()
            inserted += chunk_inserted
            updated += chunk_updated
            if progress:
                progress(len(chunk))
    return inserted, updated


def _copy_text(chunk: ParcelChunk, commune_code: str) -> bytes:
    """The chunk as COPY text rows: reference, land title, official area, area, hex EWKB, attributes."""
    multipolygons = shapely.multipolygons(chunk.geometries, indices=np.arange(len(chunk)))
    geometries = shapely.to_wkb(shapely.set_srid(multipolygons, 4326), hex=True, include_srid=True)
    attributes = [f'{{"synthetic": true, "lot_type": "{name}"}}' for name in LOT_TYPE_NAMES]
    buffer = io.StringIO()
    for reference, title, official, area, geometry, lot_type in zip(
        chunk.references(commune_code),
        chunk.land_titles(),
        chunk.official_area_m2.tolist(),
        chunk.area_m2.tolist(),
        geometries.tolist(),
        chunk.lot_type.tolist(),
        strict=True,
    ):
        buffer.write(f"{reference}\t{title}\t{official}\t{area}\t{geometry}\t{attributes[lot_type]}\n")
    return buffer.getvalue().encode()


def parcels_generate_to_geopackage(
    *,
    commune_code: str,
    commune_geometry: shapely.Geometry,
    count: int,
    seed: int,
    path: Path,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> int:
    """Write `count` synthetic parcels to a new GeoPackage layer `parcels` (EPSG:4326), appending chunk by chunk."""
    from pyogrio.raw import write

    if path.exists():
        path.unlink()
    written = 0
    try:
        for chunk in parcel_chunks(commune_geometry, count=count, seed=seed, chunk_size=chunk_size):
            multipolygons = shapely.multipolygons(chunk.geometries, indices=np.arange(len(chunk)))
            write(
                str(path),
                shapely.to_wkb(multipolygons),
                field_data=[
                    np.array(chunk.references(commune_code), dtype=object),
                    np.array(chunk.land_titles(), dtype=object),
                    chunk.official_area_m2,
                    LOT_TYPE_NAMES[chunk.lot_type].astype(object),
                ],
                fields=["reference", "land_title", "official_area_m2", "lot_type"],
                layer=GEOPACKAGE_LAYER,
                driver="GPKG",
                geometry_type="MultiPolygon",
                crs="EPSG:4326",
                append=written > 0,
            )
            written += len(chunk)
            if progress:
                progress(len(chunk))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return written
