"""The tiles' settings, as `config.settings` reads them from the environment (the one place of their defaults)."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class TilesSettings:
    cache_url: str  # Redis URL of the tile cache; empty disables caching
    cache_seconds: int  # lifetime of a cached tile (invalidation makes it correct; this bounds the memory)
    cache_connect_timeout: float  # seconds a Redis client waits to connect, then serves without the cache
    cache_timeout: float  # seconds it waits for an answer
    cache_retry_after: float  # after a failure, seconds the cache is not tried (`gis_core.circuit`)
    extent: int  # MVT tile extent (coordinates per tile side)
    buffer: int  # MVT buffer around the tile, in tile coordinates
    gzip_level: int
    reader_alias: str  # Django database alias of the read-only role, when configured
    reader_user: str  # else: the role a connection of our own logs in as


def tiles_settings() -> TilesSettings:
    return TilesSettings(
        cache_url=settings.TILES_CACHE_URL,
        cache_seconds=settings.TILES_CACHE_SECONDS,
        cache_connect_timeout=settings.TILES_CACHE_CONNECT_TIMEOUT_MS / 1000,
        cache_timeout=settings.TILES_CACHE_TIMEOUT_MS / 1000,
        cache_retry_after=float(settings.TILES_CACHE_RETRY_AFTER_SECONDS),
        extent=settings.TILES_EXTENT,
        buffer=settings.TILES_BUFFER,
        gzip_level=settings.TILES_GZIP_LEVEL,
        reader_alias=settings.TILES_READER_ALIAS,
        reader_user=settings.TILES_READER_USER,
    )
