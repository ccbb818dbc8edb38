"""Compile a CQL2 filter (as parsed by pygeofilter, through pygeoapi) into a safe SQL condition.

Every attribute must be a real column of the layer (the catalogue whitelist) and is quoted by psycopg; every
literal becomes a bound parameter cast to the column's type. Anything the compiler does not know is refused
with `FilterError` (HTTP 400), never passed through.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from psycopg import sql
from pygeofilter import ast, values

from ogc_services.catalogue import Column, Layer


class FilterError(ValueError):
    """A filter, property name or sort key the layer cannot answer; its message is shown to the client."""


COMPARISONS: dict[type[ast.Node], str] = {
    ast.Equal: "=",
    ast.NotEqual: "<>",
    ast.LessThan: "<",
    ast.LessEqual: "<=",
    ast.GreaterThan: ">",
    ast.GreaterEqual: ">=",
}
SPATIAL: dict[type[ast.Node], str] = {
    ast.GeometryIntersects: "ST_Intersects",
    ast.GeometryDisjoint: "ST_Disjoint",
    ast.GeometryContains: "ST_Contains",
    ast.GeometryWithin: "ST_Within",
    ast.GeometryTouches: "ST_Touches",
    ast.GeometryCrosses: "ST_Crosses",
    ast.GeometryOverlaps: "ST_Overlaps",
    ast.GeometryEquals: "ST_Equals",
}
# Temporal predicates on a date/timestamp column against an instant or an interval: (operator on start, on end).
TEMPORAL: dict[type[ast.Node], str] = {
    ast.TimeAfter: "after",
    ast.TimeBefore: "before",
    ast.TimeEquals: "equals",
    ast.TimeDuring: "during",
    ast.TimeDisjoint: "disjoint",
    ast.TimeOverlaps: "intersects",
}
INTEGER_LIMITS = {"int2": 32767, "int4": 2147483647, "int8": 9223372036854775807}
SCALARS = (str, int, float, bool, dt.date, dt.datetime)


def column_checked(layer: Layer, name: str, *, purpose: str) -> Column:
    """The layer's column of that name, or a 400 that lists what may be used."""
    column = layer.column(name)
    if column is None or (purpose != "geometry" and not column.queryable):
        allowed = ", ".join(c.name for c in layer.properties if c.queryable)
        raise FilterError(f"unknown {purpose} {name!r} for collection {layer.name!r}; use one of: {allowed}")
    return column


def value_checked(column: Column, value: Any) -> Any:
    """A literal converted to the column's type in Python first: a mistyped value is a 400, not a SQL error."""
    if isinstance(value, bool) or value is None:
        if column.json_type != "boolean" and value is not None:
            raise FilterError(f"{column.name!r} is not a boolean")
        return value
    try:
        if column.json_type == "integer":
            number = float(value)
            if not number.is_integer() or abs(number) > INTEGER_LIMITS[column.type_name]:
                raise ValueError
            return int(number)
        if column.json_type == "number":
            return float(value)
        if column.json_type == "boolean":
            text = str(value).lower()
            if text not in {"true", "false"}:
                raise ValueError
            return text == "true"
        if column.type_name == "date":
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            return dt.date.fromisoformat(str(value)[:10])
        if column.temporal:
            if isinstance(value, dt.datetime):
                return value
            if isinstance(value, dt.date):
                return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
            return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError, OverflowError) as error:
        raise FilterError(
            f"{value!r} is not a valid {column.json_format or column.json_type} for {column.name!r}"
        ) from error
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def bound(column: Column, value: Any, params: list[Any]) -> sql.Composable:
    """A placeholder for a value checked against the column, cast to the column's SQL type."""
    params.append(value_checked(column, value))
    return sql.SQL("%s::{}").format(sql.SQL(column.sql_cast))  # cast names come from a fixed table


