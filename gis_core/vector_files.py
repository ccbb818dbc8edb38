"""Vector files from untrusted users (a footprint upload), opened by GDAL with nothing but the file itself.

GDAL picks a driver from a file's content and many drivers read other files: a VRT (`<OGRVRTDataSource>`, in a
file of any name) opens any path or URL it names, a GeoJSON `crs` member may name a URL or a file that GDAL
fetches, a KML NetworkLink points elsewhere, an SQLite virtual table reads another dataset. So an upload is:

1. recognised by its content (`detect_format`), as one of `FORMATS`: GeoJSON, KML, GeoPackage, a zipped
   Shapefile, DXF; anything else is refused;
2. checked for what could point outside it (`check_references`): VRT markers and `/vsi...` paths in text
   formats, GeoJSON CRS other than an authority code, KML DOCTYPE/ENTITY (XML entities) and NetworkLink,
   GeoPackage virtual tables (except the R-tree spatial index), and in a zip anything but the parts of a
   shapefile (`extract_shapefiles`: sizes and member count capped, names flattened);
3. opened (`open_vector`) with `GDALOpenEx` restricted to that format's one driver (`allowed_drivers`), with the
   list of sibling files given (no directory scan) and, for the time of the read, thread-local GDAL options
   that keep it off the network (`SAFE_GDAL_OPTIONS`).

`read_layers` returns each layer's geometries (WKB, curves linearised) and declared CRS (WKT, or None). The
errors are `gis_core.problems.BadInput` (400) with a stable `code`: `VectorFileRefused` (it points outside),
`VectorFileUnreadable`, `VectorFormatUnsupported`. The reader is GDAL through Django's bindings (the system's
libgdal), which expose `GDALOpenEx`'s driver list.
"""

from __future__ import annotations

import ctypes
import json
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.contrib.gis.gdal import DataSource, GDALException, OGRGeometry
from django.contrib.gis.gdal.driver import Driver
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as gdal_ds

from gis_core.problems import BadInput

SNIFF_BYTES = 4096
GPKG_APPLICATION_IDS = frozenset({0x47504B47, 0x47503130, 0x47503131})  # "GPKG", "GP10", "GP11"
# The parts of a shapefile a zip may hold; anything else in it (a .vrt, another zip...) refuses the whole zip.
SHAPEFILE_PARTS = frozenset({".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx", ".qix", ".xml"})
ZIP_MAX_MEMBERS = 64
ZIP_MAX_EXPANSION = 5  # the extracted parts may be at most this many times the zip's size cap
TEXT_MARKERS = {  # found anywhere in a text format (lower case): refused
    b"<ogrvrtdatasource": "it is a GDAL virtual dataset (VRT), which reads other files",
    b"<vrtdataset": "it is a GDAL virtual dataset (VRT), which reads other files",
    b"/vsi": "it names a GDAL virtual file path (/vsi...)",
}
KML_MARKERS = {
    b"<!doctype": "it declares a document type (XML entities are not accepted)",
    b"<!entity": "it declares XML entities",
    b"<networklink": "it links to another KML document (NetworkLink)",
}
# GDAL's options for the time of a read (thread-local): no directory listing, no network.
SAFE_GDAL_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".urbaplan-refuses-network-access",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "OGR_GEOJSON_MAX_OBJ_SIZE": "0",  # the upload's size cap is the limit
}
CRS_AUTHORITIES = frozenset({"epsg", "esri", "ogc", "iau_2015", "ignf", "nkg", "nrcan", "proj"})
CRS_AUTHORITY_CODE = re.compile(r"([a-z][a-z0-9_]*):+([0-9a-z]+)\Z")
CRS_URN = re.compile(r"urn:ogc:def:crs:[a-z0-9_]+:[0-9a-z.]*:[0-9a-z]+\Z")
CRS_SHORTHANDS = frozenset({"crs84", "crs27", "crs83", "wgs84"})


@dataclass(frozen=True)
class VectorFormat:
    name: str
    driver: str  # the one GDAL driver allowed to open it
    suffix: str  # the suffix GDAL expects


