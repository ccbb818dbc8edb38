"""The tiles' settings, read from Django settings (themselves read from the environment), with defaults."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class TilesSettings:
    cache_url: str  # Redis URL of the tile cache; empty disables caching
    cache_seconds: int  # lifetime of a cached tile (invalidation makes it correct; this bounds the memory)
    extent: int  # MVT tile extent (coordinates per tile side)
    buffer: int  # MVT buffer around the tile, in tile coordinates
    gzip_level: int
    reader_alias: str  # Django database alias of the read-only role, when configured
    reader_user: str  # else: the role a connection of our own logs in as


def tiles_settings() -> TilesSettings:
    return TilesSettings(
        cache_url=getattr(settings, "TILES_CACHE_URL", getattr(settings, "REDIS_URL", "")),
        cache_seconds=int(getattr(settings, "TILES_CACHE_SECONDS", 7 * 24 * 3600)),
        extent=int(getattr(settings, "TILES_EXTENT", 4096)),
        buffer=int(getattr(settings, "TILES_BUFFER", 64)),
        gzip_level=int(getattr(settings, "TILES_GZIP_LEVEL", 6)),
        reader_alias=str(getattr(settings, "TILES_READER_ALIAS", "geoportal")),
        reader_user=str(getattr(settings, "TILES_READER_USER", "geoportal_reader")),
    )
