"""The measurement maths with known values: a 10 m wall drawn at 1:100, a 6 m x 4 m room, a right angle, and the
geometry checks of an annotation's points."""

import math

import pytest

from permits.plans.geometry import InvalidPlanInput, annotation_points_check
from permits.plans.measure import (
    angle_degrees,
    measurement,
    metres_per_point_calibrated,
    metres_per_point_declared,
    path_length,
    polygon_area,
    polygon_perimeter,
)

MM = 72 / 25.4  # points per millimetre
SCALE_100 = metres_per_point_declared(100)


def value_of(kind: str, points: list[list[float]], metres_per_point: float | None) -> float:
    measured = measurement(kind, points, metres_per_point)
    assert measured is not None
    return float(measured["value"])


def test_a_declared_scale_gives_metres_per_point() -> None:
    assert pytest.approx(100 * 0.0254 / 72) == SCALE_100
    # 10 m at 1:100 is 100 mm of paper
    assert measurement("distance", [[100, 200], [100 + 100 * MM, 200]], SCALE_100) == {
        "kind": "distance",
        "value": pytest.approx(10.0),
        "unit": "m",
    }
    assert metres_per_point_declared(50) == pytest.approx(SCALE_100 / 2)


def test_a_calibration_on_a_known_dimension() -> None:
    scale = metres_per_point_calibrated([0, 0], [300, 400], 25.0)  # 500 points are 25 m
    assert scale == pytest.approx(0.05)
    assert value_of("distance", [[10, 10], [10, 110]], scale) == pytest.approx(5.0)


def test_path_length_area_and_perimeter() -> None:
    room: list[list[float]] = [[0, 0], [60 * MM, 0], [60 * MM, 40 * MM], [0, 40 * MM]]  # 6 m x 4 m at 1:100
    assert polygon_area(room) == pytest.approx((60 * MM) * (40 * MM))
    assert polygon_area(list(reversed(room))) == pytest.approx(polygon_area(room))  # either winding
    area = measurement("area", room, SCALE_100)
    assert area is not None
    assert area["value"] == pytest.approx(24.0) and area["unit"] == "m2"
    assert area["perimeter"] == pytest.approx(20.0)
    assert polygon_perimeter([[0, 0], [3, 0], [3, 4]]) == pytest.approx(12.0)
    assert path_length([[0, 0], [3, 4], [3, 10]]) == pytest.approx(11.0)
    assert value_of("path-length", [[0, 0], [0, 10 * MM], [20 * MM, 10 * MM]], SCALE_100) == pytest.approx(3.0)
    # an L-shaped (concave) room: 6 x 4 minus 2 x 2
    l_room = [[0, 0], [6, 0], [6, 2], [4, 2], [4, 4], [0, 4]]
    assert polygon_area(l_room) == pytest.approx(20.0)


def test_angles_need_no_calibration() -> None:
    assert angle_degrees([10, 0], [0, 0], [0, 10]) == pytest.approx(90.0)
    assert angle_degrees([10, 0], [0, 0], [-10, 0]) == pytest.approx(180.0)
    assert angle_degrees([10, 0], [0, 0], [10, 10]) == pytest.approx(45.0)
    assert angle_degrees([10, -10], [0, 0], [10, 10]) == pytest.approx(90.0)  # across the x axis
    assert measurement("angle", [[10, 0], [0, 0], [0, 10]], None) == {
        "kind": "angle",
        "value": pytest.approx(90.0),
        "unit": "deg",
    }


def test_no_length_without_calibration_and_no_measurement_for_a_mark() -> None:
    assert measurement("distance", [[0, 0], [1, 1]], None) is None
    assert measurement("area", [[0, 0], [1, 0], [1, 1]], None) is None
    assert measurement("rectangle", [[0, 0], [1, 1]], SCALE_100) is None


@pytest.mark.parametrize(
    ("kind", "points", "message"),
    [
        ("line", [[0, 0]], "2 points are expected, not 1"),
        ("polygon", [[0, 0], [1, 1]], "3 to 500 points are expected, not 2"),
        ("angle", [[0, 0], [1, 1], [2, 2], [3, 3]], "3 points are expected, not 4"),
        ("line", [[0, 0], [1]], "point 1 is not a pair of numbers"),
        ("line", [[0, 0], ["a", 1]], "point 1 is not a pair of numbers"),
        ("line", [[0, 0], [True, 1]], "point 1 is not a pair of numbers"),
        ("line", [[0, 0], [math.inf, 1]], "point 1 is not finite"),
        ("line", [[0, 0], [math.nan, 1]], "point 1 is not finite"),
        ("line", [[0, 0], [700, 10]], "point 1 (700, 10) is outside the page"),
        ("line", [[0, -50], [1, 1]], "point 0 (0, -50) is outside the page"),
        ("distance", [[5, 5], [5, 5]], "distinct"),
        ("text", "12,3", "a list of [x, y] points is expected"),
    ],
)
def test_points_are_checked(kind: str, points: object, message: str) -> None:
    with pytest.raises(InvalidPlanInput) as refused:
        annotation_points_check(kind, points, width_pt=595, height_pt=842)
    assert message in refused.value.detail
    assert refused.value.extra["errors"]["points"]


def test_points_a_little_outside_the_page_are_kept() -> None:
    # a cloud may cross the sheet's edge a little (5% of its larger side)
    assert annotation_points_check("line", [[-40, 0], [635, 880]], width_pt=595, height_pt=842) == [
        [-40.0, 0.0],
        [635.0, 880.0],
    ]
