"""A project's footprint read from an uploaded GIS or CAD file: GeoJSON, KML or DXF, through GDAL (pyogrio).

`footprint_from_file(uploaded_file=... | path=..., srid=None)` returns the footprint as a GEOS MultiPolygon in
EPSG:4326, ready for `services.dossier_create(footprint=...)` / `dossier_update`:

- the format is recognised from the content (and the file name); the file is copied to a temporary file with a
  size limit, read by GDAL, and removed;
- polygons are taken as they are; closed lines (DXF closed polylines, KML/GeoJSON closed line strings) become
  polygons; DXF hatches come as polygons from GDAL; points, open lines and texts are ignored;
- coordinates are in the file's declared CRS (KML: always WGS84; GeoJSON: its legacy `crs` member, else WGS84);
  a file that declares none (DXF, nearly always) needs `srid` — `FootprintSridRequired` says so;
- every polygon is validated by `gis_core.geometry.parse_user_polygon` (never repaired silently), checked to lie
  where its CRS is used, reprojected to EPSG:4326, and the polygons are merged (overlapping outlines and hatches
  of one building become one outline).

Errors are typed, 400 problem documents with a stable `code`: `FootprintFileUnreadable`,
`FootprintFormatUnsupported`, `FootprintFileTooLarge`, `FootprintSridRequired`, `FootprintSridConflict`,
`FootprintNoPolygon`; plus the kernel's `InvalidGeometry`, `CoordinatesOutsideCrs` and `UnknownSrid`.
"""

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyogrio
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.files.uploadedfile import UploadedFile
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from gis_core.geometry import check_coordinates_in_crs, parse_user_polygon, to_multipolygon
from gis_core.problems import BadInput
from gis_core.srid import STORAGE_SRID, crs_for

MAX_FOOTPRINT_FILE_BYTES = 20 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
SNIFF_BYTES = 4096
#: Format name -> (GDAL driver, file suffix GDAL recognises).
FORMATS = {"geojson": ("GeoJSON", ".geojson"), "kml": ("KML", ".kml"), "dxf": ("DXF", ".dxf")}
SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".dxf": "dxf"}


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
    max_bytes: int = MAX_FOOTPRINT_FILE_BYTES,
) -> MultiPolygon:
    """The polygons of a GeoJSON, KML or DXF file as one MultiPolygon in EPSG:4326 (see the module docstring).

    Give exactly one of `uploaded_file` (a Django upload or a binary file object) or `path`. `srid` is the EPSG
    code of the file's coordinates when the file declares none (DXF); a file that declares one keeps it.
    """
    if (uploaded_file is None) == (path is None):
        raise ValueError("footprint_from_file needs exactly one of uploaded_file or path")
    if path is not None:
        with open(path, "rb") as source:
            return _footprint_from_stream(source, name=os.fspath(path), srid=srid, max_bytes=max_bytes)
    assert uploaded_file is not None
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    name = str(getattr(uploaded_file, "name", "") or "")
    return _footprint_from_stream(uploaded_file, name=name, srid=srid, max_bytes=max_bytes)


def _footprint_from_stream(source: IO[bytes] | UploadedFile, *, name: str, srid: int | None, max_bytes: int) -> Any:
    with tempfile.TemporaryDirectory(prefix="footprint-") as directory:
        head, size, spooled = _spool(source, Path(directory) / "upload", max_bytes)
        if size == 0:
            raise FootprintFileUnreadable("The footprint file is empty.")
        file_format = _detect_format(head, name)
        driver, suffix = FORMATS[file_format]
        target = spooled.with_suffix(suffix)
        spooled.rename(target)
        declared = _declared_crs(target, file_format)
        crs = _source_crs(declared, srid, file_format)
        polygons = _polygons(target, driver)
    if not polygons:
        raise FootprintNoPolygon(
            "The file has no polygon, hatch or closed line: draw the footprint as a closed outline.",
            format=file_format,
        )
    return _to_storage(polygons, crs)


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


