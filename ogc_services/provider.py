"""`GeoportalProvider`: pygeoapi's feature provider over the geoportal views (named by dotted path in the config).

- PostgreSQL writes the GeoJSON: one statement returns the whole page of features as text. When the view asked
  for JSON, that text is spliced into pygeoapi's response as is (`ItemsContext`), never parsed by Python.
- Pages by key: the `next` link carries a cursor `<offset>.<last id>`; a request whose cursor matches its offset
  reads `id > last id` (a deep page costs what the first one does). A bare `offset` still works (SQL OFFSET).
- numberMatched: known for free on the last page; on other pages counted with the same WHERE but at most
  `COUNT_CAP` + 1 rows (a bounded cost), and left out beyond the cap; `resulttype=hits` counts exactly when
  filtered and gives the planner's estimate of an unfiltered view.
- Answers in the `crs` asked (OGC API Features Part 2) and reads `bbox` in its `bbox-crs`: both by PostGIS in that
  same statement (`ogc_services.crs`); pygeoapi checks the CRS URIs against the collection's list first.
- Reads through the `geoportal` alias (the read-only role, psycopg 3, server-side bound parameters). Property
  names, sort keys and CQL attributes must be real columns of the view; anything else is a 400.
"""

from __future__ import annotations

import contextvars
import json
import secrets
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connections
from pygeoapi.crs import CrsTransformSpec
from pygeoapi.provider.base import (
    BaseProvider,
    ProviderConnectionError,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
    ProviderQueryError,
)

from ogc_services.catalogue import DATABASE_ALIAS, Layer, catalogue_cached
from ogc_services.cql import FilterError
from ogc_services.crs import OgcCrs, crs_for
from ogc_services.query import ItemsQuery
from ogc_services.sqltext import render

CURSOR_PARAMETER = "cursor"
# numberMatched is given on every page while the matches are at most this many: counting them stays a few ms
# (measured in docs/ogc.md, "numberMatched"); beyond, only the last page and resulttype=hits give it.
COUNT_CAP = 2_000


@dataclass
class ItemsContext:
    """What the Django view tells the provider about the request it serves (set around one pygeoapi call)."""

    items_url: str
    params: list[tuple[str, str]]
    raw_json: bool
    bbox_crs: str | None = None  # the `bbox-crs` parameter (pygeoapi hands the provider the bbox as given)
    sentinel: str = field(default_factory=lambda: f"@@features-{secrets.token_hex(8)}@@")
    features_text: str | None = None


ITEMS_CONTEXT: contextvars.ContextVar[ItemsContext | None] = contextvars.ContextVar("ogc_items", default=None)


class RawFeatures(str):
    """Stands for the features array in pygeoapi's content: serialised as a sentinel string that the view
    replaces by PostgreSQL's text; `len()` is the number of features (pygeoapi's paging logic reads it)."""

    features_count: int

    def __new__(cls, sentinel: str, count: int) -> RawFeatures:
        instance = super().__new__(cls, sentinel)
        instance.features_count = count
        return instance

    def __len__(self) -> int:
        return self.features_count


class InvalidQuery(ProviderInvalidQueryError):
    """A 400 whose message is shown to the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message, user_msg=message)


def cursor_parse(value: str) -> tuple[int, int]:
    offset, sep, last_id = value.partition(".")
    if not sep or not offset.isdigit() or not last_id.lstrip("-").isdigit():
        raise InvalidQuery(f"invalid {CURSOR_PARAMETER} {value!r}: use the next link as given")
    return int(offset), int(last_id)


def output_crs(spec: CrsTransformSpec | None) -> OgcCrs:
    """The CRS of the answer: pygeoapi's transform spec names it (None: the storage CRS, CRS84)."""
    return crs_for(spec.target_crs_uri if spec is not None else None)


