"""The checks of an annotation's (or a calibration's) points before anything is stored: a list of [x, y] pairs of
finite numbers, inside the page box widened by a margin, as many as the kind needs. Raise `InvalidPlanInput` (400)
naming the field; the client's geometry is never stored unchecked.
"""

import math
from collections.abc import Sequence
from typing import Any

from permits.errors import InvalidDossier

#: (fewest, most) points per annotation kind.
POINT_COUNTS: dict[str, tuple[int, int]] = {
    "cloud": (3, 500),
    "rectangle": (2, 2),
    "arrow": (2, 2),
    "line": (2, 2),
    "polyline": (2, 500),
    "polygon": (3, 500),
    "text": (1, 1),
    "stamp": (1, 1),
    "distance": (2, 2),
    "path-length": (2, 500),
    "area": (3, 500),
    "angle": (3, 3),
}
#: How far outside the page a point may lie, as a share of the page's larger side (a cloud drawn over the edge).
MARGIN_SHARE = 0.05


class InvalidPlanInput(InvalidDossier):
    """An annotation or a calibration whose input cannot be stored (400, with the field's errors)."""


def _refused(field: str, message: str) -> InvalidPlanInput:
    return InvalidPlanInput(f"{field}: {message}", errors={field: [message]})


def points_check(
    points: Any, *, width_pt: float, height_pt: float, fewest: int, most: int, field: str = "points"
) -> list[list[float]]:
    """`points` as a list of [x, y] floats when each pair is finite and inside the page box (with the margin),
    and there are between `fewest` and `most` of them; `InvalidPlanInput` otherwise."""
    if not isinstance(points, list | tuple):
        raise _refused(field, "a list of [x, y] points is expected")
    if not fewest <= len(points) <= most:
        expected = str(fewest) if fewest == most else f"{fewest} to {most}"
        raise _refused(field, f"{expected} points are expected, not {len(points)}")
    margin = MARGIN_SHARE * max(width_pt, height_pt)
    checked: list[list[float]] = []
    for index, point in enumerate(points):
        if (
            not isinstance(point, list | tuple)
            or len(point) != 2
            or not all(isinstance(value, int | float) and not isinstance(value, bool) for value in point)
        ):
            raise _refused(field, f"point {index} is not a pair of numbers [x, y]")
        x, y = float(point[0]), float(point[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            raise _refused(field, f"point {index} is not finite")
        if not (-margin <= x <= width_pt + margin and -margin <= y <= height_pt + margin):
            raise _refused(
                field, f"point {index} ({x:g}, {y:g}) is outside the page ({width_pt:g} x {height_pt:g} points)"
            )
        checked.append([x, y])
    return checked


def annotation_points_check(kind: str, points: Any, *, width_pt: float, height_pt: float) -> list[list[float]]:
    """The points of an annotation of `kind`, checked (see `points_check`); an area must not be flat."""
    fewest, most = POINT_COUNTS[kind]
    checked = points_check(points, width_pt=width_pt, height_pt=height_pt, fewest=fewest, most=most)
    if kind in {"distance", "angle"} and _has_repeats(checked, kind):
        raise _refused("points", "the points of a measurement must be distinct")
    return checked


def _has_repeats(points: Sequence[Sequence[float]], kind: str) -> bool:
    if kind == "distance":
        return points[0] == points[1]
    return points[0] == points[1] or points[1] == points[2]