FORMATS = {
    "geojson": VectorFormat("geojson", "GeoJSON", ".geojson"),
    "kml": VectorFormat("kml", "KML", ".kml"),
    "gpkg": VectorFormat("gpkg", "GPKG", ".gpkg"),
    "shapefile": VectorFormat("shapefile", "ESRI Shapefile", ".zip"),
    "dxf": VectorFormat("dxf", "DXF", ".dxf"),
}
NAME_SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".dxf": "dxf"}  # text formats only


class VectorFileError(BadInput):
    code = "vector_file_invalid"
    title = "Invalid vector file"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, code=self.code, **extra)


class VectorFileRefused(VectorFileError):
    code = "vector_file_refused"
    title = "Vector file refused"


class VectorFileUnreadable(VectorFileError):
    code = "vector_file_unreadable"
    title = "Unreadable vector file"


class VectorFormatUnsupported(VectorFileError):
    code = "vector_format_unsupported"
    title = "Unsupported vector file format"


@dataclass(frozen=True)
class LayerGeometries:
    name: str
    crs_wkt: str | None  # the CRS the layer declares, None when it declares none
    wkb: list[bytes]


# --- recognising and checking ---------------------------------------------------------------------------------


def detect_format(head: bytes, name: str) -> VectorFormat:
    """The format of a file from its first bytes (and, for text formats without a clear start, its name)."""
    if head.startswith(b"SQLite format 3\x00"):
        return FORMATS["gpkg"]
    if head.startswith(b"PK\x03\x04"):
        return FORMATS["shapefile"]
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"{", b"[")):
        return FORMATS["geojson"]
    if text.startswith(b"<") and b"<kml" in text:
        return FORMATS["kml"]
    lines = [line.strip() for line in text.splitlines()[:4]]
    if (len(lines) >= 2 and lines[0] == b"0" and lines[1] in (b"section", b"eof")) or text.startswith(
        b"autocad binary dxf"
    ):
        return FORMATS["dxf"]
    suffix = Path(name).suffix.lower()
    if suffix in NAME_SUFFIXES and not text.startswith(b"%pdf"):
        return FORMATS[NAME_SUFFIXES[suffix]]
    raise VectorFormatUnsupported(
        "The file must be GeoJSON, KML, GeoPackage, a zipped Shapefile or DXF (judged by its content).",
        accepted=sorted(FORMATS),
    )


def _refuse(reason: str, file_format: VectorFormat) -> VectorFileRefused:
    return VectorFileRefused(
        f"This {file_format.name} file is refused: {reason}. Send the geometry itself, with no link to another file.",
        format=file_format.name,
    )


def check_references(path: Path, file_format: VectorFormat) -> bool:
    """`VectorFileRefused` when the file could make GDAL read anything but itself (see the module docstring).

    Returns whether a GeoJSON file declares its CRS (a top-level `crs` member); True for the other formats."""
    if file_format.name in ("geojson", "kml", "dxf"):
        content = path.read_bytes()
        lowered = content.lower()
        markers = {**TEXT_MARKERS, **(KML_MARKERS if file_format.name == "kml" else {})}
        for marker, reason in markers.items():
            if marker in lowered:
                raise _refuse(reason, file_format)
        if file_format.name == "geojson":
            return _check_geojson_crs(content)
    elif file_format.name == "gpkg":
        _check_geopackage(path, file_format)
    return True


def _check_geojson_crs(content: bytes) -> bool:
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, ValueError) as error:
        raise VectorFileUnreadable(f"The GeoJSON file cannot be parsed: {error}") from error
    declares = isinstance(document, dict) and any(key.split("\0", 1)[0].lower() == "crs" for key in document)
    pending: list[Any] = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(element for element in item if isinstance(element, dict))
            continue
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            name = key.split("\0", 1)[0].lower()  # GDAL compares member names as C strings, ignoring case
            if name == "crs" and value is not None:
                _check_crs_member(value)
            elif (name in ("features", "geometries") and isinstance(value, list)) or (
                name == "geometry" and isinstance(value, dict)
            ):
                pending.append(value)
    return declares


