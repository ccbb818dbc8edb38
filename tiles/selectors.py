"""Reads of the tiles face: a tile's MVT bytes, a layer's fields and extent, its TileJSON document.

Everything is read through `tiles.db.reader_cursor` (the read-only `geoportal_reader` role) from the geoportal
views or their pieces; the SQL lives in `tiles/sql/`, identifiers quoted by `gis_core.sql_files`.
"""

import threading
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from gis_core.sql_files import run_sql
from tiles.conf import tiles_settings
from tiles.db import reader_cursor
from tiles.grid import Tile, pixel_size
from tiles.layers import GEOPORTAL_SCHEMA, PIECES_SCHEMA, WEB_MERCATOR_MAX_LATITUDE, TileLayer
from tiles.pieces import band_for

TILEJSON_VERSION = "3.0.0"
NUMBER_TYPES = {"smallint", "integer", "bigint", "numeric", "real", "double precision"}
WORLD: tuple[float, float, float, float] = (-180.0, -WEB_MERCATOR_MAX_LATITUDE, 180.0, WEB_MERCATOR_MAX_LATITUDE)
CENTRE_SAMPLES = 128  # features sampled (by evenly spaced ids) to find where most of a layer is
CENTRE_CELL_DEGREES = 1.0  # the sample is grouped in cells of this size: about a metropolitan area


@dataclass(frozen=True)
class LayerField:
    name: str
    data_type: str

    @property
    def tilejson_type(self) -> str:
        if self.data_type in NUMBER_TYPES:
            return "Number"
        if self.data_type == "boolean":
            return "Boolean"
        return "String"


_fields_lock = threading.Lock()
_fields: dict[tuple[str, str], list[LayerField]] = {}


def layer_fields(*, layer: TileLayer) -> list[LayerField]:
    """The view's attribute columns (cached per process: a view changes only with a migration and a restart)."""
    key = (GEOPORTAL_SCHEMA, layer.view)
    with _fields_lock:
        cached = _fields.get(key)
    if cached is not None:
        return cached
    with reader_cursor() as cursor:
        rows = run_sql(cursor, "tiles", "layer_fields", {"schema": GEOPORTAL_SCHEMA, "view": layer.view}).fetchall()
    fields = [LayerField(name=name, data_type=data_type) for name, data_type in rows]
    if fields:
        with _fields_lock:
            _fields[key] = fields
    return fields


def layer_fields_forget() -> None:
    with _fields_lock:
        _fields.clear()


def _columns(table: str, fields: list[LayerField]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(table, field.name) for field in fields)


def tile_render(*, layer: TileLayer, tile: Tile) -> bytes:
    """The uncompressed MVT of one tile (empty bytes when no feature of the layer is in it)."""
    if not layer.minzoom <= tile.z <= layer.maxzoom:
        return b""
    settings = tiles_settings()
    fields = layer_fields(layer=layer)
    if tile.z < layer.detail_zoom:
        fields = [field for field in fields if field.name == "id" or field.name in layer.summary_fields]
    pixel = pixel_size(tile.z)
    params: dict[str, Any] = {
        "z": tile.z,
        "x": tile.x,
        "y": tile.y,
        "margin": settings.buffer / settings.extent,
        "extent": settings.extent,
        "buffer": settings.buffer,
        "tolerance": layer.simplify_pixels * pixel,
        "min_area": layer.min_area_pixels * pixel * pixel,
        "layer": layer.name,
        "small_as_points": layer.small_as_points,
    }
    with reader_cursor() as cursor:
        if layer.pieced:
            params["band"] = band_for(layer, tile.z)
            row = run_sql(
                cursor,
                "tiles",
                "tile_pieces",
                params,
                schema=PIECES_SCHEMA,
                relation=layer.name,
                pieces=f"{layer.name}_pieces",
                columns=_columns("t", fields),
            ).fetchone()
        else:
            row = run_sql(
                cursor,
                "tiles",
                "tile_view",
                params,
                schema=GEOPORTAL_SCHEMA,
                relation=layer.view,
                columns=_columns("t", fields),
            ).fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def layer_extent(*, layer: TileLayer) -> tuple[float, float, float, float]:
    """The lon/lat bounds to advertise: the view's extent (from its index), or the world for layers that grow
    anywhere."""
    if layer.world_bounds:
        return WORLD
    with reader_cursor() as cursor:
        row = run_sql(cursor, "tiles", "layer_extent", schema=GEOPORTAL_SCHEMA, view=layer.view).fetchone()
    if not row or row[0] is None:
        return WORLD
    west, south, east, north = (float(value) for value in row)
    return (
        max(west, -180.0),
        max(south, -WEB_MERCATOR_MAX_LATITUDE),
        min(east, 180.0),
        min(north, WEB_MERCATOR_MAX_LATITUDE),
    )


