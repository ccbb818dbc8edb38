"""Redis down, hung or restarted under the tiles: they are rendered from PostGIS (fail open), every request gets its
tile (200, the same bytes), one error is logged per outage, and the cache is used again once Redis is back.

A Redis server of the test's own (`tests.faults.redis_server`) is stopped, frozen (SIGSTOP) and started again;
requests go through the real WSGI application (`config.wsgi`, with the cached-tile path of `tiles.wsgi`)."""

import gzip
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.redis_server import RedisServer, redis_server
from tests.tiles.test_tiles import cambridge, tile_at  # noqa: F401  (fixture)
from tests.tiles.test_wsgi_cached import Reply, get
from tiles.cache import TileCacheUnavailable, cache_available, cache_forget_layer

pytestmark = [
    pytest.mark.usefixtures("tiles_db", "cambridge"),
    pytest.mark.django_db(transaction=True, databases=["default", "geoportal"]),  # config.wsgi checks the reader
]
RETRY_AFTER = 1  # seconds the cache is left alone after a failure (TILES_CACHE_RETRY_AFTER_SECONDS)
CACHE_LOGGER = "tiles.cache"


@pytest.fixture
def own_redis(tmp_path: Path, settings: Any) -> Iterator[RedisServer]:
    with redis_server(tmp_path / "redis") as server:
        settings.TILES_CACHE_URL = server.url()
        settings.TILES_CACHE_CONNECT_TIMEOUT_MS = 250
        settings.TILES_CACHE_TIMEOUT_MS = 300
        settings.TILES_CACHE_RETRY_AFTER_SECONDS = RETRY_AFTER
        yield server
        if server.process is None:
            server.start()  # the flush after the test forgets the tiles in it


def tile_path(z: int = 16) -> str:
    tile = tile_at(z)
    return f"/tiles/parcels/{tile.z}/{tile.x}/{tile.y}.pbf"


def cache_records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == CACHE_LOGGER and record.levelno == level]


def timed_get(path: str, **headers: str) -> tuple[Reply, float]:
    started = time.monotonic()
    reply = get(path, **headers)
    return reply, time.monotonic() - started


def test_redis_stopped_tiles_come_from_postgis_one_error_logged_and_the_cache_used_again(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=CACHE_LOGGER)
    path = tile_path()
    assert get(path, accept_encoding="gzip").headers["X-Tile-Cache"] == "miss"
    hot = get(path, accept_encoding="gzip")
    assert hot.status == 200 and hot.headers["X-Tile-Cache"] == "hit"

    own_redis.stop()
    replies = [timed_get(path, accept_encoding="gzip") for _ in range(20)]
    replies += [timed_get(tile_path(15), accept_encoding="gzip"), timed_get("/tiles/parcels.json")]
    assert [reply.status for reply, _ in replies] == [200] * len(replies)
    assert {reply.body for reply, _ in replies[:20]} == {hot.body}, "the tile from PostGIS is the cached one"
    assert {reply.headers["X-Tile-Cache"] for reply, _ in replies[:21]} == {"unavailable"}
    assert gzip.decompress(replies[20][0].body)
    assert replies[-1][0].headers["Content-Type"] == "application/json"
    assert max(seconds for _, seconds in replies) < 2.0, [round(seconds, 3) for _, seconds in replies]
    errors = cache_records(caplog, logging.ERROR)
    assert len(errors) == 1, [record.getMessage() for record in errors]
    assert "Redis tile cache unavailable" in errors[0].getMessage()
    assert cache_available() is False

    own_redis.start()  # an empty Redis, as after a restart
    time.sleep(RETRY_AFTER + 0.1)
    first = get(path, accept_encoding="gzip")
    assert first.status == 200 and first.headers["X-Tile-Cache"] == "miss" and first.body == hot.body
    again = get(path, accept_encoding="gzip")
    assert again.headers["X-Tile-Cache"] == "hit" and again.body == hot.body
    assert cache_available() is True
    assert len(cache_records(caplog, logging.ERROR)) == 1
    recoveries = cache_records(caplog, logging.WARNING)
    assert len(recoveries) == 1 and "available again" in recoveries[0].getMessage()


def test_a_hung_redis_costs_one_timeout_then_requests_skip_it(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=CACHE_LOGGER)
    path = tile_path()
    get(path, accept_encoding="gzip")
    hot = get(path, accept_encoding="gzip")
    assert hot.headers["X-Tile-Cache"] == "hit"

    own_redis.freeze()  # accepts connections, answers nothing
    try:
        first, first_seconds = timed_get(path, accept_encoding="gzip")
        others = [timed_get(path, accept_encoding="gzip") for _ in range(10)]
    finally:
        own_redis.thaw()
    assert first.status == 200 and first.body == hot.body and first.headers["X-Tile-Cache"] == "unavailable"
    assert 0.25 <= first_seconds < 1.5, "one read timeout (300 ms), not redis-py's ten retries"
    assert all(reply.status == 200 and reply.body == hot.body for reply, _ in others)
    assert max(seconds for _, seconds in others) < 0.25, "the circuit keeps requests off the hung Redis"
    assert len(cache_records(caplog, logging.ERROR)) == 1

    time.sleep(RETRY_AFTER + 0.1)
    assert get(path, accept_encoding="gzip").headers["X-Tile-Cache"] == "hit"  # the same Redis, its tiles kept


def test_an_invalidation_without_redis_raises_instead_of_being_lost(own_redis: RedisServer) -> None:
    own_redis.stop()
    with pytest.raises(TileCacheUnavailable):
        cache_forget_layer(layer="parcels")
    with pytest.raises(TileCacheUnavailable):  # the circuit is open: refused at once
        cache_forget_layer(layer="parcels")
