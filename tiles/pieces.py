"""The subdivided, generalised copies of the large-polygon layers (zones, overlays, territories) the tiles read.

Zones and overlays reach 50,000 vertices and communes cover dozens of tiles: clipping such a polygon for every
tile would dominate tile time. So, for each pieced layer, schema `geoportal_tiles` holds two tables built from the
layer's geoportal view only (so nothing that is not public can get in):

- `<layer>`: the view's attribute columns, one row per feature (primary key `id`);
- `<layer>_pieces`: per band of zooms, the feature simplified in Web Mercator by half a pixel of that band
  (topology preserved), cut by ST_Subdivide into polygons of at most `MAX_PIECE_VERTICES` vertices; GiST-indexed.

They are tables, not materialized views, so that the geoportal views can be dropped and re-created by their own
migrations. `pieces_refresh` rebuilds a layer's tables beside the live ones and swaps them in one short
transaction; it runs after `migrate`/`flush` and on the `tiles_invalidate` command. After an import,
`pieces_update` re-cuts only the features that meet the imported area (`tiles.tasks`), in one transaction.
Both hold the layer's advisory lock, so an update never lands in tables a concurrent rebuild is replacing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from psycopg import sql

from gis_core.sql_files import run_sql, sql_statement
from tiles.grid import pixel_size
from tiles.layers import GEOPORTAL_SCHEMA, LAYERS, PIECES_SCHEMA, TileLayer

MAX_PIECE_VERTICES = 256
BAND_STEP = 2  # zoom levels per band of generalisation
LAST_BAND = 14  # from here on, one band up to the layer's maxzoom
CHANGED_TABLE = "tiles_changed_features"  # temporary: the rows of the view an import changed


def layer_bands(layer: TileLayer) -> list[int]:
    """First zoom of each band: minzoom, minzoom+2, ... up to LAST_BAND."""
    return [*list(range(layer.minzoom, LAST_BAND, BAND_STEP)), max(LAST_BAND, layer.minzoom)]


def band_for(layer: TileLayer, z: int) -> int:
    return max(band for band in layer_bands(layer) if band <= z)


def band_tolerance(layer: TileLayer, band: int) -> float:
    """Half a pixel (the layer's simplify_pixels) at the band's second zoom: at most that error on its zooms."""
    return layer.simplify_pixels * pixel_size(band + 1)


def pieced_layers() -> list[TileLayer]:
    return [layer for layer in LAYERS.values() if layer.pieced]


def _execute(cursor: Any, statement: sql.Composable, params: dict[str, Any] | None = None) -> None:
    cursor.execute(statement, params or {})


def _pieces_params(layer: TileLayer) -> dict[str, Any]:
    bands = layer_bands(layer)
    return {
        "bands": bands,
        "tolerances": [band_tolerance(layer, band) for band in bands],
        "max_vertices": MAX_PIECE_VERTICES,
    }


@contextmanager
def _layer_lock(cursor: Any, layer: TileLayer) -> Iterator[None]:
    """The layer's session-level advisory lock: one writer of its pieces at a time."""
    key = f"tiles.pieces.{layer.name}"
    _execute(cursor, sql.SQL("SELECT pg_advisory_lock(hashtext(%(key)s))"), {"key": key})
    try:
        yield
    finally:
        _execute(cursor, sql.SQL("SELECT pg_advisory_unlock(hashtext(%(key)s))"), {"key": key})


def pieces_refresh(*, layer: TileLayer) -> None:
    """Rebuild a pieced layer's feature and piece tables from its view, then swap them in."""
    schema = sql.Identifier(PIECES_SCHEMA)
    features, pieces = layer.name, f"{layer.name}_pieces"
    next_features, next_pieces = f"{features}_next", f"{pieces}_next"
    with connection.cursor() as wrapper, _layer_lock(wrapper.cursor, layer):
        cursor = wrapper.cursor
        _execute(cursor, sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        for name in (next_features, next_pieces):
            _execute(cursor, sql.SQL("DROP TABLE IF EXISTS {}.{}").format(schema, sql.Identifier(name)))
        _execute(
            cursor,
            sql.SQL("CREATE TABLE {}.{} AS SELECT * FROM {}.{}").format(
                schema, sql.Identifier(next_features), sql.Identifier(GEOPORTAL_SCHEMA), sql.Identifier(layer.view)
            ),
        )
        _execute(cursor, sql.SQL("ALTER TABLE {}.{} DROP COLUMN geom").format(schema, sql.Identifier(next_features)))
        _execute(
            cursor,
            sql.SQL("ALTER TABLE {}.{} ADD PRIMARY KEY (id)").format(schema, sql.Identifier(next_features)),
        )
        _execute(
            cursor,
            sql.SQL("CREATE TABLE {}.{} AS ").format(schema, sql.Identifier(next_pieces))
            + sql_statement("tiles", "pieces_select", view_schema=GEOPORTAL_SCHEMA, view=layer.view),
            _pieces_params(layer),
        )
        _execute(
            cursor,
            sql.SQL("CREATE INDEX ON {}.{} USING gist (geom) INCLUDE (band, feature, feature_area)").format(
                schema, sql.Identifier(next_pieces)
            ),
        )
        _execute(cursor, sql.SQL("ANALYZE {}.{}").format(schema, sql.Identifier(next_pieces)))
        with transaction.atomic():
            for live, fresh in ((features, next_features), (pieces, next_pieces)):
                _execute(cursor, sql.SQL("DROP TABLE IF EXISTS {}.{}").format(schema, sql.Identifier(live)))
                _execute(
                    cursor,
                    sql.SQL("ALTER TABLE {}.{} RENAME TO {}").format(
                        schema, sql.Identifier(fresh), sql.Identifier(live)
                    ),
                )
            _grant_reader(cursor)


def _pieces_exist(cursor: Any, layer: TileLayer) -> bool:
    _execute(
        cursor,
        sql.SQL("SELECT to_regclass(%(features)s) IS NOT NULL AND to_regclass(%(pieces)s) IS NOT NULL"),
        {"features": f'"{PIECES_SCHEMA}"."{layer.name}"', "pieces": f'"{PIECES_SCHEMA}"."{layer.name}_pieces"'},
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def pieces_update(*, layer: TileLayer, bbox: tuple[float, float, float, float]) -> int:
    """Re-cut the features of a pieced layer that meet the lon/lat `bbox` (an import's area); returns how many.

    Every feature an import wrote meets its area, wherever its old geometry was: the old pieces go by feature id.
    Without tables yet, the whole layer is built. Readers see the old pieces until the one transaction commits.
    """
    schema = sql.Identifier(PIECES_SCHEMA)
    features, pieces, changed = (sql.Identifier(name) for name in (layer.name, f"{layer.name}_pieces", CHANGED_TABLE))
    with connection.cursor() as wrapper, _layer_lock(wrapper.cursor, layer):
        cursor = wrapper.cursor
        if _pieces_exist(cursor, layer):
            with transaction.atomic():
                west, south, east, north = bbox
                params = {"west": west, "south": south, "east": east, "north": north}
                run_sql(
                    cursor, "tiles", "pieces_changed", params, schema=GEOPORTAL_SCHEMA, view=layer.view, changed=changed
                )
                _execute(
                    cursor,
                    sql.SQL("DELETE FROM {}.{} WHERE feature IN (SELECT id FROM {})").format(schema, pieces, changed),
                )
                _execute(
                    cursor,
                    sql.SQL("DELETE FROM {}.{} WHERE id IN (SELECT id FROM {})").format(schema, features, changed),
                )
                _execute(
                    cursor,
                    sql.SQL("INSERT INTO {}.{} ").format(schema, pieces)
                    + sql_statement("tiles", "pieces_select", view_schema="pg_temp", view=CHANGED_TABLE),
                    _pieces_params(layer),
                )
                _execute(cursor, sql.SQL("ALTER TABLE {} DROP COLUMN geom").format(changed))
                _execute(cursor, sql.SQL("INSERT INTO {}.{} SELECT * FROM {}").format(schema, features, changed))
                _execute(cursor, sql.SQL("SELECT count(*) FROM {}").format(changed))
                row = cursor.fetchone()
                _execute(cursor, sql.SQL("DROP TABLE {}").format(changed))
                return int(row[0]) if row else 0
        pieces_refresh(layer=layer)
        _execute(cursor, sql.SQL("SELECT count(*) FROM {}.{}").format(schema, features))
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _grant_reader(cursor: Any) -> None:
    """The read-only role may read the pieces (when it exists: a managed database may lack it; see ogc_services)."""
    _execute(
        cursor,
        sql.SQL(
            """DO $$ BEGIN
                 IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geoportal_reader') THEN
                   GRANT USAGE ON SCHEMA {schema} TO geoportal_reader;
                   GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO geoportal_reader;
                 END IF;
               END $$"""
        ).format(schema=sql.Identifier(PIECES_SCHEMA)),
    )


def pieces_refresh_all() -> None:
    for layer in pieced_layers():
        pieces_refresh(layer=layer)
