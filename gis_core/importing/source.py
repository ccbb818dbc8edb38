"""Reading a vector source with pyogrio: layer choice, source CRS, field names and Arrow batches.

GeoPackage, GeoJSON, TopoJSON, Shapefile, GML and CSV (a WKT column, or lon/lat columns) are read through
GDAL; CSV files get open options that find their geometry. GeoJSON and TopoJSON are WGS84 by definition;
any other source without a CRS needs an explicit SRID.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError
from pyogrio.raw import open_arrow
from pyproj import CRS
from pyproj.exceptions import CRSError

from gis_core.importing.errors import ImportInputError
from gis_core.srid import UnknownSrid, crs_for

WGS84_BY_DEFINITION = {"GeoJSON", "TopoJSON", "GeoJSONSeq"}
CSV_OPEN_OPTIONS = {
    "GEOM_POSSIBLE_NAMES": "wkt,WKT,geometry,geom,the_geom",
    "X_POSSIBLE_NAMES": "lon,longitude,lng,long,x,X,Lon,Longitude",
    "Y_POSSIBLE_NAMES": "lat,latitude,y,Y,Lat,Latitude",
    "KEEP_GEOM_COLUMNS": "NO",
}


@dataclass(frozen=True)
class SourceLayer:
    """A layer of a source, described before reading."""

    path: Path
    layer: str
    driver: str
    crs: CRS
    fields: tuple[str, ...]
    feature_count: int | None
    open_options: dict[str, str]

    @property
    def srid(self) -> int | None:
        return self.crs.to_epsg()


def _open_options(path: Path) -> dict[str, str]:
    return dict(CSV_OPEN_OPTIONS) if path.suffix.lower() in {".csv", ".tsv"} else {}


def choose_layer(path: Path, layer: str | None) -> str:
    """The layer to read: the given one, or the only one; otherwise an error that lists the layers."""
    if not path.exists():
        raise ImportInputError(f"{path}: no such file")
    try:
        layers = [str(name) for name in pyogrio.list_layers(str(path))[:, 0]]
    except (DataSourceError, DataLayerError) as error:
        raise ImportInputError(f"{path}: not a readable vector source ({error})") from error
    if not layers:
        raise ImportInputError(f"{path}: the source has no layer")
    if layer is None:
        if len(layers) > 1:
            raise ImportInputError(f"{path} has {len(layers)} layers; choose one with --layer: {', '.join(layers)}")
        return layers[0]
    if layer not in layers:
        raise ImportInputError(f"{path} has no layer {layer!r}; its layers are: {', '.join(layers)}")
    return layer


def describe_source(path: Path, layer: str | None, srid: int | None) -> SourceLayer:
    """Open the source enough to know its layer, driver, CRS and fields; refuse a source without a CRS."""
    chosen = choose_layer(path, layer)
    options = _open_options(path)
    try:
        info = pyogrio.read_info(str(path), layer=chosen, **options)
    except (DataSourceError, DataLayerError) as error:
        raise ImportInputError(f"{path}: cannot read layer {chosen!r} ({error})") from error
    if not info.get("geometry_type"):
        hint = " (a CSV needs a WKT column named wkt/geometry/geom, or lon/lat columns)" if options else ""
        raise ImportInputError(f"{path}: layer {chosen!r} has no geometry{hint}")
    driver = str(info.get("driver") or "")
    crs = _source_crs(path, info.get("crs"), driver, srid)
    count = info.get("features")
    return SourceLayer(
        path=path,
        layer=chosen,
        driver=driver,
        crs=crs,
        fields=tuple(str(name) for name in info["fields"]),
        feature_count=int(count) if count is not None and count >= 0 else None,
        open_options=options,
    )


def _source_crs(path: Path, declared: str | None, driver: str, srid: int | None) -> CRS:
    if srid is not None:
        try:
            return crs_for(srid)
        except UnknownSrid as error:
            raise ImportInputError(str(error)) from error
    if declared:
        try:
            return CRS.from_user_input(declared)
        except CRSError as error:
            raise ImportInputError(f"{path}: its CRS cannot be understood ({error}); give one with --srid") from error
    if driver in WGS84_BY_DEFINITION:
        return crs_for(4326)
    raise ImportInputError(
        f"{path} does not declare its coordinate reference system ({driver or 'unknown format'}); "
        "give it with --srid (e.g. --srid 26191 for Lambert Nord Maroc, --srid 4326 for lon/lat)"
    )


@dataclass
class Batch:
    """One Arrow batch: feature ids, WKB geometries and the attribute columns (Arrow arrays)."""

    fids: np.ndarray
    wkb: pa.Array
    columns: dict[str, pa.Array]

    def __len__(self) -> int:
        return len(self.fids)


@contextmanager
def read_batches(source: SourceLayer, *, columns: list[str], batch_size: int) -> Iterator[Iterator[Batch]]:
    """Stream the layer as batches of at most `batch_size` features, reading only `columns`."""
    with open_arrow(
        str(source.path),
        layer=source.layer,
        columns=columns,
        return_fids=True,
        batch_size=batch_size,
        use_pyarrow=True,
        datetime_as_string=True,
        **source.open_options,
    ) as (meta, reader):
        geometry_column = meta["geometry_name"] or "wkb_geometry"
        fid_column = meta.get("fid_column") or "OGC_FID"

        def batches() -> Iterator[Batch]:
            offset = 0
            for record_batch in reader:
                names = record_batch.schema.names
                if fid_column in names:
                    fids = record_batch.column(fid_column).to_numpy()
                else:
                    fids = np.arange(offset, offset + len(record_batch))
                offset += len(record_batch)
                yield Batch(
                    fids=np.asarray(fids),
                    wkb=record_batch.column(geometry_column),
                    columns={name: record_batch.column(name) for name in columns if name in names},
                )

        yield batches()
