"""The geoportal catalogue: which views the public feeds may serve, with their columns, read from PostgreSQL.

Nothing here is written by hand: the layers are the views of the `geoportal` schema that the read-only role can
select from (`sql/catalogue.sql`). Each layer knows its real columns, which are the only names a request may use
as a property filter, a sort key or a CQL attribute (the whitelist). Extents are computed from the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections, transaction
from psycopg import sql

from ogc_services.sqltext import render

SCHEMA = "geoportal"
DATABASE_ALIAS = "geoportal"
CATALOGUE_SQL = (Path(__file__).resolve().parent / "sql" / "catalogue.sql").read_text()

# PostgreSQL type -> (JSON Schema type, JSON Schema format, SQL cast used for bound values). A column of any other
# type is published but cannot be filtered on (it is not queryable).
TYPES: dict[str, tuple[str, str | None, str]] = {
    "int2": ("integer", None, "smallint"),
    "int4": ("integer", None, "integer"),
    "int8": ("integer", None, "bigint"),
    "numeric": ("number", None, "numeric"),
    "float4": ("number", None, "real"),
    "float8": ("number", None, "double precision"),
    "text": ("string", None, "text"),
    "varchar": ("string", None, "text"),
    "bpchar": ("string", None, "text"),
    "bool": ("boolean", None, "boolean"),
    "date": ("string", "date", "date"),
    "timestamptz": ("string", "date-time", "timestamptz"),
    "timestamp": ("string", "date-time", "timestamp"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type_name: str
    description: str = ""

    @property
    def queryable(self) -> bool:
        return self.type_name in TYPES

    @property
    def json_type(self) -> str:
        return TYPES[self.type_name][0] if self.queryable else "string"

    @property
    def json_format(self) -> str | None:
        return TYPES[self.type_name][1] if self.queryable else None

    @property
    def sql_cast(self) -> str:
        return TYPES[self.type_name][2]

    @property
    def temporal(self) -> bool:
        return self.type_name in {"date", "timestamptz", "timestamp"}


@dataclass(frozen=True)
class Layer:
    """One geoportal view: its id column, its geometry column, its other (public) columns."""

    name: str
    id_column: str
    geometry_column: str
    geometry_type: str
    srid: int
    columns: tuple[Column, ...]
    by_name: dict[str, Column] = field(default_factory=dict, compare=False, hash=False)

    @property
    def properties(self) -> tuple[Column, ...]:
        """The columns published as feature properties (all but the geometry)."""
        return tuple(c for c in self.columns if c.name != self.geometry_column)

    def column(self, name: str) -> Column | None:
        return self.by_name.get(name)


@dataclass(frozen=True)
class Extent:
    bbox: tuple[float, float, float, float] | None
    begin: dt.date | dt.datetime | None = None
    end: dt.date | dt.datetime | None = None


def catalogue_read(*, using: str = DATABASE_ALIAS) -> dict[str, Layer]:
    """The publishable layers: views of the geoportal schema with an `id` column and one geometry column."""
    with connections[using].cursor() as cursor:
        cursor.execute(CATALOGUE_SQL, {"schema": SCHEMA})
        rows = cursor.fetchall()
    grouped: dict[str, list[tuple[str, str, str, int, str]]] = {}
    for view_name, column_name, type_name, geometry_type, srid, description in rows:
        grouped.setdefault(view_name, []).append((column_name, type_name, geometry_type, srid, description))
    layers: dict[str, Layer] = {}
    for view_name, columns in grouped.items():
        geometries = [c for c in columns if c[1] == "geometry"]
        names = {c[0] for c in columns}
        if "id" not in names or len(geometries) != 1:
            continue  # not a feature layer: no stable key or not exactly one geometry
        geometry_name, _, geometry_type, srid, _ = geometries[0]
        cols = tuple(Column(name=c[0], type_name=c[1], description=c[4]) for c in columns)
        layers[view_name] = Layer(
            name=view_name,
            id_column="id",
            geometry_column=geometry_name,
            geometry_type=geometry_type or "GEOMETRY",
            srid=srid or 4326,
            columns=cols,
            by_name={c.name: c for c in cols},
        )
    return layers


def extent_compute(
    layer: Layer, *, time_column: str | None = None, timeout_ms: int | None = None, using: str = DATABASE_ALIAS
) -> Extent:
    """Spatial extent (lon/lat) and, when the layer has a time column, the temporal extent, from the data.
    With `timeout_ms`, PostgreSQL cancels it past that (QueryCanceled reaches the caller)."""
    geometry: sql.Composable = sql.Identifier(layer.geometry_column)
    if layer.srid != 4326:
        geometry = sql.SQL("ST_Transform({}, 4326)").format(geometry)
    parts: list[sql.Composable] = [sql.SQL("ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)")]
    if time_column:
        parts.append(
            sql.SQL("(SELECT min({t}) FROM {v}), (SELECT max({t}) FROM {v})").format(
                t=sql.Identifier(time_column), v=sql.Identifier(SCHEMA, layer.name)
            )
        )
    query = sql.SQL("SELECT {parts} FROM (SELECT ST_Extent({g}) AS e FROM {v}) extent").format(
        parts=sql.SQL(", ").join(parts), g=geometry, v=sql.Identifier(SCHEMA, layer.name)
    )
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        if timeout_ms is not None:
            cursor.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
        cursor.execute(render(query, using=using))
        row = cursor.fetchone()
    assert row is not None
    bbox = None if row[0] is None else (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
    if time_column:
        return Extent(bbox=bbox, begin=row[4], end=row[5])
    return Extent(bbox=bbox)


_CACHE: dict[str, Layer] = {}


def catalogue_cached(*, using: str = DATABASE_ALIAS) -> dict[str, Layer]:
    """The catalogue as last read (by the config build), read now if it never was."""
    if not _CACHE:
        _CACHE.update(catalogue_read(using=using))
    return _CACHE


def catalogue_cache_set(layers: dict[str, Layer]) -> None:
    _CACHE.clear()
    _CACHE.update(layers)


def catalogue_cache_reset() -> None:
    _CACHE.clear()
