"""The HTTP face of the tiles: `/tiles/` (the layers), `/tiles/{layer}.json` (TileJSON 3.0.0) and
`/tiles/{layer}/{z}/{x}/{y}.pbf` (Mapbox Vector Tile, gzip when the client accepts it).

Errors are problem documents: an unknown layer is a 404, a z/x/y outside the tile matrix or above the layer's
maxzoom a 400. A tile is answered from the Redis cache when it is there (`X-Tile-Cache: hit`), else rendered
by PostGIS and stored (`miss`); with Redis down it is rendered and not stored (`unavailable`, `tiles.cache`).
An empty tile is `204 No Content`, which MapLibre, GDAL and QGIS read as empty.
Only misses are throttled (`THROTTLE_RATES["tiles"]`): a cached tile costs no database work.

A tile over `LARGE_TILE_BYTES` is compressed at gzip level 1 at most (`TILES_GZIP_LEVEL` for the others): on the
bench's parcel tiles (~70 KB of MVT) level 1 takes 2.6x less time than level 6 for a 4% larger tile, about 6% of
a cold tile's time (vector tiles in bench/README.md).
"""

import gzip
from typing import Any

from django.core.cache import cache as django_cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from gis_core.limits.throttles import throttle_check
from gis_core.problems import problem_response
from tiles.cache import CACHE_STATE_ENVIRON, UNAVAILABLE, cache_fetch, cache_store, layer_version
from tiles.conf import tiles_settings
from tiles.grid import TileOutOfRange, tile_check
from tiles.layers import LAYERS, TileLayer, layer_get
from tiles.replies import CORS, tile_reply
from tiles.selectors import layer_tilejson, tile_render

TILEJSON_CACHE_SECONDS = 300
LARGE_TILE_BYTES = 16_384
LARGE_TILE_GZIP_LEVEL = 1


def _unknown_layer(name: str) -> JsonResponse:
    known = ", ".join(sorted(LAYERS))
    return problem_response(404, "Unknown layer", f"There is no tile layer {name!r}; the layers are: {known}.")


def _with_headers(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    for name, value in headers.items():
        response[name] = value
    return response


def _gzip_level(size: int) -> int:
    level = tiles_settings().gzip_level
    return min(level, LARGE_TILE_GZIP_LEVEL) if size > LARGE_TILE_BYTES else level


@require_GET
def tile(request: HttpRequest, layer: str, z: str, x: str, y: str) -> HttpResponse:
    tile_layer = layer_get(layer)
    if tile_layer is None:
        return _unknown_layer(layer)
    try:
        position = tile_check(int(z), int(x), int(y))
    except (TileOutOfRange, ValueError) as error:
        return problem_response(400, "Tile out of range", str(error))
    if position.z > tile_layer.maxzoom:
        return problem_response(
            400, "Tile out of range", f"layer {layer!r} is served up to zoom {tile_layer.maxzoom}; clients overzoom"
        )
    if CACHE_STATE_ENVIRON in request.META:  # tiles.wsgi looked it up already: a miss (or caching off)
        state = request.META[CACHE_STATE_ENVIRON]
    else:
        state = cache_fetch(layer=tile_layer.name, tile=position)
    if state is not None and state.tile is not None:
        compressed, cache_status = state.tile, "hit"
    else:
        if (refused := throttle_check(request, "tiles")) is not None:  # only what reaches PostgreSQL is throttled
            return _with_headers(refused, CORS)
        raw = tile_render(layer=tile_layer, tile=position)
        compressed = gzip.compress(raw, compresslevel=_gzip_level(len(raw)), mtime=0) if raw else b""
        cache_status = "off"
        if state is UNAVAILABLE:  # Redis is down: served from PostGIS alone
            cache_status = "unavailable"
        elif state is not None:
            cache_status = (
                "miss" if cache_store(layer=tile_layer.name, tile=position, state=state, data=compressed) else "bypass"
            )
    reply = tile_reply(
        compressed=compressed,
        cache_status=cache_status,
        if_none_match=request.headers.get("If-None-Match", ""),
        accept_encoding=request.headers.get("Accept-Encoding", ""),
    )
    response = HttpResponse(reply.body, status=reply.status)
    if reply.status != 200:
        del response["Content-Type"]
    return _with_headers(response, reply.headers)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("tiles:index"))


def _tilejson(request: HttpRequest, tile_layer: TileLayer) -> dict[str, Any]:
    base_url = _base_url(request)
    version = layer_version(layer=tile_layer.name)
    if version is None:  # the tile cache is unavailable: the layer's version is unknown, nothing to key a copy on
        return layer_tilejson(layer=tile_layer, base_url=base_url)
    key = f"tiles:tilejson:{tile_layer.name}:{version}:{base_url}"
    document: dict[str, Any] | None = django_cache.get(key)
    if document is None:
        document = layer_tilejson(layer=tile_layer, base_url=base_url)
        django_cache.set(key, document, TILEJSON_CACHE_SECONDS)
    return document


@require_GET
def tilejson(request: HttpRequest, layer: str) -> HttpResponse:
    tile_layer = layer_get(layer)
    if tile_layer is None:
        return _unknown_layer(layer)
    return _with_headers(JsonResponse(_tilejson(request, tile_layer)), CORS)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The tile layers, each with its TileJSON and tile URL template."""
    base_url = _base_url(request)
    layers = [
        {
            "id": layer.name,
            "title": layer.title,
            "description": layer.description,
            "minzoom": layer.minzoom,
            "maxzoom": layer.maxzoom,
            "tilejson": f"{base_url}{layer.name}.json",
            "tiles": f"{base_url}{layer.name}/{{z}}/{{x}}/{{y}}.pbf",
        }
        for layer in LAYERS.values()
    ]
    return _with_headers(JsonResponse({"layers": layers}), CORS)


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    return problem_response(404, "Not found", f"Nothing is published at {request.path}.")
