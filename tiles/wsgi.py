"""Cached tiles answered before Django: a WSGI wrapper (listed in `WSGI_WRAPPERS`, applied by config.wsgi).

A `GET /tiles/{layer}/{z}/{x}/{y}.pbf` whose tile is in the Redis cache is answered here, with the same reply
as the view (`tiles.replies`): no middleware, no URL resolution, no request object, no database connection,
which makes a hot tile several times cheaper (cached tiles in bench/README.md). Everything else (a miss, a bad layer or
tile, caching off, any other path or method) goes to Django, so errors and rendering stay in one place; a miss
carries the cache look-up already made (`CACHE_STATE_ENVIRON`), so the view does not repeat that round trip.
With Redis down the look-up fails open (`tiles.cache.UNAVAILABLE`, within the client's timeouts, then not tried
for a few seconds) and Django renders the tile from PostGIS.
The tile cache is public and anonymous (no session, no cookie), as the view is.
"""

import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from tiles.cache import CACHE_STATE_ENVIRON, cache_fetch
from tiles.grid import TileOutOfRange, tile_check
from tiles.layers import layer_get
from tiles.replies import TileReply, tile_reply

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
TILE_PATH = re.compile(r"^/tiles/(?P<layer>[A-Za-z0-9_-]+)/(?P<z>\d{1,2})/(?P<x>\d{1,7})/(?P<y>\d{1,7})\.pbf$")
# Headers Django's middleware adds to every response (SecurityMiddleware, XFrameOptionsMiddleware), kept alike.
# tests/tiles/test_wsgi_cached.py checks both replies carry the same headers.
DJANGO_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def cached_reply(environ: dict[str, Any]) -> TileReply | None:
    """The reply to a request for a cached tile, or None when Django must answer it."""
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    match = TILE_PATH.match(environ.get("PATH_INFO", ""))
    if match is None:
        return None
    layer = layer_get(match["layer"])
    if layer is None:
        return None
    try:
        tile = tile_check(int(match["z"]), int(match["x"]), int(match["y"]))
    except TileOutOfRange:
        return None
    if tile.z > layer.maxzoom:
        return None
    state = cache_fetch(layer=layer.name, tile=tile)
    if state is None or state.tile is None:
        environ[CACHE_STATE_ENVIRON] = state  # the view renders and stores against these counters
        return None
    return tile_reply(
        compressed=state.tile,
        cache_status="hit",
        if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
        accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
    )


def cached_tiles(application: WsgiApp) -> WsgiApp:
    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        reply = cached_reply(environ)
        if reply is None:
            return application(environ, start_response)
        status = HTTPStatus(reply.status)
        headers = {**reply.headers, **DJANGO_HEADERS, "Content-Length": str(len(reply.body))}
        start_response(f"{status.value} {status.phrase}", list(headers.items()))
        return [reply.body]

    return serve
