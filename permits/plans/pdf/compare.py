"""Where two versions of a plan page differ: `compare_pages` renders both, aligns them, lists the changed regions.

Both pages are rendered by PDFium (pypdfium2) in grey at the same `dpi`, unrotated (the plans contract's
coordinates). The translation between them (a plan re-exported with other margins, or on another sheet size) is
estimated by phase correlation (numpy FFT) on a downscaled copy, then refined at full resolution on the window
holding the most ink. A pixel has changed when it is ink on one page and there is no ink within `tolerance_px` of it
on the other: anti-aliasing and sub-pixel offsets are not changes. Changed pixels are grouped on a grid of
`cell_pt` cells (cells within `gap_cells` join) into connected regions; regions with fewer changed pixels than
`min_area_pt2` are noise. Everything is uint8 or bool (no float64 image): two A1 pages at 150 dpi stay far under
500 MB. The picture shows page b faded, what was removed in red and what was added in blue, each region outlined.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy
import pypdfium2
from PIL import Image

from permits.plans.pdf.errors import UnreadablePlan

INK = 160  # grey levels darker than this are ink
COARSE_SIDE = 512  # the phase correlation's downscaled image fits in this many pixels
WINDOW = 512  # the refinement's full-resolution window
MAX_PIXELS = 40_000_000  # a page rendered larger (A0 at 150 dpi is 35 M) is rendered at a lower dpi
PNG_MAX_SIDE = 2480  # the picture's largest side (A1 at 75 dpi); PNG-encoding a full 150 dpi A1 costs ~1 s


@dataclass(frozen=True)
class Region:
    """A changed region in PDF points of page b (origin at its MediaBox's lower left, y up)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Comparison:
    regions: list[Region]
    diff_png: bytes
    shift: tuple[float, float]  # page a's drawing moved by this lies on page b's (points, x right, y up)
    page_size: tuple[float, float]  # page b, points
    dpi: float
    changed_pixels: int


@dataclass(frozen=True)
class _Raster:
    grey: numpy.ndarray  # uint8, row 0 at the top
    origin: tuple[float, float]  # the rendered box's lower left, in points from the MediaBox's lower left
    size: tuple[float, float]  # the page's MediaBox, points


@contextlib.contextmanager
def _opened(pdf: bytes, page: int) -> Iterator[pypdfium2.PdfPage]:
    """Page `page` (1-based) of `pdf`, open while the block runs."""
    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as error:
        raise UnreadablePlan(f"The file cannot be read as a PDF ({error}).") from error
    try:
        if not 1 <= page <= len(document):
            raise UnreadablePlan(f"The plan has no page {page} (it has {len(document)}).", page=page)
        yield document[page - 1]
    finally:
        document.close()


def _render(handle: pypdfium2.PdfPage, dpi: float) -> _Raster:
    """The page in grey, unrotated, `dpi` pixels per inch."""
    bitmap = handle.render(scale=dpi / 72, grayscale=True, rotation=(360 - handle.get_rotation()) % 360)
    grey = numpy.array(bitmap.to_numpy(), dtype=numpy.uint8).reshape(bitmap.height, bitmap.width)
    media, crop = handle.get_mediabox(), handle.get_cropbox()
    return _Raster(
        grey=grey,
        origin=(crop[0] - media[0], crop[1] - media[1]),
        size=(media[2] - media[0], media[3] - media[1]),
    )


def _padded(image: numpy.ndarray, factor: int, fill: int) -> numpy.ndarray:
    """`image` grown to whole `factor` x `factor` blocks with `fill` (itself when it already fits)."""
    rows, columns = -(-image.shape[0] // factor), -(-image.shape[1] // factor)
    if (rows * factor, columns * factor) == image.shape:
        return image
    padded = numpy.full((rows * factor, columns * factor), fill, dtype=image.dtype)
    padded[: image.shape[0], : image.shape[1]] = image
    return padded


def block_sums(mask: numpy.ndarray, factor: int) -> numpy.ndarray:
    """True pixels per `factor` x `factor` block (int32), the image padded with False to whole blocks. Rows are
    summed first (whole rows added together, vectorised), then the columns of the much smaller result."""
    padded = _padded(mask, factor, 0)
    rows, columns = padded.shape[0] // factor, padded.shape[1] // factor
    down = padded.reshape(rows, factor, padded.shape[1]).sum(axis=1, dtype=numpy.int32)
    return down.reshape(rows, columns, factor).sum(axis=2, dtype=numpy.int32)


def _phase_correlation(fixed: numpy.ndarray, moving: numpy.ndarray) -> tuple[int, int]:
    """The (rows, columns) translation that moves `moving` onto `fixed` (same shapes, float32)."""
    spectrum = numpy.fft.rfft2(fixed) * numpy.conj(numpy.fft.rfft2(moving))
    spectrum /= numpy.maximum(numpy.abs(spectrum), numpy.float32(1e-6))
    correlation = numpy.fft.irfft2(spectrum, s=fixed.shape)
    row, column = numpy.unravel_index(int(numpy.argmax(correlation)), correlation.shape)
    height, width = fixed.shape
    return (
        int(row) - height if row > height // 2 else int(row),
        int(column) - width if column > width // 2 else int(column),
    )


def _placed(ink: numpy.ndarray, shape: tuple[int, int], shift: tuple[int, int]) -> numpy.ndarray:
    """`ink` moved by `shift` (rows, columns) onto a blank canvas of `shape`."""
    canvas = numpy.zeros(shape, dtype=bool)
    row, column = shift
    source = ink[max(0, -row) : max(0, shape[0] - row), max(0, -column) : max(0, shape[1] - column)]
    height = min(source.shape[0], shape[0] - max(0, row))
    width = min(source.shape[1], shape[1] - max(0, column))
    if height > 0 and width > 0:
        canvas[max(0, row) : max(0, row) + height, max(0, column) : max(0, column) + width] = source[:height, :width]
    return canvas


def _common_canvas(ink: numpy.ndarray, shape: tuple[int, int]) -> numpy.ndarray:
    return _placed(ink, shape, (0, 0))


def estimate_shift(ink_a: numpy.ndarray, ink_b: numpy.ndarray) -> tuple[int, int]:
    """The translation (rows, columns) of page a's drawing onto page b, in pixels (both on b's canvas)."""
    factor = max(1, -(-max(ink_b.shape) // COARSE_SIDE))
    coarse_row, coarse_column = _phase_correlation(
        block_sums(ink_b, factor).astype(numpy.float32), block_sums(ink_a, factor).astype(numpy.float32)
    )
    coarse = (coarse_row * factor, coarse_column * factor)
    moved = _placed(ink_a, ink_b.shape, coarse)
    # refine at full resolution on the window of b that holds the most ink
    side = min(WINDOW, *ink_b.shape)
    counts = block_sums(ink_b[: ink_b.shape[0] - side + side // 2, : ink_b.shape[1] - side + side // 2], side // 2)
    block_row, block_column = numpy.unravel_index(int(numpy.argmax(counts)), counts.shape)
    top = min(int(block_row) * (side // 2), ink_b.shape[0] - side)
    left = min(int(block_column) * (side // 2), ink_b.shape[1] - side)
    window = (slice(top, top + side), slice(left, left + side))
    fine = _phase_correlation(ink_b[window].astype(numpy.float32), moved[window].astype(numpy.float32))
    if abs(fine[0]) > 2 * factor or abs(fine[1]) > 2 * factor:  # an empty or repetitive window: keep the coarse one
        fine = (0, 0)
    return coarse[0] + fine[0], coarse[1] + fine[1]


def dilate(mask: numpy.ndarray, radius: int) -> numpy.ndarray:
    """Binary dilation by a (2 radius + 1) square, separable, with shifted ORs (no scipy)."""
    if radius <= 0:
        return mask
    grown = mask.copy()
    for step in range(1, radius + 1):
        grown[step:, :] |= mask[:-step, :]
        grown[:-step, :] |= mask[step:, :]
    rows = grown.copy()
    for step in range(1, radius + 1):
        grown[:, step:] |= rows[:, :-step]
        grown[:, :-step] |= rows[:, step:]
    return grown


def connected_regions(counts: numpy.ndarray, *, gap: int) -> list[tuple[int, int, int, int, int]]:
    """Groups of non-empty cells within `gap` cells of each other: (row0, col0, row1, col1, changed pixels) each,
    bounds inclusive. A breadth-first walk over the non-empty cells only (few, on a grid of ~10^5 cells)."""
    occupied = {(int(row), int(column)) for row, column in zip(*numpy.nonzero(counts), strict=True)}
    regions = []
    while occupied:
        start = occupied.pop()
        queue = deque([start])
        row0, column0, row1, column1 = start[0], start[1], start[0], start[1]
        total = 0
        while queue:
            row, column = queue.popleft()
            total += int(counts[row, column])
            row0, row1, column0, column1 = min(row0, row), max(row1, row), min(column0, column), max(column1, column)
            for near_row in range(row - gap, row + gap + 1):
                for near_column in range(column - gap, column + gap + 1):
                    if (near_row, near_column) in occupied:
                        occupied.discard((near_row, near_column))
                        queue.append((near_row, near_column))
        regions.append((row0, column0, row1, column1, total))
    return sorted(regions)


def _darkest(grey: numpy.ndarray, step: int) -> numpy.ndarray:
    """`grey` downscaled by `step`, each pixel the darkest of its block: thin lines survive the reduction."""
    padded = _padded(grey, step, 255)
    rows, columns = padded.shape[0] // step, padded.shape[1] // step
    down = padded.reshape(rows, step, padded.shape[1]).min(axis=1)
    return down.reshape(rows, columns, step).min(axis=2)


def _picture(
    grey_b: numpy.ndarray, removed: numpy.ndarray, added: numpy.ndarray, boxes: list[tuple[int, int, int, int]]
) -> bytes:
    """Page b faded, removed ink in red, added ink in blue, regions outlined in orange; at most PNG_MAX_SIDE."""
    step = max(1, -(-max(grey_b.shape) // PNG_MAX_SIDE))
    faded = (_darkest(grey_b, step) // 2 + 128).astype(numpy.uint8)  # black lines become mid grey
    rgb = numpy.repeat(faded[:, :, None], 3, axis=2)
    shown_removed = block_sums(removed, step) > 0
    shown_added = block_sums(added, step) > 0
    rgb[shown_removed] = (220, 38, 38)
    rgb[shown_added] = (37, 99, 235)
    for top, left, bottom, right in boxes:
        top, left, bottom, right = (
            top // step,
            left // step,
            min(bottom // step, rgb.shape[0] - 1),
            min(right // step, rgb.shape[1] - 1),
        )
        for edge in (
            rgb[top : bottom + 1, left],
            rgb[top : bottom + 1, right],
            rgb[top, left : right + 1],
            rgb[bottom, left : right + 1],
        ):
            edge[...] = (234, 88, 12)
    output = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(output, format="PNG", compress_level=1)
    return output.getvalue()


def compare_pages(
    pdf_a: bytes,
    page_a: int,
    pdf_b: bytes,
    page_b: int,
    dpi: float = 150,
    *,
    tolerance_px: int = 2,
    cell_pt: float = 8.0,
    gap_cells: int = 1,
    min_area_pt2: float = 4.0,
    max_pixels: int = MAX_PIXELS,
) -> Comparison:
    """Compare page `page_a` of `pdf_a` (the older version) with page `page_b` of `pdf_b` (the newer one), both
    rendered at `dpi`, lowered so that the larger page stays within `max_pixels` (the comparison's `dpi`)."""
    with _opened(pdf_a, page_a) as handle_a, _opened(pdf_b, page_b) as handle_b:
        largest = max(width * height for width, height in (handle_a.get_size(), handle_b.get_size()))
        dpi = min(dpi, 0.995 * 72 * math.sqrt(max_pixels / max(largest, 1.0)))  # 0.5%: whole pixels round up
        raster_b = _render(handle_b, dpi)
        ink_b = raster_b.grey < INK
        raster_a = _render(handle_a, dpi)
        ink_a = _common_canvas(raster_a.grey < INK, ink_b.shape)
        origin_a, height_a = raster_a.origin, raster_a.grey.shape[0]
        del raster_a
    shift = estimate_shift(ink_a, ink_b)
    ink_a = _placed(ink_a, ink_b.shape, shift)
    removed = ink_a & ~dilate(ink_b, tolerance_px)
    added = ink_b & ~dilate(ink_a, tolerance_px)
    del ink_a, ink_b
    cell_px = max(1, round(cell_pt * dpi / 72))
    counts = block_sums(removed | added, cell_px)
    scale = dpi / 72
    min_pixels = min_area_pt2 * scale * scale
    height_px = raster_b.grey.shape[0]
    regions: list[Region] = []
    boxes: list[tuple[int, int, int, int]] = []
    for row0, column0, row1, column1, total in connected_regions(counts, gap=gap_cells):
        if total < min_pixels:
            continue
        top, left = row0 * cell_px, column0 * cell_px
        bottom, right = min((row1 + 1) * cell_px, height_px), min((column1 + 1) * cell_px, raster_b.grey.shape[1])
        boxes.append((top, left, bottom - 1, right - 1))
        regions.append(
            Region(
                x=raster_b.origin[0] + left / scale,
                y=raster_b.origin[1] + (height_px - bottom) / scale,
                width=(right - left) / scale,
                height=(bottom - top) / scale,
            )
        )
    return Comparison(
        regions=regions,
        diff_png=_picture(raster_b.grey, removed, added, boxes),
        shift=(
            raster_b.origin[0] - origin_a[0] + shift[1] / scale,
            raster_b.origin[1] - origin_a[1] + (height_px - height_a - shift[0]) / scale,
        ),
        page_size=raster_b.size,
        dpi=dpi,
        changed_pixels=int(counts.sum()),
    )
