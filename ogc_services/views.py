"""OGC API Features at /ogc/: a thin Django adapter over pygeoapi's framework-free API functions.

Each view turns the Django request into pygeoapi's `APIRequest`, calls the matching pygeoapi function with the
API built from the generated config (`ogc_services.config`), and turns the result back into a response. For the
items of a collection asked as JSON, the features array is PostgreSQL's own text (see `provider.RawFeatures`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygeoapi
import pygeoapi.api as core_api
import pygeoapi.api.itemtypes as itemtypes_api
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.static import serve
from pygeoapi.api import APIRequest, apply_gzip
from pygeoapi.formats import F_HTML, F_JSONLD

from ogc_services.config import api_for
from ogc_services.provider import ITEMS_CONTEXT, ItemsContext

PYGEOAPI_STATIC = Path(pygeoapi.__file__).resolve().parent / "static"

ApiFunction = Callable[..., tuple[dict[str, Any], int, Any]]


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("ogc:landing-page")).rstrip("/")


def _respond(headers: dict[str, Any], status: int, content: Any) -> HttpResponse:
    response = HttpResponse(content, status=status)
    for key, value in headers.items():
        response[key] = value
    return response


def execute(request: HttpRequest, function: ApiFunction, *args: str, items_of: str | None = None) -> HttpResponse:
    """Run one pygeoapi API function for a Django request."""
    built = api_for(_base_url(request))
    api = built.api
    api_request = APIRequest.from_django(request, api.locales)
    if not api_request.is_valid():
        return _respond(*api.get_format_exception(api_request))
    context: ItemsContext | None = None
    token = None
    if items_of is not None:
        context = ItemsContext(
            items_url=f"{api.base_url}/collections/{items_of}/items",
            params=[(key, value) for key, values in request.GET.lists() for value in values],
            raw_json=api_request.format not in {F_HTML, F_JSONLD},
        )
        token = ITEMS_CONTEXT.set(context)
    try:
        headers, status, content = function(api, api_request, *args)
    finally:
        if token is not None:
            ITEMS_CONTEXT.reset(token)
    if context is not None and context.features_text is not None and isinstance(content, str):
        content = content.replace(json.dumps(context.sentinel), context.features_text, 1)
    return _respond(headers, status, apply_gzip(headers, content))


@require_GET
def landing_page(request: HttpRequest) -> HttpResponse:
    return execute(request, core_api.landing_page)


@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    return execute(request, core_api.openapi_)


@require_GET
def conformance(request: HttpRequest) -> HttpResponse:
    return execute(request, core_api.conformance)


@require_GET
def collections(request: HttpRequest, collection_id: str | None = None) -> HttpResponse:
    if collection_id is None:
        return execute(request, core_api.describe_collections)
    return execute(request, core_api.describe_collections, collection_id)


@require_GET
def collection_schema(request: HttpRequest, collection_id: str) -> HttpResponse:
    return execute(request, core_api.get_collection_schema, collection_id)


@require_GET
def collection_queryables(request: HttpRequest, collection_id: str) -> HttpResponse:
    return execute(request, itemtypes_api.get_collection_queryables, collection_id)


@require_GET
def collection_items(request: HttpRequest, collection_id: str) -> HttpResponse:
    return execute(request, itemtypes_api.get_collection_items, collection_id, items_of=collection_id)


@require_GET
def collection_item(request: HttpRequest, collection_id: str, item_id: str) -> HttpResponse:
    return execute(request, itemtypes_api.get_collection_item, collection_id, item_id)


@require_GET
def static(request: HttpRequest, path: str) -> HttpResponseBase:
    """pygeoapi's CSS, JS and images for its HTML pages."""
    return serve(request, path, document_root=str(PYGEOAPI_STATIC))
