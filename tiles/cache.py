"""The tile cache: gzip-compressed tiles in Redis, keyed by database, layer, layer generation and z/x/y.

Keys (`<ns>` is `tiles:<database name>`, so a test database never shares tiles with the development one):
- `<ns>:<layer>:gen`: the layer's generation; bumping it forgets every cached tile of the layer at once
  (an import, a migration). Old entries are never read again and expire after `TILES_CACHE_SECONDS`.
- `<ns>:<layer>:seq`: bumped by every partial invalidation (a published decision).
- `<ns>:<layer>:<gen>:<z>:<x>:<y>`: a tile (empty bytes for an empty tile).

A tile rendered while a decision commits could hold the old state and be stored after the invalidation deleted
its key. So a tile is stored only if neither counter moved since before it was rendered (one Lua script checks
both and sets the key atomically); otherwise it is served but not cached.

Redis down or slow: reads fail open. The client gives up after `TILES_CACHE_CONNECT_TIMEOUT_MS` /
`TILES_CACHE_TIMEOUT_MS`; a failure opens a circuit (`gis_core.circuit`) that logs one error and keeps every
request off Redis for `TILES_CACHE_RETRY_AFTER_SECONDS`, then lets one probe through; the recovery is logged too.
Meanwhile `cache_fetch` answers `UNAVAILABLE` (the tile is rendered from PostGIS and not stored) and
`layer_version` None. Invalidations must not be lost: `cache_forget_*` raise `TileCacheUnavailable` instead, and
their caller keeps the work to do again (`tiles.invalidations`).
"""

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis
from django.db import connections
from redis.backoff import NoBackoff
from redis.retry import Retry

from gis_core.circuit import Circuit, CircuitOpen
from tiles.conf import tiles_settings
from tiles.grid import Tile

logger = logging.getLogger(__name__)

FETCH_SCRIPT = """
local generation = redis.call('GET', KEYS[1]) or '0'
local sequence = redis.call('GET', KEYS[2]) or '0'
local tile = redis.call('GET', ARGV[1] .. generation .. ARGV[2])
return {generation, sequence, tile}
"""
STORE_SCRIPT = """
if (redis.call('GET', KEYS[1]) or '0') == ARGV[1] and (redis.call('GET', KEYS[2]) or '0') == ARGV[2] then
  redis.call('SET', ARGV[3], ARGV[4], 'EX', ARGV[5])
  return 1
end
return 0
"""
DELETE_BATCH = 2000
# WSGI environ key under which tiles.wsgi hands the look-up it made of a missing tile to the view (one round trip).
CACHE_STATE_ENVIRON = "tiles.cache_state"


class TileCacheUnavailable(RuntimeError):
    """Redis could not be reached, or failed moments ago: the invalidation was not done and must be tried again."""


@dataclass(frozen=True)
class CacheState:
    """What a cache look-up saw: the counters to store against, and the tile when it was there."""

    generation: str
    sequence: str
    tile: bytes | None


# The look-up could not reach Redis: render the tile and do not store it.
UNAVAILABLE = CacheState(generation="", sequence="", tile=None)


@dataclass(frozen=True)
class _Connection:
    settings: tuple[str, float, float, float]  # what it was built from: rebuilt when the settings change
    client: redis.Redis
    scripts: dict[str, Any]  # redis-py Script objects (EVALSHA: the script is not resent each time)
    circuit: Circuit


_lock = threading.Lock()
_connection: _Connection | None = None


def _connected() -> _Connection | None:
    """The cache's client, scripts and circuit; None when caching is off."""
    global _connection
    config = tiles_settings()
    if not config.cache_url:
        return None
    key = (config.cache_url, config.cache_connect_timeout, config.cache_timeout, config.cache_retry_after)
    with _lock:
        if _connection is None or _connection.settings != key:
            client = redis.Redis.from_url(
                config.cache_url,
                socket_connect_timeout=config.cache_connect_timeout,
                socket_timeout=config.cache_timeout,
                # One immediate retry on a broken connection (a pooled connection to a restarted Redis); none on a
                # timeout, so a hung Redis costs one timeout, not redis-py's default of ten retries with backoff.
                retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            )
            circuit = Circuit(
                "Redis tile cache", retry_after=config.cache_retry_after, errors=(redis.RedisError,), logger=logger
            )
            scripts = {"fetch": client.register_script(FETCH_SCRIPT), "store": client.register_script(STORE_SCRIPT)}
            _connection = _Connection(settings=key, client=client, scripts=scripts, circuit=circuit)
        return _connection


