"""Hot tiles are answered before Django (tiles.wsgi, through the real WSGI application of config.wsgi) with the
reply Django gives; anything else still reaches Django: a miss, an invalidated tile, an error, another path."""

import gzip
import io
from collections.abc import Iterator
from typing import Any
from wsgiref.util import setup_testing_defaults

import mapbox_vector_tile
import pytest
from django.core.signals import request_started

from tests.tiles.test_tiles import cambridge, tile_at  # noqa: F401  (fixture)
from tiles.cache import cache_forget_tiles

pytestmark = pytest.mark.usefixtures("tiles_db", "cambridge")
# Headers a response through Django's middleware carries that the tile itself does not decide.
MIDDLEWARE_ONLY = {"Vary", "Content-Language", "X-Tile-Cache", "Content-Security-Policy"}


class Reply:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = int(status.split()[0])
        self.headers = dict(headers)
        self.body = body


@pytest.fixture
def django_requests() -> Iterator[list[Any]]:
    """The requests that went through Django's request cycle."""
    seen: list[Any] = []

    def count(sender: Any, **kwargs: Any) -> None:
        seen.append(kwargs.get("environ"))

    request_started.connect(count)
    yield seen
    request_started.disconnect(count)


def get(path: str, **headers: str) -> Reply:
    environ: dict[str, Any] = {"PATH_INFO": path, "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO()}
    environ.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    setup_testing_defaults(environ)
    started: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.extend([status, response_headers])
        return lambda data: None

    from config.wsgi import application  # imported once the test database exists (tests/tiles/conftest.py)

    chunks = application(environ, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return Reply(started[0], started[1], body)


def test_a_hot_tile_skips_django_and_gets_the_reply_django_gave(django_requests: list[Any]) -> None:
    tile = tile_at(16)
    path = f"/tiles/parcels/{tile.z}/{tile.x}/{tile.y}.pbf"
    cold = get(path, accept_encoding="gzip")
    assert cold.status == 200 and cold.headers["X-Tile-Cache"] == "miss" and len(django_requests) == 1

    hot = get(path, accept_encoding="gzip")
    assert hot.status == 200 and hot.headers["X-Tile-Cache"] == "hit"
    assert len(django_requests) == 1, "a cached tile is answered before Django"
    assert hot.body == cold.body
    assert {k: v for k, v in hot.headers.items() if k not in MIDDLEWARE_ONLY} == {
        k: v for k, v in cold.headers.items() if k not in MIDDLEWARE_ONLY
    }
    assert "Accept-Encoding" in hot.headers["Vary"]
    decoded = mapbox_vector_tile.decode(gzip.decompress(hot.body))
    assert {f["properties"]["reference"] for f in decoded["parcels"]["features"]} >= {"160-43", "160-44"}

    plain = get(path)  # no gzip asked: the tile itself
    assert plain.status == 200 and "Content-Encoding" not in plain.headers and plain.body == gzip.decompress(hot.body)
    held = get(path, accept_encoding="gzip", if_none_match=hot.headers["ETag"])
    assert held.status == 304 and held.body == b"" and held.headers["ETag"] == hot.headers["ETag"]
    assert len(django_requests) == 1

    cache_forget_tiles(layer="parcels", tiles=[tile])  # what a publication over this tile does
    again = get(path, accept_encoding="gzip")
    assert again.headers["X-Tile-Cache"] == "miss" and len(django_requests) == 2


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/tiles/nowhere/16/19823/24241.pbf", 404),  # unknown layer: Django's problem document
        ("/tiles/parcels/2/9/9.pbf", 400),  # outside the tile matrix
        ("/tiles/parcels/20/1/1.pbf", 400),  # above the layer's maxzoom
        ("/tiles/parcels.json", 200),
    ],
)
def test_everything_but_a_cached_tile_reaches_django(django_requests: list[Any], path: str, status: int) -> None:
    reply = get(path)
    assert reply.status == status and len(django_requests) == 1
    if status >= 400:
        assert reply.headers["Content-Type"] == "application/problem+json"
