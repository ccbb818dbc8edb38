"""OGC API Features at /ogc/: a thin Django adapter over pygeoapi's framework-free API functions.

Each view turns the Django request into pygeoapi's `APIRequest`, calls the matching pygeoapi function with the
API built from the generated config (`ogc_services.config`), and turns the result back into a response. For the
items of a collection asked as JSON, the features array is PostgreSQL's own text (see `provider.RawFeatures`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

import pygeoapi.api as core_api
import pygeoapi.api.itemtypes as itemtypes_api
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.static import serve
from pygeoapi.api import APIRequest, apply_gzip
from pygeoapi.formats import F_HTML, F_JSONLD

from ogc_services.config import PYGEOAPI_STATIC, api_for
from ogc_services.conformance import conformance as claimed_conformance
from ogc_services.provider import ITEMS_CONTEXT, ItemsContext

ApiFunction = Callable[..., tuple[dict[str, Any], int, Any]]


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("ogc:landing-page")).rstrip("/")


def _respond(headers: dict[str, Any], status: int, content: Any) -> HttpResponse:
    if status >= 400 and str(headers.get("Content-Type", "")).startswith("application/ld+json"):
        headers["Content-Type"] = "application/json"  # an exception document, whatever format was asked
    response = HttpResponse(content, status=status)
    for key, value in headers.items():
        response[key] = value
    return response


INTEGER = re.compile(r"[0-9]{1,18}")


def request_problem(request: HttpRequest) -> str | None:
    """What pygeoapi would turn into a 500 rather than a 400: a non-integer limit (`limit=true` is read as 1),
    a body that is not UTF-8 JSON."""
    for name in ("limit", "offset"):
        value = request.GET.get(name)
        if value is not None and not INTEGER.fullmatch(value):
            return f"{name} must be a non-negative integer"
    if request.method == "POST" and request.body:
        try:
            json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return "the request body must be a CQL2 JSON filter"
    return None


def methods(*allowed: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Allow these methods; answer OPTIONS (documented by pygeoapi's OpenAPI) with the list; 405 otherwise."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "OPTIONS":
                response = HttpResponse(status=200)
                response["Allow"] = ", ".join([*allowed, "OPTIONS"])
                return response
            if request.method not in allowed:
                return HttpResponseNotAllowed([*allowed, "OPTIONS"])
            return view(request, *args, **kwargs)

        return csrf_exempt(wrapped)

    return decorate


def execute(
    request: HttpRequest, function: ApiFunction, *args: str, items_of: str | None = None, geojson: bool = False
) -> HttpResponse:
    """Run one pygeoapi API function for a Django request."""
    built = api_for(_base_url(request))
    api = built.api
    api_request = APIRequest.from_django(request, api.locales)
    if not api_request.is_valid():
        return _respond(*api.get_format_exception(api_request))
    problem = request_problem(request)
    if problem is not None:
        headers = api_request.get_response_headers(**api.api_headers)
        return _respond(*api.get_exception(400, headers, api_request.format, "InvalidParameterValue", problem))
    context: ItemsContext | None = None
    token = None
    if items_of is not None:
        context = ItemsContext(
            items_url=f"{api.base_url}/collections/{items_of}/items",
            params=[(key, value) for key, values in request.GET.lists() for value in values],
            raw_json=api_request.format not in {F_HTML, F_JSONLD},
            bbox_crs=api_request.params.get("bbox-crs"),
        )
        token = ITEMS_CONTEXT.set(context)
    try:
        headers, status, content = function(api, api_request, *args)
    finally:
        if token is not None:
            ITEMS_CONTEXT.reset(token)
    if context is not None and context.features_text is not None and isinstance(content, str):
        content = content.replace(json.dumps(context.sentinel), context.features_text, 1)
    if geojson and status == 200 and headers.get("Content-Type", "").startswith("application/json"):
        headers["Content-Type"] = "application/geo+json"
    return _respond(headers, status, apply_gzip(headers, content))


@methods("GET")
def landing_page(request: HttpRequest) -> HttpResponseBase:
    return execute(request, core_api.landing_page)


@methods("GET")
def openapi(request: HttpRequest) -> HttpResponse:
    return execute(request, core_api.openapi_)


@methods("GET")
def conformance(request: HttpRequest) -> HttpResponse:
    return execute(request, claimed_conformance)


@methods("GET")
def collections(request: HttpRequest, collection_id: str | None = None) -> HttpResponse:
    if collection_id is None:
        return execute(request, core_api.describe_collections)
    return execute(request, core_api.describe_collections, collection_id)


@methods("GET")
def collection_schema(request: HttpRequest, collection_id: str) -> HttpResponse:
    return execute(request, core_api.get_collection_schema, collection_id)


@methods("GET")
def collection_queryables(request: HttpRequest, collection_id: str) -> HttpResponse:
    return execute(request, itemtypes_api.get_collection_queryables, collection_id)


@methods("GET", "POST")  # POST: a CQL2 JSON filter in the body
def collection_items(request: HttpRequest, collection_id: str) -> HttpResponse:
    return execute(request, itemtypes_api.get_collection_items, collection_id, items_of=collection_id, geojson=True)


@methods("GET")
def collection_item(request: HttpRequest, collection_id: str, item_id: str) -> HttpResponse:
    return execute(request, itemtypes_api.get_collection_item, collection_id, item_id, geojson=True)


@methods("GET")
def static(request: HttpRequest, path: str) -> HttpResponseBase:
    """pygeoapi's CSS, JS and images for its HTML pages."""
    return serve(request, path, document_root=str(PYGEOAPI_STATIC))