def _read[ResultT](connection: _Connection, operation: Callable[[], ResultT]) -> ResultT | None:
    """The operation's result, or None when Redis is unavailable (failing open; the circuit logs the outage)."""
    try:
        return connection.circuit.call(operation)
    except (CircuitOpen, redis.RedisError):
        return None


def _write[ResultT](connection: _Connection, operation: Callable[[], ResultT]) -> ResultT:
    """The operation's result; `TileCacheUnavailable` when Redis is unavailable (the caller must try again)."""
    try:
        return connection.circuit.call(operation)
    except (CircuitOpen, redis.RedisError) as error:
        raise TileCacheUnavailable(f"tile cache unavailable: {error}") from error


def cache_available() -> bool | None:
    """Whether the last calls reached Redis (None when caching is off): for health checks and tests."""
    connection = _connected()
    return None if connection is None else not connection.circuit.is_open


def _text(value: bytes | str | None) -> str:
    if value is None:
        return "0"
    return value.decode() if isinstance(value, bytes) else value


def namespace(layer: str) -> str:
    return f"tiles:{connections['default'].settings_dict['NAME']}:{layer}"


def _counter_keys(layer: str) -> list[str]:
    return [f"{namespace(layer)}:gen", f"{namespace(layer)}:seq"]


def tile_key(layer: str, generation: str, tile: Tile) -> str:
    return f"{namespace(layer)}:{generation}:{tile.z}:{tile.x}:{tile.y}"


def cache_fetch(*, layer: str, tile: Tile) -> CacheState | None:
    """The cached tile (gzip bytes) and the counters; None when caching is off, `UNAVAILABLE` when Redis is."""
    connection = _connected()
    if connection is None:
        return None
    found = _read(
        connection,
        lambda: connection.scripts["fetch"](
            keys=_counter_keys(layer),
            args=[f"{namespace(layer)}:", f":{tile.z}:{tile.x}:{tile.y}"],
            client=connection.client,
        ),
    )
    if found is None:
        return UNAVAILABLE
    generation, sequence, value = found
    return CacheState(generation=generation.decode(), sequence=sequence.decode(), tile=value)


def cache_store(*, layer: str, tile: Tile, state: CacheState, data: bytes) -> bool:
    """Store a rendered tile unless the layer was invalidated since `state` was read; True when stored."""
    connection = _connected()
    if connection is None or state is UNAVAILABLE:
        return False
    stored = _read(
        connection,
        lambda: connection.scripts["store"](
            keys=_counter_keys(layer),
            args=[
                state.generation,
                state.sequence,
                tile_key(layer, state.generation, tile),
                data,
                tiles_settings().cache_seconds,
            ],
            client=connection.client,
        ),
    )
    return bool(stored)


def cache_forget_tiles(*, layer: str, tiles: Iterable[Tile]) -> int:
    """Delete these tiles of the layer's current generation; bump the sequence first (see the module docstring).

    Raises `TileCacheUnavailable` when Redis cannot be reached (some tiles may be deleted already: doing it again
    is harmless)."""
    connection = _connected()
    if connection is None:
        return 0
    return _write(connection, lambda: _forget(connection.client, layer, tiles))


def _forget(client: redis.Redis, layer: str, tiles: Iterable[Tile]) -> int:
    generation_key, sequence_key = _counter_keys(layer)
    client.incr(sequence_key)
    generation = _text(client.get(generation_key))
    deleted = 0
    batch: list[str] = []
    for tile in tiles:
        batch.append(tile_key(layer, generation, tile))
        if len(batch) >= DELETE_BATCH:
            deleted += int(client.delete(*batch))
            batch = []
    if batch:
        deleted += int(client.delete(*batch))
    return deleted


def cache_forget_layer(*, layer: str) -> int:
    """Forget every cached tile of the layer: bump its generation. Returns the new generation.

    Raises `TileCacheUnavailable` when Redis cannot be reached."""
    connection = _connected()
    if connection is None:
        return 0
    return int(_write(connection, lambda: connection.client.incr(_counter_keys(layer)[0])))


def layer_version(*, layer: str) -> str | None:
    """`<generation>.<sequence>`: changes with every invalidation of the layer, whole or partial.

    "0.0" when caching is off; None when Redis is unavailable (the version is unknown: cache nothing on it)."""
    connection = _connected()
    if connection is None:
        return "0.0"
    counters = _read(connection, lambda: connection.client.mget(_counter_keys(layer)))
    if counters is None:
        return None
    generation, sequence = counters
    return f"{_text(generation)}.{_text(sequence)}"
