"""A project's footprint read from an uploaded GIS or CAD file: GeoJSON, KML, GeoPackage, zipped Shapefile or DXF.

`footprint_from_file(uploaded_file=... | path=..., srid=None)` returns the footprint as a GEOS MultiPolygon in
EPSG:4326, ready for `services.dossier_create(footprint=...)` / `dossier_update`:

- the file is copied to a temporary directory with a size limit (`FOOTPRINT_MAX_UPLOAD_BYTES`), recognised by
  its content, checked and read by GDAL through `gis_core.vector_files`: only the driver of its format may open
  it, with no network and no other file; a VRT, or a file that points at a URL or a local path (a GeoJSON
  `crs` link, a KML NetworkLink, a zip holding anything but shapefile parts...) is refused with the reason;
- polygons are taken as they are; closed lines (DXF closed polylines, KML/GeoJSON closed line strings) become
  polygons; DXF hatches come as polygons from GDAL; points, open lines and texts are ignored;
- coordinates are in each layer's declared CRS (KML: always WGS84; GeoJSON: its legacy `crs` member, else WGS84;
  GeoPackage and Shapefile: the layer's, from its table or .prj); a layer that declares none (DXF, nearly
  always) needs `srid` — `FootprintSridRequired` says so;
- every polygon is validated by `gis_core.geometry.parse_user_polygon` (never repaired silently), checked to lie
  where its CRS is used, reprojected to EPSG:4326, and the polygons are merged (overlapping outlines and hatches
  of one building become one outline).

Errors are typed, 400 problem documents with a stable `code`: `FootprintFileUnreadable`,
`FootprintFormatUnsupported`, `FootprintFileRefused`, `FootprintFileTooLarge`, `FootprintSridRequired`,
`FootprintSridConflict`, `FootprintNoPolygon`; plus the kernel's `InvalidGeometry`, `CoordinatesOutsideCrs` and
`UnknownSrid`.
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.files.uploadedfile import UploadedFile
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from gis_core.geometry import check_coordinates_in_crs, parse_user_polygon, to_multipolygon
from gis_core.problems import BadInput
from gis_core.srid import STORAGE_SRID, crs_for
from gis_core.vector_files import (
    FORMATS,
    SNIFF_BYTES,
    LayerGeometries,
    VectorFileError,
    VectorFileRefused,
    VectorFormatUnsupported,
    detect_format,
    read_layers,
)

CHUNK_BYTES = 1024 * 1024


class FootprintFileError(BadInput):
    """Base of the footprint-file errors (400)."""

    code = "footprint_file_invalid"
    title = "Invalid footprint file"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, code=self.code, **extra)


class FootprintFileUnreadable(FootprintFileError):
    code = "footprint_file_unreadable"
    title = "Unreadable footprint file"


class FootprintFormatUnsupported(FootprintFileError):
    code = "footprint_format_unsupported"
    title = "Unsupported footprint file format"


class FootprintFileRefused(FootprintFileError):
    """A VRT, or a file that points at a URL or another file: never opened."""

    code = "footprint_file_refused"
    title = "Footprint file refused"


class FootprintFileTooLarge(FootprintFileError):
    code = "footprint_file_too_large"
    title = "Footprint file too large"


class FootprintSridRequired(FootprintFileError):
    code = "footprint_srid_required"
    title = "The footprint file declares no coordinate system"


class FootprintSridConflict(FootprintFileError):
    code = "footprint_srid_conflict"
    title = "The footprint file declares another coordinate system"


class FootprintNoPolygon(FootprintFileError):
    code = "footprint_no_polygon"
    title = "No polygon in the footprint file"


def footprint_from_file(
    *,
    uploaded_file: UploadedFile | IO[bytes] | None = None,
    path: str | os.PathLike[str] | None = None,
    srid: int | None = None,
    max_bytes: int | None = None,
) -> MultiPolygon:
    """The polygons of a GeoJSON, KML, GeoPackage, zipped Shapefile or DXF file as one MultiPolygon in EPSG:4326
    (see the module docstring).

    Give exactly one of `uploaded_file` (a Django upload or a binary file object) or `path`. `srid` is the EPSG
    code of the file's coordinates when the file declares none (DXF); a file that declares one keeps it.
    `max_bytes` defaults to `FOOTPRINT_MAX_UPLOAD_BYTES`.
    """
    if (uploaded_file is None) == (path is None):
        raise ValueError("footprint_from_file needs exactly one of uploaded_file or path")
    limit = settings.FOOTPRINT_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if path is not None:
        with open(path, "rb") as source:
            return _footprint_from_stream(source, name=os.fspath(path), srid=srid, max_bytes=limit)
    assert uploaded_file is not None
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    name = str(getattr(uploaded_file, "name", "") or "")
    return _footprint_from_stream(uploaded_file, name=name, srid=srid, max_bytes=limit)


def _footprint_from_stream(source: IO[bytes] | UploadedFile, *, name: str, srid: int | None, max_bytes: int) -> Any:
    with tempfile.TemporaryDirectory(prefix="footprint-") as directory:
        head, size, spooled = _spool(source, Path(directory) / "upload", max_bytes)
        if size == 0:
            raise FootprintFileUnreadable("The footprint file is empty.")
        try:
            file_format = detect_format(head, name)
            layers = read_layers(spooled, file_format, max_bytes=max_bytes, workdir=Path(directory))
        except VectorFileError as error:
            raise _footprint_error(error) from error
    groups = [group for layer in layers if (group := _layer_polygons(layer, srid, file_format.name))[0]]
    if not groups:
        raise FootprintNoPolygon(
            "The file has no polygon, hatch or closed line: draw the footprint as a closed outline.",
            format=file_format.name,
        )
    return _to_storage(groups)


def _footprint_error(error: VectorFileError) -> FootprintFileError:
    """The kernel's error as the footprint's (same detail, the footprint's stable codes)."""
    extra = {key: value for key, value in error.extra.items() if key != "code"}
    if isinstance(error, VectorFormatUnsupported):
        return FootprintFormatUnsupported(error.detail, **extra)
    if isinstance(error, VectorFileRefused):
        return FootprintFileRefused(error.detail, **extra)
    return FootprintFileUnreadable(error.detail, **extra)


def _spool(source: IO[bytes] | UploadedFile, target: Path, max_bytes: int) -> tuple[bytes, int, Path]:
    """Copy `source` to `target` in chunks (memory stays flat), refusing past `max_bytes`."""
    size = 0
    head = b""
    with target.open("wb") as out:
        while True:
            chunk = source.read(CHUNK_BYTES)
            if not chunk:
                break
            if isinstance(chunk, str):
                chunk = chunk.encode()
            size += len(chunk)
            if size > max_bytes:
                raise FootprintFileTooLarge(
                    f"The footprint file is larger than {max_bytes} bytes.", max_bytes=max_bytes
                )
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            out.write(chunk)
    return head, size, target


def _layer_polygons(layer: LayerGeometries, srid: int | None, file_format: str) -> tuple[list[shapely.Geometry], Any]:
    """The layer's polygons (closed lines turned into polygons, in 2D) and the CRS of their coordinates."""
    polygons: list[shapely.Geometry] = []
    for geometry in shapely.from_wkb(layer.wkb, on_invalid="ignore") if layer.wkb else []:
        if geometry is None or geometry.is_empty:
            continue
        polygons.extend(_polygonal_parts(shapely.force_2d(geometry)))
    if not polygons:
        return polygons, None
    declared = None
    if layer.crs_wkt:
        try:
            declared = CRS.from_wkt(layer.crs_wkt)
        except CRSError as error:
            raise FootprintFileUnreadable(
                f"The coordinate system of layer {layer.name!r} is not understood."
            ) from error
    return polygons, _source_crs(declared, srid, file_format)


def _source_crs(declared: CRS | None, srid: int | None, file_format: str) -> CRS:
    given = crs_for(srid) if srid is not None else None
    if given is not None and not (given.is_geographic or given.is_projected):
        raise FootprintSridConflict(f"EPSG:{srid} is not a horizontal coordinate system", srid=srid)
    if declared is None:
        if given is not None:
            return given
        if file_format == "geojson":
            return crs_for(STORAGE_SRID)  # RFC 7946: longitude/latitude WGS84
        raise FootprintSridRequired(
            f"The {FORMATS[file_format].driver} file does not say in which coordinate system its coordinates are: "
            "give its EPSG code (for Morocco, a Lambert zone such as 26191).",
            srid_required=True,
            format=file_format,
        )
    if given is not None and not given.equals(declared, ignore_axis_order=True):
        raise FootprintSridConflict(
            f"The file declares {declared.name}; EPSG:{srid} was given. Leave the SRID out or fix the file.",
            declared=declared.to_epsg() or declared.name,
            srid=srid,
        )
    return declared


def _polygonal_parts(geometry: shapely.Geometry) -> Iterator[shapely.Geometry]:
    for part in shapely.get_parts(geometry):
        kind = part.geom_type
        if kind == "Polygon":
            yield part
        elif kind in ("MultiPolygon", "GeometryCollection", "MultiLineString"):
            yield from _polygonal_parts(part)
        elif kind in ("LineString", "LinearRing") and part.is_closed and shapely.get_num_coordinates(part) >= 4:
            yield shapely.Polygon(shapely.get_coordinates(part))


def _to_storage(groups: list[tuple[list[shapely.Geometry], CRS]]) -> Any:
    storage = crs_for(STORAGE_SRID)
    stored: list[shapely.Geometry] = []
    for polygons, crs in groups:
        for polygon in polygons:
            parse_user_polygon(polygon)  # InvalidGeometry: self-intersections are refused, never repaired
        array = np.array(polygons, dtype=object)
        labels = [str(len(stored) + index + 1) for index in range(len(polygons))]
        check_coordinates_in_crs(array, crs, labels)
        if not crs.equals(storage, ignore_axis_order=True):
            forward = Transformer.from_crs(crs, storage, always_xy=True)

            def project(coordinates: np.ndarray, forward: Transformer = forward) -> np.ndarray:
                x, y = forward.transform(coordinates[:, 0], coordinates[:, 1], errcheck=True)
                return np.column_stack([x, y])

            array = shapely.transform(array, project)
        stored.extend(array)
    merged = shapely.union_all(stored) if len(stored) > 1 else stored[0]
    multi = to_multipolygon(parse_user_polygon(merged))
    if multi is None:
        raise FootprintNoPolygon("The polygons of the file have no area.")
    return GEOSGeometry(memoryview(shapely.to_wkb(multi)), srid=STORAGE_SRID)