def _detect_format(head: bytes, name: str) -> str:
    """GeoJSON, KML or DXF judged by the content first, then by the file name."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"{", b"[")):
        return "geojson"
    if text.startswith(b"<") and b"<kml" in text:
        return "kml"
    lines = [line.strip() for line in text.splitlines()[:4]]
    if len(lines) >= 2 and lines[0] == b"0" and lines[1] in (b"section", b"eof"):
        return "dxf"
    if text.startswith(b"autocad binary dxf"):
        return "dxf"
    suffix = Path(name).suffix.lower()
    if suffix in SUFFIXES and not text.startswith((b"%pdf", b"pk\x03\x04")):
        return SUFFIXES[suffix]
    raise FootprintFormatUnsupported(
        "The footprint file must be GeoJSON, KML or DXF (judged by its content).", accepted=sorted(FORMATS)
    )


def _declared_crs(path: Path, file_format: str) -> CRS | None:
    """The CRS the file itself declares; None when it declares none (DXF; GeoJSON without a `crs` member)."""
    if file_format == "kml":
        return crs_for(STORAGE_SRID)  # KML is WGS84 by definition
    if file_format == "geojson":
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as error:
            raise FootprintFileUnreadable(f"The GeoJSON file cannot be parsed: {error}") from error
        if not isinstance(document, dict) or "crs" not in document:
            return None
    try:
        info = pyogrio.read_info(path)
    except (DataSourceError, DataLayerError) as error:
        raise FootprintFileUnreadable(f"GDAL cannot read the {file_format.upper()} file: {error}") from error
    declared = info.get("crs")
    if not declared:
        return None
    try:
        return CRS.from_user_input(declared)
    except CRSError as error:
        raise FootprintFileUnreadable(f"The file's coordinate system is not understood: {declared}") from error


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
            f"The {file_format.upper()} file does not say in which coordinate system its coordinates are: "
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


def _polygons(path: Path, driver: str) -> list[shapely.Geometry]:
    """Every polygon of every layer, closed lines turned into polygons, in 2D."""
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except (DataSourceError, DataLayerError) as error:
        raise FootprintFileUnreadable(f"GDAL cannot read the {driver} file: {error}") from error
    polygons: list[shapely.Geometry] = []
    for layer in layers:
        try:
            _, _, wkb, _ = pyogrio.raw.read(path, layer=layer, read_geometry=True, columns=[])
        except (DataSourceError, DataLayerError) as error:
            raise FootprintFileUnreadable(f"GDAL cannot read layer {layer!r} of the {driver} file: {error}") from error
        if wkb is None:
            continue
        for geometry in shapely.from_wkb(wkb, on_invalid="ignore"):
            if geometry is None or geometry.is_empty:
                continue
            polygons.extend(_polygonal_parts(shapely.force_2d(geometry)))
    return polygons


def _polygonal_parts(geometry: shapely.Geometry) -> Iterator[shapely.Geometry]:
    for part in shapely.get_parts(geometry):
        kind = part.geom_type
        if kind == "Polygon":
            yield part
        elif kind in ("MultiPolygon", "GeometryCollection", "MultiLineString"):
            yield from _polygonal_parts(part)
        elif kind in ("LineString", "LinearRing") and part.is_closed and shapely.get_num_coordinates(part) >= 4:
            yield shapely.Polygon(shapely.get_coordinates(part))


def _to_storage(polygons: list[shapely.Geometry], crs: CRS) -> Any:
    for polygon in polygons:
        parse_user_polygon(polygon)  # InvalidGeometry: self-intersections are refused, never repaired
    array = np.array(polygons, dtype=object)
    check_coordinates_in_crs(array, crs, [str(index + 1) for index in range(len(polygons))])
    storage = crs_for(STORAGE_SRID)
    if not crs.equals(storage, ignore_axis_order=True):
        forward = Transformer.from_crs(crs, storage, always_xy=True)

        def project(coordinates: np.ndarray) -> np.ndarray:
            x, y = forward.transform(coordinates[:, 0], coordinates[:, 1], errcheck=True)
            return np.column_stack([x, y])

        array = shapely.transform(array, project)
    merged = shapely.union_all(array) if len(array) > 1 else array[0]
    multi = to_multipolygon(parse_user_polygon(merged))
    if multi is None:
        raise FootprintNoPolygon("The polygons of the file have no area.")
    return GEOSGeometry(memoryview(shapely.to_wkb(multi)), srid=STORAGE_SRID)