def _check_crs_member(member: Any) -> None:
    """A GeoJSON `crs` GDAL resolves without I/O: `{"type": "name", "properties": {"name": "EPSG:26191"}}`."""
    geojson = FORMATS["geojson"]
    if not isinstance(member, dict):
        raise _refuse("its `crs` member is not an object", geojson)
    for key, value in member.items():
        name = key.split("\0", 1)[0].lower()
        if name == "type" and not (isinstance(value, str) and value.lower() in ("name", "epsg")):
            raise _refuse(f"its `crs` is of type {value!r} (a link to another resource)", geojson)
        if name == "properties" and isinstance(value, dict):
            for property_key, property_value in value.items():
                if property_key.split("\0", 1)[0].lower() in ("name", "href", "url", "code"):
                    _check_crs_name(property_value)


def _check_crs_name(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        return  # {"type": "EPSG", "properties": {"code": 26191}}
    candidate = value.strip().lower() if isinstance(value, str) else "\0"
    match = CRS_AUTHORITY_CODE.match(candidate)
    if "\0" not in candidate and (
        (match is not None and match[1] in CRS_AUTHORITIES) or CRS_URN.match(candidate) or candidate in CRS_SHORTHANDS
    ):
        return
    raise _refuse(f"its `crs` names {value!r}, not an authority code such as EPSG:26191", FORMATS["geojson"])


def _check_geopackage(path: Path, file_format: VectorFormat) -> None:
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True) as connection:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            schema = [str(sql or "").lower() for (sql,) in connection.execute("SELECT sql FROM sqlite_master")]
    except sqlite3.Error as error:
        raise VectorFileUnreadable(f"The GeoPackage cannot be read: {error}") from error
    if application_id not in GPKG_APPLICATION_IDS:
        raise VectorFormatUnsupported("This SQLite database is not a GeoPackage.", accepted=sorted(FORMATS))
    for sql in schema:
        if re.search(r"\bvirtual\s+table\b", sql) and not re.search(r"\busing\s+rtree\s*\(", sql):
            raise _refuse("it holds a virtual table, which may read other files", file_format)


def extract_shapefiles(path: Path, target: Path, *, max_bytes: int) -> list[Path]:
    """The .shp files of a zipped shapefile, extracted (flat) under `target`; the zip holds nothing else."""
    file_format = FORMATS["shapefile"]
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and not Path(info.filename).name.startswith("._")
            ]
            if len(members) > ZIP_MAX_MEMBERS:
                raise _refuse(f"it holds more than {ZIP_MAX_MEMBERS} files", file_format)
            for info in members:
                if Path(info.filename).suffix.lower() not in SHAPEFILE_PARTS:
                    raise _refuse(
                        f"the zip holds {Path(info.filename).name!r}; only the parts of shapefiles "
                        "(.shp, .shx, .dbf, .prj, .cpg) are accepted",
                        file_format,
                    )
            budget = max_bytes * ZIP_MAX_EXPANSION
            if sum(info.file_size for info in members) > budget:
                raise _refuse(f"its content is larger than {budget} bytes once extracted", file_format)
            written: set[str] = set()
            for info in members:
                name = Path(info.filename).name
                if name.lower() in written:
                    raise _refuse(f"it holds {name!r} twice", file_format)
                written.add(name.lower())
                budget = _extract(archive, info, target / name, budget)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, ValueError, OSError, EOFError) as error:
        raise VectorFileUnreadable(f"The zip file cannot be read: {error}") from error
    shapefiles = sorted(path for path in target.iterdir() if path.suffix.lower() == ".shp")
    if not shapefiles:
        raise VectorFileUnreadable("The zip file holds no shapefile (.shp).")
    return shapefiles


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, budget: int) -> int:
    """Copy one member, stopping past `budget` bytes whatever its header says; returns what is left."""
    with archive.open(info) as source, destination.open("wb") as out:
        while chunk := source.read(1024 * 1024):
            budget -= len(chunk)
            if budget < 0:
                raise _refuse("its content is larger than allowed once extracted", FORMATS["shapefile"])
            out.write(chunk)
    return budget


# --- reading --------------------------------------------------------------------------------------------------


def _gdal_function(name: str, argtypes: list[Any], restype: Any) -> Any:
    function = getattr(lgdal, name)
    function.argtypes = argtypes
    function.restype = restype
    return function


