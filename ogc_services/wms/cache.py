"""Tile-cache invalidation of the WMS/WMTS: remove the cached tiles of one layer over a bbox, on every grid.

MapProxy's own configuration objects give the grids and the file-cache layout, so the tiles removed are
exactly those MapProxy would serve. The bbox is grown by one tile at each level (metatile buffers and symbol
overflow draw a feature on neighbouring tiles too). A level where the bbox covers more than `MAX_TILES_PER_LEVEL`
tiles is dropped whole: over-invalidation costs a re-render, a stale tile would show an outdated map.
"""

import logging
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.contrib.gis.db.models import Extent

from ogc_services.wms.configuration import configuration_ensure
from ogc_services.wms.mapproxy_config import cache_name

logger = logging.getLogger(__name__)

MAX_TILES_PER_LEVEL = 4096
BBox = tuple[float, float, float, float]

_lock = threading.Lock()
_loaded: dict[str, tuple[int, Any]] = {}


def _proxy_configuration() -> Any:
    from mapproxy.config.loader import load_configuration

    config = configuration_ensure()
    path = str(config.mapproxy_config)
    version = config.mapproxy_config.stat().st_mtime_ns
    with _lock:
        cached = _loaded.get(path)
        if cached is None or cached[0] != version:
            cached = (version, load_configuration(path))
            _loaded[path] = cached
        return cached[1]


def wms_cache_invalidate(layer: str, bbox: Sequence[float], *, srs: int = 4326) -> int:
    """Remove the cached tiles of `layer` that intersect `bbox` (in EPSG:`srs`); return how many were removed."""
    from mapproxy.cache.tile import Tile
    from mapproxy.grid import GridError, NoTiles
    from mapproxy.srs import SRS

    proxy = _proxy_configuration()
    cache_configuration = proxy.caches.get(cache_name(layer))
    if cache_configuration is None:
        raise KeyError(f"no WMS cache for layer {layer!r}")
    removed = 0
    for grid, _extent, manager in cache_configuration.caches():
        file_cache = manager.cache
        try:
            grid_bbox = SRS(srs).transform_bbox_to(grid.srs, tuple(bbox))
        except Exception:  # pyproj raises several types for a bbox outside the grid's projection domain
            logger.warning("bbox %s not transformable to %s: dropping the whole %s cache", bbox, grid.srs, layer)
            removed += _remove_directory(Path(file_cache.cache_dir))
            continue
        for level in range(grid.levels):
            try:
                _, (columns, rows), _ = grid.get_affected_level_tiles(grid_bbox, level)
            except (GridError, NoTiles, IndexError):
                continue
            if (columns + 2) * (rows + 2) > MAX_TILES_PER_LEVEL:
                removed += _remove_directory(Path(file_cache.level_location(level)))
                continue
            for coord in _grown_coords(grid, grid_bbox, level):
                location = Path(file_cache.tile_location(Tile(coord)))
                if location.exists():
                    file_cache.remove_tile(Tile(coord))
                    removed += 1
    return removed


def _grown_coords(grid: Any, bbox: BBox, level: int) -> list[tuple[int, int, int]]:
    _, _, coords = grid.get_affected_level_tiles(bbox, level)
    tiles = [coord for coord in coords if coord is not None]
    if not tiles:
        return []
    xs = [x for x, _, _ in tiles]
    ys = [y for _, y, _ in tiles]
    columns, rows = grid.grid_sizes[level]
    return [
        (x, y, level)
        for x in range(max(min(xs) - 1, 0), min(max(xs) + 1, columns - 1) + 1)
        for y in range(max(min(ys) - 1, 0), min(max(ys) + 1, rows - 1) + 1)
    ]


def _remove_directory(path: Path) -> int:
    if not path.is_dir():
        return 0
    count = sum(1 for _ in path.rglob("*.png"))
    shutil.rmtree(path, ignore_errors=True)
    return count


def wms_cache_clear(layer: str | None = None) -> None:
    """Drop the whole tile cache (of one layer): for a re-styling or a bulk import."""
    proxy = _proxy_configuration()
    names = [cache_name(layer)] if layer else list(proxy.caches)
    for name in names:
        for _grid, _extent, manager in proxy.caches[name].caches():
            _remove_directory(Path(manager.cache.cache_dir))


def dossier_footprint_extent(*, dossier_id: int) -> BBox | None:
    """The lon/lat extent of a file's footprint (None when it has none)."""
    from permits.models import Dossier

    extent = Dossier.objects.filter(pk=dossier_id).aggregate(extent=Extent("footprint"))["extent"]
    return tuple(extent) if extent else None
