"""The tile cache: gzip-compressed tiles in Redis, keyed by database, layer, layer generation and z/x/y.

Keys (`<ns>` is `tiles:<database name>`, so a test database never shares tiles with the development one):
- `<ns>:<layer>:gen`: the layer's generation; bumping it forgets every cached tile of the layer at once
  (an import, a migration). Old entries are never read again and expire after `TILES_CACHE_SECONDS`.
- `<ns>:<layer>:seq`: bumped by every partial invalidation (a published decision).
- `<ns>:<layer>:<gen>:<z>:<x>:<y>`: a tile (empty bytes for an empty tile).

A tile rendered while a decision commits could hold the old state and be stored after the invalidation deleted
its key. So a tile is stored only if neither counter moved since before it was rendered (one Lua script checks
both and sets the key atomically); otherwise it is served but not cached.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis
from django.db import connections

from tiles.conf import tiles_settings
from tiles.grid import Tile

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

_lock = threading.Lock()
_client: redis.Redis | None = None
_client_url: str | None = None
_scripts: dict[str, Any] = {}  # redis-py Script objects of `_client` (EVALSHA: the script is not resent each time)


@dataclass(frozen=True)
class CacheState:
    """What a cache look-up saw: the counters to store against, and the tile when it was there."""

    generation: str
    sequence: str
    tile: bytes | None


def client() -> redis.Redis | None:
    global _client, _client_url
    url = tiles_settings().cache_url
    if not url:
        return None
    with _lock:
        if _client is None or _client_url != url:
            _client = redis.Redis.from_url(url)
            _client_url = url
            _scripts.clear()
            _scripts.update(fetch=_client.register_script(FETCH_SCRIPT), store=_client.register_script(STORE_SCRIPT))
        return _client


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
    """The cached tile (gzip bytes) and the counters; None when caching is off."""
    redis_client = client()
    if redis_client is None:
        return None
    generation, sequence, value = _scripts["fetch"](
        keys=_counter_keys(layer), args=[f"{namespace(layer)}:", f":{tile.z}:{tile.x}:{tile.y}"], client=redis_client
    )
    return CacheState(generation=generation.decode(), sequence=sequence.decode(), tile=value)


def cache_store(*, layer: str, tile: Tile, state: CacheState, data: bytes) -> bool:
    """Store a rendered tile unless the layer was invalidated since `state` was read; True when stored."""
    redis_client = client()
    if redis_client is None:
        return False
    stored = _scripts["store"](
        keys=_counter_keys(layer),
        args=[
            state.generation,
            state.sequence,
            tile_key(layer, state.generation, tile),
            data,
            tiles_settings().cache_seconds,
        ],
        client=redis_client,
    )
    return bool(stored)


def cache_forget_tiles(*, layer: str, tiles: Iterable[Tile]) -> int:
    """Delete these tiles of the layer's current generation; bump the sequence first (see the module docstring)."""
    redis_client = client()
    if redis_client is None:
        return 0
    generation_key, sequence_key = _counter_keys(layer)
    redis_client.incr(sequence_key)
    generation = _text(redis_client.get(generation_key))
    deleted = 0
    batch: list[str] = []
    for tile in tiles:
        batch.append(tile_key(layer, generation, tile))
        if len(batch) >= DELETE_BATCH:
            deleted += int(redis_client.delete(*batch))
            batch = []
    if batch:
        deleted += int(redis_client.delete(*batch))
    return deleted


def cache_forget_layer(*, layer: str) -> int:
    """Forget every cached tile of the layer: bump its generation. Returns the new generation."""
    redis_client = client()
    if redis_client is None:
        return 0
    return int(redis_client.incr(_counter_keys(layer)[0]))


def layer_version(*, layer: str) -> str:
    """`<generation>.<sequence>`: changes with every invalidation of the layer, whole or partial."""
    redis_client = client()
    if redis_client is None:
        return "0.0"
    generation, sequence = redis_client.mget(_counter_keys(layer))
    return f"{_text(generation)}.{_text(sequence)}"