_set_thread_option = _gdal_function("CPLSetThreadLocalConfigOption", [ctypes.c_char_p, ctypes.c_char_p], None)
_get_thread_option = _gdal_function(
    "CPLGetThreadLocalConfigOption", [ctypes.c_char_p, ctypes.c_char_p], ctypes.c_char_p
)
_is_non_linear = _gdal_function("OGR_GT_IsNonLinear", [ctypes.c_int], ctypes.c_int)
_linear_geometry = _gdal_function(
    "OGR_G_GetLinearGeometry", [ctypes.c_void_p, ctypes.c_double, ctypes.c_void_p], ctypes.c_void_p
)


def _string_list(items: Sequence[str]) -> Any:
    return (ctypes.c_char_p * (len(items) + 1))(*[item.encode() for item in items], None)


@contextmanager
def safe_gdal_options() -> Iterator[None]:
    """`SAFE_GDAL_OPTIONS` on this thread for the duration of the block (the previous values come back)."""
    previous = {name: _get_thread_option(name.encode(), None) for name in SAFE_GDAL_OPTIONS}
    for name, value in SAFE_GDAL_OPTIONS.items():
        _set_thread_option(name.encode(), value.encode())
    try:
        yield
    finally:
        for name, value in previous.items():
            _set_thread_option(name.encode(), value)


@contextmanager
def open_vector(path: Path, *, driver: str, siblings: Sequence[str] = ()) -> Iterator[DataSource]:
    """The file opened read-only by `driver` alone, with these sibling files only (see the module docstring)."""
    Driver.ensure_registered()
    with safe_gdal_options():
        try:
            pointer = gdal_ds.open_ds(
                str(path).encode(),
                gdal_ds.GDAL_OF_READONLY | gdal_ds.GDAL_OF_VECTOR,
                _string_list([driver]),
                None,
                _string_list(list(siblings)),
            )
        except GDALException as error:
            raise VectorFileUnreadable(f"GDAL's {driver} driver cannot read the file.", driver=driver) from error
        yield DataSource(pointer, ds_driver=gdal_ds.get_dataset_driver(pointer))


def _wkb(feature: Any) -> bytes | None:
    """The feature's geometry as WKB, curves made of segments; None for a feature without geometry."""
    try:
        geometry = feature.geom
    except GDALException:  # OGR_F_GetGeometryRef gave NULL: a feature without geometry
        return None
    if _is_non_linear(geometry.geom_type.num):
        geometry = OGRGeometry(ctypes.c_void_p(_linear_geometry(geometry.ptr, 0.0, None)))
    return bytes(geometry.wkb)


def read_layers(path: Path, file_format: VectorFormat, *, max_bytes: int, workdir: Path) -> list[LayerGeometries]:
    """Every layer's geometries and declared CRS, read safely (`path` is the upload, spooled under `workdir`).

    A GeoJSON file without a `crs` member declares none (RFC 7946 says WGS84; GDAL would say so too)."""
    declares_crs = check_references(path, file_format)
    if file_format.name == "shapefile":
        parts = workdir / "shapefile"
        parts.mkdir()
        layers: list[LayerGeometries] = []
        for shapefile in extract_shapefiles(path, parts, max_bytes=max_bytes):
            siblings = [part.name for part in parts.iterdir() if part.stem == shapefile.stem]
            layers.extend(_read(shapefile, file_format.driver, siblings))
        return layers
    target = path.with_suffix(file_format.suffix)
    path.rename(target)
    layers = _read(target, file_format.driver, [target.name])
    if not declares_crs:
        layers = [replace(layer, crs_wkt=None) for layer in layers]
    return layers


def _read(path: Path, driver: str, siblings: Sequence[str]) -> list[LayerGeometries]:
    layers = []
    try:
        with open_vector(path, driver=driver, siblings=siblings) as source:
            for index in range(source.layer_count):
                layer = source[index]
                srs = layer.srs
                geometries = [wkb for feature in layer if (wkb := _wkb(feature)) is not None]
                layers.append(LayerGeometries(name=layer.name, crs_wkt=srs.wkt if srs else None, wkb=geometries))
    except GDALException as error:
        raise VectorFileUnreadable(f"GDAL's {driver} driver cannot read the file: {error}", driver=driver) from error
    return layers