class GeoportalProvider(BaseProvider):
    """Feature provider of one geoportal view (`table` in the provider definition)."""

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        self.alias: str = (provider_def.get("data") or {}).get("alias", DATABASE_ALIAS)
        layer = catalogue_cached(using=self.alias).get(provider_def["table"])
        if layer is None:
            raise ProviderConnectionError(f"no geoportal view {provider_def['table']!r}")
        self.layer: Layer = layer
        self.geom_field = layer.geometry_column
        self._fields = self.get_fields()

    def get_fields(self) -> dict[str, dict[str, Any]]:
        fields: dict[str, dict[str, Any]] = {}
        for column in self.layer.properties:
            if not column.queryable:
                continue
            schema: dict[str, Any] = {"type": column.json_type, "title": column.name}
            if column.json_format:
                schema["format"] = column.json_format
            fields[column.name] = schema
        return fields

    # -- reading --------------------------------------------------------------------------------------------------
    def _fetch(self, statement: Any, params: list[Any]) -> tuple[Any, ...] | None:
        try:
            with connections[self.alias].cursor() as cursor:
                cursor.execute(render(statement, using=self.alias), params)
                return cursor.fetchone()
        except DatabaseError as error:
            raise ProviderQueryError("the geoportal database could not answer this query") from error

    def _build(
        self,
        *,
        offset: int,
        limit: int,
        bbox: list[float],
        datetime_: str | None,
        properties: list[tuple[str, str]],
        sortby: list[dict[str, str]],
        select_properties: list[str],
        skip_geometry: bool,
        filterq: Any,
        output: OgcCrs,
    ) -> ItemsQuery:
        query = ItemsQuery(layer=self.layer, limit=limit, offset=offset, skip_geometry=skip_geometry, output=output)
        context = ITEMS_CONTEXT.get()
        try:
            if bbox:
                query.where_bbox(bbox, crs_for(context.bbox_crs if context else None))
            if datetime_:
                if not self.time_field:
                    raise FilterError(f"collection {self.layer.name!r} has no time: datetime is not supported")
                query.where_datetime(self.time_field, datetime_)
            cursor: str | None = None
            for name, value in properties:
                if name == CURSOR_PARAMETER:
                    cursor = value
                else:
                    query.where_property(name, value)
            if filterq is not None:
                query.where_cql(filterq)
            if sortby:
                query.order_by(sortby)
            if select_properties:
                query.properties_select(select_properties)
        except FilterError as error:
            raise InvalidQuery(str(error)) from error
        if cursor is not None:
            cursor_offset, last_id = cursor_parse(cursor)
            if cursor_offset == offset and query.keyset:
                query.after_id = last_id  # else: a stale or edited cursor; plain OFFSET stays correct
        return query

    def query(
        self,
        offset: int = 0,
        limit: int = 10,
        resulttype: str = "results",
        bbox: list[float] | None = None,
        datetime_: str | None = None,
        properties: list[tuple[str, str]] | None = None,
        sortby: list[dict[str, str]] | None = None,
        select_properties: list[str] | None = None,
        skip_geometry: bool = False,
        q: str | None = None,
        filterq: Any = None,
        crs_transform_spec: CrsTransformSpec | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        if q:
            raise InvalidQuery("free-text search (q) is not supported; use property filters or filter=")
        query = self._build(
            offset=offset,
            limit=limit,
            bbox=bbox or [],
            datetime_=datetime_,
            properties=properties or [],
            sortby=sortby or [],
            select_properties=select_properties or [],
            skip_geometry=skip_geometry,
            filterq=filterq,
            output=output_crs(crs_transform_spec),
        )
        if resulttype == "hits":
            return self._hits(query)
        statement, params = query.page_sql()
        row = self._fetch(statement, params)
        assert row is not None
        features_text, returned, last_id = row[0], int(row[1]), row[2]
        context = ITEMS_CONTEXT.get()
        content: dict[str, Any] = {"type": "FeatureCollection", "numberReturned": returned}
        if context is not None and context.raw_json:
            context.features_text = features_text
            content["features"] = RawFeatures(context.sentinel, returned)
        else:
            content["features"] = json.loads(features_text)
        matched: int | None = None
        if returned < limit:
            matched = offset + returned  # the last page: known without counting
        elif limit < COUNT_CAP:  # a full page of COUNT_CAP or more: more matches than the cap, not counted
            matched = self._matched(query)
        if matched is not None:
            content["numberMatched"] = matched
        links = self._links(query, returned=returned, last_id=last_id, context=context)
        if links:
            content["links"] = links
        return content

    def _matched(self, query: ItemsQuery) -> int | None:
        """The number of matches when at most `COUNT_CAP` (a count bounded by its LIMIT); None beyond."""
        statement, params = query.count_sql(cap=COUNT_CAP)
        row = self._fetch(statement, params)
        matched = int(row[0]) if row else 0
        return matched if matched <= COUNT_CAP else None

    def _hits(self, query: ItemsQuery) -> dict[str, Any]:
        if query.filtered:
            statement, params = query.count_sql()
            row = self._fetch(statement, params)
            matched = int(row[0]) if row else 0
        else:
            row = self._fetch(query.estimate_sql(), [])
            plan = row[0] if row else None
            plan = json.loads(plan) if isinstance(plan, str) else plan
            matched = int(plan[0]["Plan"]["Plan Rows"]) if plan else 0
        return {"type": "FeatureCollection", "features": [], "numberMatched": matched, "numberReturned": 0}

    def _links(
        self, query: ItemsQuery, *, returned: int, last_id: int | None, context: ItemsContext | None
    ) -> list[dict[str, str]]:
        """`next` (with a keyset cursor) and `prev`; pygeoapi adds the others."""
        if context is None or returned < query.limit:
            return []  # pygeoapi's own paging links (prev only) are right for a last page
        kept = [(k, v) for k, v in context.params if k not in {"offset", CURSOR_PARAMETER}]
        links = []
        next_params = [*kept, ("offset", str(query.offset + query.limit))]
        if query.keyset and last_id is not None:
            next_params.append((CURSOR_PARAMETER, f"{query.offset + query.limit}.{last_id}"))
        links.append(self._link("next", "Items (next)", context, next_params))
        if query.offset > 0:
            previous = [*kept, ("offset", str(max(0, query.offset - query.limit)))]
            links.append(self._link("prev", "Items (prev)", context, previous))
        return links

    @staticmethod
    def _link(rel: str, title: str, context: ItemsContext, params: list[tuple[str, str]]) -> dict[str, str]:
        href = f"{context.items_url}?{urllib.parse.urlencode(params)}"
        return {"type": "application/geo+json", "rel": rel, "title": title, "href": href}

    def get(self, identifier: Any, crs_transform_spec: CrsTransformSpec | None = None, **kwargs: Any) -> dict[str, Any]:
        try:
            key = int(str(identifier))
        except ValueError as error:
            raise ProviderItemNotFoundError(f"no feature {identifier!r}") from error
        query = ItemsQuery(layer=self.layer, limit=1, output=output_crs(crs_transform_spec))
        row = self._fetch(query.item_sql(), [key])
        if row is None:
            raise ProviderItemNotFoundError(f"no feature {identifier!r}")
        return json.loads(row[0])

    def __repr__(self) -> str:
        return f"<GeoportalProvider {self.layer.name}>"