def layer_centre(*, layer: TileLayer, bounds: tuple[float, float, float, float]) -> tuple[float, float]:
    """A point on the layer's data where most of its features are (`sql/layer_centre.sql`): a map opened there
    shows data, where the middle of the bounds of parcels in Cambridge, Paris and Morocco is the Atlantic. The
    middle of the bounds when the layer is empty."""
    middle = ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    params = {"samples": CENTRE_SAMPLES, "cell": CENTRE_CELL_DEGREES, "x": middle[0], "y": middle[1]}
    with reader_cursor() as cursor:
        row = run_sql(cursor, "tiles", "layer_centre", params, schema=GEOPORTAL_SCHEMA, view=layer.view).fetchone()
    if not row or row[0] is None:
        return middle
    return (float(row[0]), max(min(float(row[1]), WEB_MERCATOR_MAX_LATITUDE), -WEB_MERCATOR_MAX_LATITUDE))


def authorised_project_extent(*, dossier_id: int) -> tuple[float, float, float, float] | None:
    """Where an authorised project is on the map (None when the geoportal does not publish it)."""
    with reader_cursor() as cursor:
        row = run_sql(
            cursor, "tiles", "dossier_extent", {"id": dossier_id}, schema=GEOPORTAL_SCHEMA, view="authorised_projects"
        ).fetchone()
    if not row or row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def layer_tilejson(*, layer: TileLayer, base_url: str) -> dict[str, Any]:
    """The TileJSON 3.0.0 document of one layer; `base_url` is the absolute URL of `/tiles/`."""
    bounds = layer_extent(layer=layer)
    centre = layer_centre(layer=layer, bounds=bounds)
    centre_zoom = min(max(layer.minzoom, 12 if layer.name != "territories" else layer.minzoom + 2), layer.maxzoom)
    fields = layer_fields(layer=layer)
    return {
        "tilejson": TILEJSON_VERSION,
        "name": layer.title,
        "description": layer.description,
        "version": "1.0.0",
        "attribution": "Urbaplan geoportal",
        "scheme": "xyz",
        "tiles": [f"{base_url}{layer.name}/{{z}}/{{x}}/{{y}}.pbf"],
        "minzoom": layer.minzoom,
        "maxzoom": layer.maxzoom,
        "bounds": list(bounds),
        "center": [centre[0], centre[1], centre_zoom],
        "vector_layers": [
            {
                "id": layer.name,
                "description": layer.description,
                "minzoom": layer.minzoom,
                "maxzoom": layer.maxzoom,
                "fields": {field.name: field.tilejson_type for field in fields if field.name != "id"},
            }
        ],
        # Not in the TileJSON spec, for readers who wonder: every feature of a tile is encoded, none dropped
        # beyond the documented generalisation (features under `min_area_pixels` square pixels at that zoom).
        "x-urbaplan": {
            "feature_cap": None,
            "feature_id": "id",
            "min_area_pixels": layer.min_area_pixels,
            "simplify_pixels": layer.simplify_pixels,
            "detail_zoom": layer.detail_zoom,
            "fields_below_detail_zoom": list(layer.summary_fields),
            "extent": tiles_settings().extent,
        },
    }