def like_pattern(pattern: str, wildcard: str) -> str:
    """A CQL2 LIKE pattern for PostgreSQL: `%` and `_` are the wildcards and `\\` escapes, as in PostgreSQL.
    (pygeofilter reports the single-character wildcard of CQL2 text as `.`; CQL2 says `_`.) A dialect with
    another multi-character wildcard is translated character by character."""
    if wildcard == "%":
        return pattern
    out = []
    for char in pattern:
        out.append("%" if char == wildcard else "\\" + char if char in "%_" else char)
    return "".join(out)


class CqlCompiler:
    """Walks a pygeofilter AST; `compile(node)` returns the SQL condition and fills `params`."""

    def __init__(self, layer: Layer) -> None:
        self.layer = layer
        self.params: list[Any] = []

    def compile(self, node: Any) -> sql.Composable:
        handler: Callable[[CqlCompiler, Any], sql.Composable] | None = None
        for kind in type(node).__mro__:
            handler = self.HANDLERS.get(kind)
            if handler is not None:
                break
        if handler is None:
            raise FilterError(f"unsupported filter expression: {type(node).__name__}")
        return handler(self, node)

    # -- logic --------------------------------------------------------------------------------------------------
    def _and_or(self, node: ast.Combination) -> sql.Composable:
        joiner = " AND " if isinstance(node, ast.And) else " OR "
        return sql.SQL("({})").format(sql.SQL(joiner).join([self.compile(node.lhs), self.compile(node.rhs)]))

    def _not(self, node: ast.Not) -> sql.Composable:
        return sql.SQL("(NOT {})").format(self.compile(node.sub_node))

    def _include(self, node: ast.Include) -> sql.Composable:
        return sql.SQL("FALSE" if node.not_ else "TRUE")

    # -- scalar predicates ----------------------------------------------------------------------------------------
    def _attribute(self, node: Any, *, purpose: str = "property") -> tuple[sql.Composable, Column]:
        if not isinstance(node, ast.Attribute):
            raise FilterError("the left side of a comparison must be a property name")
        column = column_checked(self.layer, node.name, purpose=purpose)
        return sql.Identifier(column.name), column

    def _literal(self, column: Column, node: Any) -> sql.Composable:
        if not isinstance(node, SCALARS):
            raise FilterError(f"expected a literal value for {column.name!r}, not {type(node).__name__}")
        return bound(column, node, self.params)

    def _comparison(self, node: ast.Comparison) -> sql.Composable:
        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            lhs, rhs = rhs, lhs
            flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
            operator = flipped.get(COMPARISONS[type(node)], COMPARISONS[type(node)])
        else:
            operator = COMPARISONS[type(node)]
        identifier, column = self._attribute(lhs)
        return sql.SQL("({} {} {})").format(identifier, sql.SQL(operator), self._literal(column, rhs))

    def _between(self, node: ast.Between) -> sql.Composable:
        identifier, column = self._attribute(node.lhs)
        template = "({} NOT BETWEEN {} AND {})" if node.not_ else "({} BETWEEN {} AND {})"
        return sql.SQL(template).format(identifier, self._literal(column, node.low), self._literal(column, node.high))

    def _like(self, node: ast.Like) -> sql.Composable:
        identifier, column = self._attribute(node.lhs)
        if column.json_type != "string" or column.json_format:
            raise FilterError(f"LIKE needs a text property; {column.name!r} is not one")
        self.params.append(like_pattern(str(node.pattern), node.wildcard))
        operator = "ILIKE" if node.nocase else "LIKE"
        return sql.SQL("({} {}{} %s)").format(identifier, sql.SQL("NOT " if node.not_ else ""), sql.SQL(operator))

    def _in(self, node: ast.In) -> sql.Composable:
        identifier, column = self._attribute(node.lhs)
        if not node.sub_nodes:
            raise FilterError("IN needs at least one value")
        items = sql.SQL(", ").join([self._literal(column, item) for item in node.sub_nodes])
        return sql.SQL("({} {}IN ({}))").format(identifier, sql.SQL("NOT " if node.not_ else ""), items)

    def _is_null(self, node: ast.IsNull) -> sql.Composable:
        if isinstance(node.lhs, ast.Attribute) and node.lhs.name == self.layer.geometry_column:
            identifier: sql.Composable = sql.Identifier(self.layer.geometry_column)
        else:
            identifier, _ = self._attribute(node.lhs)
        return sql.SQL("({} IS {}NULL)").format(identifier, sql.SQL("NOT " if node.not_ else ""))

    # -- spatial --------------------------------------------------------------------------------------------------
    def _geometry(self, node: Any) -> sql.Composable:
        if isinstance(node, ast.Attribute):
            if node.name not in {self.layer.geometry_column, "geometry"}:
                raise FilterError(f"{node.name!r} is not the geometry of {self.layer.name!r}")
            return sql.Identifier(self.layer.geometry_column)
        if isinstance(node, values.Envelope):
            self.params.extend([float(node.x1), float(node.y1), float(node.x2), float(node.y2)])
            return sql.SQL("ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
        if isinstance(node, ast.Function) and node.name.lower() in {"bbox", "envelope"} and len(node.arguments) == 4:
            try:
                self.params.extend([float(v) for v in node.arguments])
            except (TypeError, ValueError) as error:
                raise FilterError("BBOX needs 4 numbers") from error
            return sql.SQL("ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
        if isinstance(node, values.Geometry):
            self.params.append(json.dumps(node.geometry))
            return sql.SQL("ST_SetSRID(ST_GeomFromGeoJSON(%s::text), 4326)")
        raise FilterError(f"expected a geometry, not {type(node).__name__}")

    def _spatial(self, node: ast.SpatialComparisonPredicate) -> sql.Composable:
        function = sql.SQL(SPATIAL[type(node)])  # from the fixed table above
        return sql.SQL("{}({}, {})").format(function, self._geometry(node.lhs), self._geometry(node.rhs))

    # -- temporal -------------------------------------------------------------------------------------------------
    def _temporal(self, node: ast.TemporalPredicate) -> sql.Composable:
        identifier, column = self._attribute(node.lhs)
        if not column.temporal:
            raise FilterError(f"{column.name!r} is not a date or time property")
        kind = TEMPORAL.get(type(node))
        if kind is None:
            raise FilterError(f"unsupported temporal predicate: {type(node).__name__}")
        start, end = (node.rhs.start, node.rhs.end) if isinstance(node.rhs, values.Interval) else (node.rhs, node.rhs)
        conditions: list[sql.Composable] = []
        if kind == "after" and end is not None:
            conditions.append(sql.SQL("{} > {}").format(identifier, bound(column, end, self.params)))
        elif kind == "before" and start is not None:
            conditions.append(sql.SQL("{} < {}").format(identifier, bound(column, start, self.params)))
        elif kind in {"equals", "during", "intersects"}:
            if start is not None:
                conditions.append(sql.SQL("{} >= {}").format(identifier, bound(column, start, self.params)))
            if end is not None:
                conditions.append(sql.SQL("{} <= {}").format(identifier, bound(column, end, self.params)))
        elif kind == "disjoint":
            parts: list[sql.Composable] = []
            if start is not None:
                parts.append(sql.SQL("{} < {}").format(identifier, bound(column, start, self.params)))
            if end is not None:
                parts.append(sql.SQL("{} > {}").format(identifier, bound(column, end, self.params)))
            conditions.append(sql.SQL("({})").format(sql.SQL(" OR ").join(parts or [sql.SQL("FALSE")])))
        if not conditions:
            return sql.SQL("TRUE")
        return sql.SQL("({})").format(sql.SQL(" AND ").join(conditions))

    HANDLERS: dict[type, Callable[[CqlCompiler, Any], sql.Composable]] = {
        ast.And: _and_or,
        ast.Or: _and_or,
        ast.Not: _not,
        ast.Include: _include,
        ast.Comparison: _comparison,
        ast.Between: _between,
        ast.Like: _like,
        ast.In: _in,
        ast.IsNull: _is_null,
        ast.SpatialComparisonPredicate: _spatial,
        ast.TemporalPredicate: _temporal,
    }


def cql_compile(layer: Layer, node: Any) -> tuple[sql.Composable, list[Any]]:
    compiler = CqlCompiler(layer)
    condition = compiler.compile(node)
    return condition, compiler.params
