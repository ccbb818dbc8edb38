"""The maths of the measurement tools, pure functions on points in PDF user space (1 pt = 1/72 in).

A page's scale is `metres_per_point`: declared (1:N, `metres_per_point_declared`) or calibrated on a known
dimension (`metres_per_point_calibrated`). `measurement` gives what the server stores for an annotation of a
measuring kind; the client's own value is never trusted.
"""

import math
from collections.abc import Sequence
from typing import Any

type Point = Sequence[float]

METRES_PER_INCH = 0.0254
POINTS_PER_INCH = 72.0


def distance(first: Point, second: Point) -> float:
    """Euclidean distance between two points, in points."""
    return math.hypot(second[0] - first[0], second[1] - first[1])


def path_length(points: Sequence[Point]) -> float:
    """Length of the open polyline through `points`, in points."""
    return sum(distance(points[index], points[index + 1]) for index in range(len(points) - 1))


def polygon_area(points: Sequence[Point]) -> float:
    """Area of the simple polygon `points` (closed implicitly), in square points (shoelace formula)."""
    twice = 0.0
    for index, (x, y) in enumerate(points):
        next_x, next_y = points[(index + 1) % len(points)]
        twice += x * next_y - next_x * y
    return abs(twice) / 2.0


def polygon_perimeter(points: Sequence[Point]) -> float:
    """Perimeter of the polygon `points` (closed implicitly), in points."""
    return path_length([*points, points[0]])


def angle_degrees(first: Point, vertex: Point, second: Point) -> float:
    """The angle first-vertex-second in degrees, between 0 and 180."""
    heading_first = math.atan2(first[1] - vertex[1], first[0] - vertex[0])
    heading_second = math.atan2(second[1] - vertex[1], second[0] - vertex[0])
    degrees = abs(math.degrees(heading_first - heading_second)) % 360.0
    return 360.0 - degrees if degrees > 180.0 else degrees


def metres_per_point_declared(scale_denominator: int) -> float:
    """A plan drawn at 1:N: one point of paper (1/72 in) is N/72 inches on the ground."""
    return scale_denominator * METRES_PER_INCH / POINTS_PER_INCH


def metres_per_point_calibrated(first: Point, second: Point, length_m: float) -> float:
    """A dimension of `length_m` metres drawn from `first` to `second`."""
    return length_m / distance(first, second)


def measurement(kind: str, points: Sequence[Point], metres_per_point: float | None) -> dict[str, Any] | None:
    """What an annotation of a measuring kind measures: `{kind, value, unit}` (+ `perimeter` in m for an area);
    None for the other kinds, and for a length or an area on a page without calibration (an angle needs none)."""
    if kind == "angle":
        return {"kind": kind, "value": angle_degrees(points[0], points[1], points[2]), "unit": "deg"}
    if metres_per_point is None:
        return None
    if kind == "distance":
        return {"kind": kind, "value": distance(points[0], points[1]) * metres_per_point, "unit": "m"}
    if kind == "path-length":
        return {"kind": kind, "value": path_length(points) * metres_per_point, "unit": "m"}
    if kind == "area":
        return {
            "kind": kind,
            "value": polygon_area(points) * metres_per_point**2,
            "unit": "m2",
            "perimeter": polygon_perimeter(points) * metres_per_point,
        }
    return None
