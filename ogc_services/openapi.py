"""Make pygeoapi's generated OpenAPI document self-contained and true to what /ogc/ does.

pygeoapi refers to OGC schemas on the web (schemas.opengis.net, raw.githubusercontent.com); a client without
network access (or a strict validator such as schemathesis) cannot resolve them. Each remote reference is
replaced by a local component written here, and the few operations or values we do not serve (CSV output)
are removed; our paging `cursor` parameter is documented.
"""

from __future__ import annotations

from typing import Any

FEATURES_1 = "https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/ogcapi-features-1.yaml"
LOCAL = "#/components"

LINK: dict[str, Any] = {
    "type": "object",
    "required": ["href"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
        "hreflang": {"type": "string"},
    },
}
EXCEPTION: dict[str, Any] = {
    "type": "object",
    "required": ["code"],
    "properties": {"code": {"type": "string"}, "type": {"type": "string"}, "description": {"type": "string"}},
}
GEOMETRY: dict[str, Any] = {
    "nullable": True,
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string"}, "coordinates": {"type": "array"}, "geometries": {"type": "array"}},
}
FEATURE: dict[str, Any] = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "geometry": {"$ref": f"{LOCAL}/schemas/geometryGeoJSON"},
        "properties": {"type": "object", "nullable": True},
        "links": {"type": "array", "items": {"$ref": f"{LOCAL}/schemas/link"}},
    },
}
FEATURE_COLLECTION: dict[str, Any] = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"$ref": f"{LOCAL}/schemas/featureGeoJSON"}},
        "links": {"type": "array", "items": {"$ref": f"{LOCAL}/schemas/link"}},
        "timeStamp": {"type": "string", "format": "date-time"},
        "numberMatched": {"type": "integer", "minimum": 0},
        "numberReturned": {"type": "integer", "minimum": 0},
    },
}
OBJECT: dict[str, Any] = {"type": "object"}


def _content(schema_ref: str, *, geojson: bool = False) -> dict[str, Any]:
    json_type = "application/geo+json" if geojson else "application/json"
    return {
        json_type: {"schema": {"$ref": schema_ref}},
        "application/ld+json": {"schema": OBJECT},
        "text/html": {"schema": {"type": "string"}},
    }


RESPONSES: dict[str, dict[str, Any]] = {
    "Features": {
        "description": "The features of the collection that match the request.",
        "content": _content(f"{LOCAL}/schemas/featureCollectionGeoJSON", geojson=True),
    },
    "Feature": {"description": "One feature.", "content": _content(f"{LOCAL}/schemas/featureGeoJSON", geojson=True)},
    "Collection": {"description": "A collection.", "content": _content(f"{LOCAL}/schemas/object")},
    "LandingPage": {"description": "The landing page.", "content": _content(f"{LOCAL}/schemas/object")},
    "InvalidParameter": {
        "description": "A query parameter has an invalid value.",
        "content": {"application/json": {"schema": {"$ref": f"{LOCAL}/schemas/exception"}}, "text/html": {}},
    },
    "NotFound": {
        "description": "The requested resource does not exist.",
        "content": {"application/json": {"schema": {"$ref": f"{LOCAL}/schemas/exception"}}, "text/html": {}},
    },
    "ServerError": {
        "description": "A server error occurred.",
        "content": {"application/json": {"schema": {"$ref": f"{LOCAL}/schemas/exception"}}, "text/html": {}},
    },
}
PARAMETERS: dict[str, dict[str, Any]] = {
    "featureId": {
        "name": "featureId",
        "in": "path",
        "required": True,
        "description": "The id of a feature.",
        "schema": {"type": "string"},
    },
    "datetime": {
        "name": "datetime",
        "in": "query",
        "required": False,
        "description": "An instant or an interval (RFC 3339, `..` for an open end) on the collection's time.",
        "schema": {"type": "string"},
        "style": "form",
        "explode": False,
    },
    "sortby": {
        "name": "sortby",
        "in": "query",
        "required": False,
        "description": "Comma-separated property names, each optionally prefixed by + or -.",
        "schema": {"type": "string"},
        "style": "form",
        "explode": False,
    },
    "cursor": {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": "Paging by key: copy it from the `next` link (`<offset>.<last id>`); a cursor that does not "
        "match `offset` is ignored.",
        "schema": {"type": "string", "pattern": "^[0-9]+\\.-?[0-9]+$"},
        "style": "form",
        "explode": False,
    },
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "link": LINK,
    "exception": EXCEPTION,
    "geometryGeoJSON": GEOMETRY,
    "featureGeoJSON": FEATURE,
    "featureCollectionGeoJSON": FEATURE_COLLECTION,
    "object": OBJECT,
}

REMOTE: dict[str, str] = {
    f"{FEATURES_1}#/components/responses/{name}": f"{LOCAL}/responses/{name}" for name in RESPONSES
} | {
    f"{FEATURES_1}#/components/parameters/featureId": f"{LOCAL}/parameters/featureId",
    f"{FEATURES_1}#/components/parameters/datetime": f"{LOCAL}/parameters/datetime",
    "https://raw.githubusercontent.com/opengeospatial/ogcapi-records/master/core/openapi/parameters/sortby.yaml": (
        f"{LOCAL}/parameters/sortby"
    ),
    "https://schemas.opengis.net/ogcapi/processes/part1/1.0/openapi/schemas/exception.yaml": (
        f"{LOCAL}/schemas/exception"
    ),
    "https://schemas.opengis.net/ogcapi/tiles/part1/1.0/openapi/ogcapi-tiles-1.yaml#/components/schemas/link": (
        f"{LOCAL}/schemas/link"
    ),
    "https://schemas.opengis.net/cql2/1.0/cql2.json": f"{LOCAL}/schemas/object",
}
UNSERVED_FORMATS = {"csv"}


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return {"$ref": REMOTE.get(ref, f"{LOCAL}/schemas/object")}
        if node.get("name") == "f" and isinstance(node.get("schema", {}).get("enum"), list):
            node["schema"]["enum"] = [f for f in node["schema"]["enum"] if f not in UNSERVED_FORMATS]
        return {key: _walk(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(item) for item in node]
    return node


def openapi_localise(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every remote reference resolved locally, the cursor documented on items."""
    document = _walk(document)
    components = document.setdefault("components", {})
    components.setdefault("responses", {}).update(RESPONSES)
    components.setdefault("parameters", {}).update(PARAMETERS)
    components.setdefault("schemas", {}).update(SCHEMAS)
    for path, operations in document.get("paths", {}).items():
        if not path.endswith("/items"):
            continue
        get = operations.get("get")
        if get is not None:
            get.setdefault("parameters", []).append({"$ref": f"{LOCAL}/parameters/cursor"})
    return document
