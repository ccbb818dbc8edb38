"""The SQL of the items endpoint: PostgreSQL filters, pages by key and writes the GeoJSON itself.

One statement returns the page as GeoJSON text (`json_build_object` + `ST_AsGeoJSON`), the number of features
and the last id. Identifiers are validated against the catalogue and quoted by psycopg; values are bound.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql

from gis_core.srid import STORAGE_SRID
from ogc_services.catalogue import SCHEMA, Column, Layer
from ogc_services.cql import FilterError, bound, column_checked, cql_compile
from ogc_services.crs import OgcCrs, crs_for

BBOX_EDGE_POINTS = 32  # a projected bbox's edges are densified to this many points before ST_Transform


@dataclass
class ItemsQuery:
    """What one items request asks for, already checked against the layer."""

    layer: Layer
    limit: int
    offset: int = 0
    after_id: int | None = None  # keyset cursor: rows after this id (only when ordered by id)
    conditions: list[sql.Composable] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    order: list[tuple[Column, bool]] = field(default_factory=list)  # (column, descending)
    select: list[Column] | None = None
    skip_geometry: bool = False
    output: OgcCrs = field(default_factory=lambda: crs_for(None))  # the `crs` of the answer's coordinates

    @property
    def filtered(self) -> bool:
        return bool(self.conditions)

    @property
    def keyset(self) -> bool:
        """Pages can be cut by key when the order is the id's (the default)."""
        return not self.order

    # -- building the conditions ----------------------------------------------------------------------------------
    def where_bbox(self, bbox: list[float], crs: OgcCrs | None = None) -> None:
        """Features intersecting a bbox given in `crs` (its `bbox-crs`; CRS84 by default). A bbox in another CRS is
        a polygon in storage coordinates: densified in its own CRS, then transformed by PostGIS, so that the
        same features are selected as by the bbox drawn in that CRS."""
        crs = crs or crs_for(None)
        if len(bbox) == 6:
            bbox = [bbox[0], bbox[1], bbox[3], bbox[4]]
        if len(bbox) != 4:
            raise FilterError("bbox needs 4 (or 6) numbers")
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        if crs.lat_first:
            minx, miny, maxx, maxy = miny, minx, maxy, maxx
        envelope = sql.SQL("ST_MakeEnvelope(%s, %s, %s, %s, {})").format(sql.Literal(crs.srid))
        self.params.extend([minx, miny, maxx, maxy])
        if crs.srid != STORAGE_SRID:
            envelope = sql.SQL("ST_Transform(ST_Segmentize({}, %s), {})").format(envelope, sql.Literal(STORAGE_SRID))
            self.params.append(max(maxx - minx, maxy - miny) / BBOX_EDGE_POINTS or 1.0)
        self.conditions.append(
            sql.SQL("ST_Intersects({}, {})").format(sql.Identifier(self.layer.geometry_column), envelope)
        )

    def where_property(self, name: str, value: str) -> None:
        column = column_checked(self.layer, name, purpose="property")
        self.conditions.append(
            sql.SQL("{} = {}").format(sql.Identifier(column.name), bound(column, value, self.params))
        )

    def where_datetime(self, time_column: str, value: str) -> None:
        column = column_checked(self.layer, time_column, purpose="property")
        start, _, end = value.partition("/")
        if not _:
            end = start
        for bound_value, operator in ((start, ">="), (end, "<=")):
            if bound_value in {"", ".."}:
                continue
            if column.type_name == "date" and operator == "<=" and "T" in bound_value:
                parsed = dt.datetime.fromisoformat(bound_value.replace("Z", "+00:00"))
                bound_value = parsed.date().isoformat()
            self.conditions.append(
                sql.SQL("{} {} {}").format(
                    sql.Identifier(column.name), sql.SQL(operator), bound(column, bound_value, self.params)
                )
            )

    def where_cql(self, node: Any) -> None:
        condition, params = cql_compile(self.layer, node)
        self.conditions.append(condition)
        self.params.extend(params)

    def order_by(self, sortby: list[dict[str, str]]) -> None:
        for item in sortby:
            column = column_checked(self.layer, item["property"], purpose="sort key")
            self.order.append((column, item.get("order") == "-"))

    def properties_select(self, names: list[str]) -> None:
        self.select = [column_checked(self.layer, name, purpose="property") for name in names if name]

    # -- the statements -------------------------------------------------------------------------------------------
    def _order_sql(self, alias: str | None = None) -> sql.Composable:
        def ref(name: str) -> sql.Composable:
            return sql.Identifier(alias, name) if alias else sql.Identifier(name)

        keys: list[sql.Composable] = [
            sql.SQL("{} {} NULLS LAST").format(ref(c.name), sql.SQL("DESC" if d else "ASC")) for c, d in self.order
        ]
        keys.append(ref(self.layer.id_column))
        return sql.SQL(", ").join(keys)

    def _where_sql(self, *, cursor: bool = True) -> tuple[sql.Composable, list[Any]]:
        conditions = list(self.conditions)
        params = list(self.params)
        if cursor and self.after_id is not None:
            conditions.append(sql.SQL("{} > %s").format(sql.Identifier(self.layer.id_column)))
            params.append(self.after_id)
        if not conditions:
            return sql.SQL(""), params
        return sql.SQL("WHERE ") + sql.SQL(" AND ").join(conditions), params

    def feature_sql(self, alias: str) -> sql.Composable:
        """`json_build_object(...)` of one row: id, geometry (unless skipped), the selected properties."""
        columns = (
            self.select
            if self.select is not None
            else [c for c in self.layer.properties if c.name != self.layer.id_column]
        )
        pairs = sql.SQL(", ").join(
            sql.SQL("{}, {}").format(sql.Literal(c.name), sql.Identifier(alias, c.name)) for c in columns
        )
        geometry: sql.Composable = sql.SQL("NULL")
        if not self.skip_geometry:
            geometry = sql.SQL("ST_AsGeoJSON({}, {}, 0)::json").format(
                self._geometry_output(alias), sql.Literal(self.output.decimals)
            )
        return sql.SQL(
            "json_build_object('type', 'Feature', 'id', {id}, 'geometry', {geometry}, 'properties', "
            "json_build_object({pairs}))"
        ).format(id=sql.Identifier(alias, self.layer.id_column), geometry=geometry, pairs=pairs)

    def _geometry_output(self, alias: str) -> sql.Composable:
        """The geometry in the answer's CRS and axis order."""
        geometry: sql.Composable = sql.Identifier(alias, self.layer.geometry_column)
        if self.output.srid != STORAGE_SRID:
            geometry = sql.SQL("ST_Transform({}, {})").format(geometry, sql.Literal(self.output.srid))
        if self.output.lat_first:
            geometry = sql.SQL("ST_FlipCoordinates({})").format(geometry)
        return geometry

    def page_sql(self) -> tuple[sql.Composable, list[Any]]:
        """The page: features as one JSON array text, how many, the last id."""
        where, params = self._where_sql()
        offset = 0 if self.after_id is not None else self.offset
        statement = sql.SQL(
            "SELECT coalesce(json_agg({feature} ORDER BY {order}), '[]')::text, count(*), max(p.{id}) "
            "FROM (SELECT * FROM {view} {where} ORDER BY {inner_order} LIMIT %s OFFSET %s) p"
        ).format(
            feature=self.feature_sql("p"),
            order=self._order_sql("p"),
            id=sql.Identifier(self.layer.id_column),
            view=sql.Identifier(SCHEMA, self.layer.name),
            where=where,
            inner_order=self._order_sql(),
        )
        return statement, [*params, self.limit, offset]

    def count_sql(self, cap: int | None = None) -> tuple[sql.Composable, list[Any]]:
        """The exact number of matches (whatever the page's cursor); with a cap, at most cap + 1 rows are counted
        (more than the cap: too many to count on every page)."""
        where, params = self._where_sql(cursor=False)
        rows = sql.SQL("SELECT 1 FROM {view} {where}").format(view=sql.Identifier(SCHEMA, self.layer.name), where=where)
        if cap is None:
            return sql.SQL("SELECT count(*) FROM ({}) m").format(rows), params
        return sql.SQL("SELECT count(*) FROM ({} LIMIT %s) m").format(rows), [*params, cap + 1]

    def estimate_sql(self) -> sql.Composable:
        """The planner's estimate of the rows of the whole view (unfiltered hits: never a full count)."""
        return sql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 FROM {view}").format(
            view=sql.Identifier(SCHEMA, self.layer.name)
        )

    def item_sql(self) -> sql.Composable:
        return sql.SQL("SELECT {feature}::text FROM {view} p WHERE p.{id} = %s").format(
            feature=self.feature_sql("p"),
            view=sql.Identifier(SCHEMA, self.layer.name),
            id=sql.Identifier(self.layer.id_column),
        )
