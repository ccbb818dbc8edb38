"""One writer per download format, in a table keyed by the URL's extension.

A `StreamedFormat` yields the file's bytes batch by batch (GeoJSON, CSV); a `FileFormat` writes the whole file to
a temporary path first (GeoPackage and FlatGeobuf by GDAL through pyogrio, GeoParquet by pyarrow), from the same
stream of Arrow batches, so memory stays flat in both cases. Every writer takes the batches of
`selectors.projects_batches` and gives a valid file for an empty dataset.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio.raw
import shapely

from opendata.downloads.selectors import GEOMETRY, GEOMETRY_TYPE, SCHEMA, SRID
from opendata.licence import LICENCE

LAYER = "authorised_projects"
PROPERTIES = [name for name in SCHEMA.names if name != GEOMETRY]
# shapely's type ids -> GeoParquet's geometry type names
GEOMETRY_TYPES = {
    0: "Point",
    1: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


@dataclass(frozen=True)
class StreamedFormat:
    media_type: str
    stream: Callable[[Iterable[pa.RecordBatch]], Iterator[bytes]]


@dataclass(frozen=True)
class FileFormat:
    media_type: str
    write: Callable[[Iterable[pa.RecordBatch], Path], None]


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _geometries(batch: pa.RecordBatch) -> Any:
    return shapely.from_wkb(batch.column(GEOMETRY).to_numpy(zero_copy_only=False))


def geojson_stream(batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    """A FeatureCollection (RFC 7946, longitude/latitude), one batch of features per chunk."""
    head = {"type": "FeatureCollection", "name": LAYER, "license": LICENCE.url}
    yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "features": ['
    separator = ""
    for batch in batches:
        geometries = shapely.to_geojson(_geometries(batch))
        rows = batch.select(PROPERTIES).to_pylist()
        chunk = io.StringIO()
        for row, geometry in zip(rows, geometries, strict=True):
            properties = json.dumps({key: _json_value(value) for key, value in row.items()}, ensure_ascii=False)
            chunk.write(f'{separator}{{"type": "Feature", "id": {row["id"]}, "geometry": {geometry}, ')
            chunk.write(f'"properties": {properties}}}')
            separator = ",\n"
        yield chunk.getvalue().encode()
    yield b"]}\n"


def csv_stream(batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    """CSV in UTF-8 with a header row; the geometry as WKT in the last column, `wkt` (GDAL reads it as such)."""
    chunk = io.StringIO()
    writer = csv.writer(chunk, lineterminator="\r\n")
    writer.writerow([*PROPERTIES, "wkt"])
    for batch in batches:
        wkts = shapely.to_wkt(_geometries(batch), rounding_precision=-1)
        for row, wkt in zip(batch.select(PROPERTIES).to_pylist(), wkts, strict=True):
            writer.writerow([*(_json_value(value) for value in row.values()), wkt])
        yield chunk.getvalue().encode()
        chunk.seek(0)
        chunk.truncate()
    yield chunk.getvalue().encode()


def _gdal_writer(driver: str, **options: Any) -> Callable[[Iterable[pa.RecordBatch], Path], None]:
    def write(batches: Iterable[pa.RecordBatch], path: Path) -> None:
        reader = pa.RecordBatchReader.from_batches(SCHEMA, batches)
        pyogrio.raw.write_arrow(
            reader,
            str(path),
            layer=LAYER,
            driver=driver,
            geometry_name=GEOMETRY,
            geometry_type=GEOMETRY_TYPE,
            crs=f"EPSG:{SRID}",
            **options,
        )

    return write


def _bounds(geometries: Any, bbox: list[float] | None) -> list[float] | None:
    xmin, ymin, xmax, ymax = shapely.total_bounds(geometries)
    if xmin != xmin:  # NaN: no geometry in the batch
        return bbox
    if bbox is None:
        return [float(xmin), float(ymin), float(xmax), float(ymax)]
    return [min(bbox[0], xmin), min(bbox[1], ymin), max(bbox[2], xmax), max(bbox[3], ymax)]


def geoparquet_write(batches: Iterable[pa.RecordBatch], path: Path) -> None:
    """GeoParquet 1.1: WKB geometry, the `geo` metadata (types and bbox seen, CRS: OGC:CRS84, the default)
    added to the footer once every batch is written."""
    bbox: list[float] | None = None
    types: set[int] = set()
    # Without the serialised Arrow schema (its types are plain Parquet ones here), readers take the schema's
    # metadata from the footer's key-value pairs, where `geo` is added last; with it, they would not see `geo`.
    with pq.ParquetWriter(str(path), SCHEMA, compression="zstd", store_schema=False) as writer:
        for batch in batches:
            geometries = _geometries(batch)
            types.update(shapely.get_type_id(geometries).tolist())
            bbox = _bounds(geometries, bbox)
            writer.write_batch(batch)
        column: dict[str, Any] = {"encoding": "WKB", "geometry_types": sorted(GEOMETRY_TYPES[kind] for kind in types)}
        if bbox is not None:
            column["bbox"] = bbox
        geo = {"version": "1.1.0", "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}
        writer.add_key_value_metadata({"geo": json.dumps(geo), "license": LICENCE.url})


FORMATS: dict[str, StreamedFormat | FileFormat] = {
    "geojson": StreamedFormat("application/geo+json", geojson_stream),
    "csv": StreamedFormat("text/csv; charset=utf-8; header=present", csv_stream),
    "gpkg": FileFormat(
        "application/geopackage+sqlite3",
        # GeoPackage 1.3, not GDAL 3.12's default 1.4: older readers (Debian's GDAL 3.6, QGIS 3.22) warn on 1.4
        _gdal_writer(
            "GPKG",
            dataset_options={"VERSION": "1.3"},
            layer_metadata={"DESCRIPTION": f"Authorised projects. {LICENCE.name}: {LICENCE.url}"},
        ),
    ),
    # Without its packed R-tree: GDAL holds every feature's box and offset in memory to sort them at close
    # (+100 MB at 200,000 projects); without it, memory stays flat whatever the size.
    "fgb": FileFormat("application/vnd.flatgeobuf", _gdal_writer("FlatGeobuf", layer_options={"SPATIAL_INDEX": "NO"})),
    "parquet": FileFormat("application/vnd.apache.parquet", geoparquet_write),
}
