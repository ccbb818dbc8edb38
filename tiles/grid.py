"""Web Mercator tile arithmetic (the XYZ scheme of MVT, TileJSON and MapLibre): validation and tile ranges."""

import math
from collections.abc import Iterator
from dataclasses import dataclass

MAX_ZOOM = 24
WORLD_SIZE_M = 2 * math.pi * 6378137.0  # side of the Web Mercator square, metres
DISPLAY_TILE_PIXELS = 512  # MapLibre draws a vector tile over 512 CSS pixels


@dataclass(frozen=True, order=True)
class Tile:
    z: int
    x: int
    y: int


class TileOutOfRange(ValueError):
    """z, x or y outside the tile matrix."""


def tile_check(z: int, x: int, y: int) -> Tile:
    if not 0 <= z <= MAX_ZOOM:
        raise TileOutOfRange(f"zoom {z} is outside 0-{MAX_ZOOM}")
    side = 1 << z
    if not (0 <= x < side and 0 <= y < side):
        raise TileOutOfRange(f"tile {x}/{y} is outside the {side}x{side} matrix of zoom {z}")
    return Tile(z, x, y)


def pixel_size(z: int) -> float:
    """Size of one display pixel at zoom z, in Web Mercator units."""
    return WORLD_SIZE_M / (1 << z) / DISPLAY_TILE_PIXELS


def _tile_fraction(lon: float, lat: float, z: int) -> tuple[float, float]:
    lat = max(min(lat, 85.0511287798066), -85.0511287798066)
    side = 1 << z
    x = (lon + 180.0) / 360.0 * side
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * side
    return x, y


def tiles_touching(bbox: tuple[float, float, float, float], zooms: range, margin: float = 0.0) -> Iterator[Tile]:
    """Every tile whose area, widened by `margin` (a fraction of a tile: the MVT buffer), meets the lon/lat box."""
    west, south, east, north = bbox
    for z in zooms:
        side = 1 << z
        x_min, y_min = _tile_fraction(west, north, z)
        x_max, y_max = _tile_fraction(east, south, z)
        for x in range(max(0, math.floor(x_min - margin)), min(side - 1, math.floor(x_max + margin)) + 1):
            for y in range(max(0, math.floor(y_min - margin)), min(side - 1, math.floor(y_max + margin)) + 1):
                yield Tile(z, x, y)
