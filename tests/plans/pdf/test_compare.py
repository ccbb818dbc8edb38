"""The revision comparison on plans of known geometry: the wall that moved is found, nothing else."""

from __future__ import annotations

import io

import numpy
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from permits.plans.pdf.compare import Comparison, Region, compare_pages
from permits.plans.pdf.errors import UnreadablePlan
from tests.plans.plan_files import PLAN, plan_pdf

RED, BLUE = (220, 38, 38), (37, 99, 235)


def contains(region: Region, x: float, y: float) -> bool:
    return region.x <= x <= region.x + region.width and region.y <= y <= region.y + region.height


def wall_band(shift: tuple[float, float] = (0.0, 0.0)) -> Region:
    """Where the wall and its label lie in either version (a few points around them)."""
    (x0, y0), (x1, _) = PLAN.wall(1)
    _, (_, y2) = PLAN.wall(2)
    return Region(x=x0 - 10 + shift[0], y=y0 - 10 + shift[1], width=x1 - x0 + 20, height=y2 - y0 + 50)


def inside(region: Region, band: Region) -> bool:
    return (
        band.x <= region.x
        and region.x + region.width <= band.x + band.width
        and band.y <= region.y
        and region.y + region.height <= band.y + band.height
    )


def picture_colour_at(comparison: Comparison, x: float, y: float) -> set[tuple[int, ...]]:
    """The colours of the picture within 3 px of the page point (x, y)."""
    image = numpy.asarray(Image.open(io.BytesIO(comparison.diff_png)).convert("RGB"))
    scale = image.shape[1] / comparison.page_size[0]
    column, row = round(x * scale), round((comparison.page_size[1] - y) * scale)
    patch = image[row - 3 : row + 4, column - 3 : column + 4].reshape(-1, 3)
    return {tuple(int(value) for value in pixel) for pixel in patch}


def test_the_moved_wall_is_the_only_change() -> None:
    comparison = compare_pages(plan_pdf(version=1), 1, plan_pdf(version=2), 1)

    (x0, old_y), (x1, _) = PLAN.wall(1)
    _, (_, new_y) = PLAN.wall(2)
    middle = (x0 + x1) / 2
    assert comparison.regions, "the moved wall is not found"
    assert any(contains(region, middle, old_y) for region in comparison.regions)  # where the wall was
    assert any(contains(region, middle, new_y) for region in comparison.regions)  # where it is now
    assert all(inside(region, wall_band()) for region in comparison.regions), comparison.regions
    assert comparison.shift == (0.0, 0.0)
    # removed in red where the wall was, added in blue where it is now; the room, unchanged, is neither
    assert RED in picture_colour_at(comparison, middle, old_y)
    assert BLUE in picture_colour_at(comparison, middle, new_y)
    room_x, room_y = PLAN.room_corners[0]
    assert not {RED, BLUE} & picture_colour_at(comparison, room_x + 50, room_y)


def test_identical_pages_have_no_region() -> None:
    plan = plan_pdf(version=2)
    comparison = compare_pages(plan, 1, plan, 1)

    assert comparison.regions == [] and comparison.changed_pixels == 0


def test_a_revision_on_another_sheet_with_other_margins_is_aligned() -> None:
    """Version 2 re-exported on a larger sheet with its drawing moved: the offset is found, only the wall differs."""
    offset = (7.3, -4.1)
    revised = plan_pdf(version=2, offset=offset, page_size=(PLAN.width + 60, PLAN.height + 40))
    comparison = compare_pages(plan_pdf(version=1), 1, revised, 1)

    pixel = 72 / comparison.dpi
    assert abs(comparison.shift[0] - offset[0]) <= pixel and abs(comparison.shift[1] - offset[1]) <= pixel
    assert comparison.regions and all(inside(region, wall_band(offset)) for region in comparison.regions)
    assert comparison.page_size == pytest.approx((PLAN.width + 60, PLAN.height + 40), abs=0.01)


def test_a_rotated_page_is_compared_in_unrotated_coordinates() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plan_pdf(version=2))))
    writer.pages[0].rotate(90)
    rotated = io.BytesIO()
    writer.write(rotated)

    comparison = compare_pages(plan_pdf(version=1), 1, rotated.getvalue(), 1)

    assert comparison.page_size == pytest.approx((PLAN.width, PLAN.height), abs=0.01)
    assert comparison.regions and all(inside(region, wall_band()) for region in comparison.regions)


def test_a_second_page_is_compared_with_the_first() -> None:
    comparison = compare_pages(plan_pdf(version=1), 1, plan_pdf(version=1, pages=2), 2)

    # only the sheet number of the title block differs ("Planche 1" / "Planche 2")
    assert len(comparison.regions) == 1
    region = comparison.regions[0]
    assert region.x > PLAN.width - 620 and region.y < 260


def test_a_missing_page_or_a_file_that_is_not_a_pdf_is_a_clear_error() -> None:
    with pytest.raises(UnreadablePlan, match="no page 3"):
        compare_pages(plan_pdf(), 3, plan_pdf(), 1)
    with pytest.raises(UnreadablePlan, match="cannot be read"):
        compare_pages(plan_pdf(), 1, b"%PDF-1.7 not really", 1)


def test_a_page_too_large_for_the_pixel_budget_is_compared_at_a_lower_resolution() -> None:
    comparison = compare_pages(plan_pdf(version=1), 1, plan_pdf(version=2), 1, dpi=150, max_pixels=2_000_000)

    assert comparison.dpi == pytest.approx(72 * (2_000_000 / (PLAN.width * PLAN.height)) ** 0.5, rel=0.01)  # ~51 dpi
    image = Image.open(io.BytesIO(comparison.diff_png))
    assert image.size[0] * image.size[1] <= 2_000_000
    assert comparison.regions and all(inside(region, wall_band()) for region in comparison.regions)
