"""Test plans with known geometry, built at run time (nothing binary committed).

`plan_pdf()` is an A1 landscape floor plan at 1:100, drawn as vector lines: a 10.00 m wall, a 6 m x 4 m room
(24 m2), other walls and labels, and a title block giving the scale "1:100". `plan_pdf(version=2)` is the revision
where the 10 m wall moved 1 m north; `offset` shifts the whole drawing on the sheet (a plan re-exported with other
margins). `plan_pdf(pages=50, hatch_bytes=...)` is the bench's large plan: every page carries an incompressible
grey "hatch" image, so 50 pages weigh ~50 MB. `raster_plan_png()` is the same plan scanned as a PNG (its "points"
are pixels at 72 dpi, as the plans contract says).

All coordinates are PDF points of the page (origin at the lower left, y up); `PLAN` holds them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy
from PIL import Image, ImageDraw
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PdfFileWriter

POINTS_PER_MM = 72 / 25.4
SCALE = 100  # 1:100
METRES_PER_POINT = SCALE * 0.0254 / 72
POINTS_PER_METRE = 1 / METRES_PER_POINT  # 28.3465 pt


def metres(value: float) -> float:
    """A length on the ground, in points of the 1:100 sheet."""
    return value * POINTS_PER_METRE


@dataclass(frozen=True)
class PlanGeometry:
    width: float = 841 * POINTS_PER_MM  # A1 landscape
    height: float = 594 * POINTS_PER_MM
    wall_start: tuple[float, float] = (400.0, 1200.0)  # the 10.00 m wall, horizontal
    wall_length_m: float = 10.0
    wall_move_m: float = 1.0  # version 2: the wall is 1 m further north
    room_origin: tuple[float, float] = (400.0, 500.0)  # the 6 m x 4 m room, lower-left corner
    room_size_m: tuple[float, float] = (6.0, 4.0)

    @property
    def wall_end(self) -> tuple[float, float]:
        return (self.wall_start[0] + metres(self.wall_length_m), self.wall_start[1])

    def wall(self, version: int = 1) -> tuple[tuple[float, float], tuple[float, float]]:
        lift = metres(self.wall_move_m) if version >= 2 else 0.0
        (x0, y0), (x1, y1) = self.wall_start, self.wall_end
        return (x0, y0 + lift), (x1, y1 + lift)

    @property
    def room_corners(self) -> list[tuple[float, float]]:
        x, y = self.room_origin
        width, depth = metres(self.room_size_m[0]), metres(self.room_size_m[1])
        return [(x, y), (x + width, y), (x + width, y + depth), (x, y + depth)]


PLAN = PlanGeometry()


def plan_content(*, version: int = 1, offset: tuple[float, float] = (0.0, 0.0), page: int = 1) -> str:
    """The plan's drawing as PDF operators (walls 2 pt wide, thin furniture, Helvetica labels, the title block)."""
    (wall_x0, wall_y0), (wall_x1, wall_y1) = PLAN.wall(version)
    room = PLAN.room_corners
    width = PLAN.width
    lines = [
        "q",
        f"1 0 0 1 {offset[0]:.3f} {offset[1]:.3f} cm",
        "0 G 2 w 0 J",
        f"{wall_x0:.3f} {wall_y0:.3f} m {wall_x1:.3f} {wall_y1:.3f} l S",
        f"{room[0][0]:.3f} {room[0][1]:.3f} m " + " ".join(f"{x:.3f} {y:.3f} l" for x, y in room[1:]) + " h S",
        # a corridor and a second block, unchanged between the versions
        "1400 500 m 1400 1300 l S 1400 1300 m 1900 1300 l S 1900 1300 m 1900 500 l S 1400 500 m 1900 500 l S",
        "0.5 w 1450 550 m 1850 1250 l S 1450 1250 m 1850 550 l S",
        # a door swing in the room
        f"0.5 w {room[0][0] + 40:.3f} {room[0][1]:.3f} m {room[0][0] + 40:.3f} {room[0][1] + 25:.3f} l S",
        "BT /F1 16 Tf 420 620 Td (Sejour 24 m2) Tj ET",
        f"BT /F1 16 Tf 420 {wall_y0 + 12:.3f} Td (Mur 10.00 m) Tj ET",
        # the title block, lower right
        "1 w",
        f"{width - 620:.3f} 60 560 200 re S",
        f"BT /F1 22 Tf {width - 600:.3f} 210 Td (Villa R+1, plan du rez-de-chaussee) Tj ET",
        f"BT /F1 18 Tf {width - 600:.3f} 170 Td (Planche {page}) Tj ET",
        f"BT /F1 28 Tf {width - 600:.3f} 100 Td (Echelle 1:100) Tj ET",
        "Q",
    ]
    return "\n".join(lines)


def _font(writer: PdfFileWriter) -> generic.IndirectObject:
    return writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
                pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
            }
        )
    )


def _hatch_image(writer: PdfFileWriter, *, size_bytes: int, seed: int) -> generic.IndirectObject:
    """A square grey image of random light pixels (incompressible: the file weighs what the bench needs)."""
    side = max(1, int(size_bytes**0.5))
    pixels = numpy.random.default_rng(seed).integers(200, 256, size=(side, side), dtype=numpy.uint8)
    image = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Image"),
            pdf_name("/Width"): generic.NumberObject(side),
            pdf_name("/Height"): generic.NumberObject(side),
            pdf_name("/ColorSpace"): pdf_name("/DeviceGray"),
            pdf_name("/BitsPerComponent"): generic.NumberObject(8),
        },
        stream_data=pixels.tobytes(),
    )
    return writer.add_object(image)


def plan_pdf(
    *,
    version: int = 1,
    pages: int = 1,
    offset: tuple[float, float] = (0.0, 0.0),
    hatch_bytes: int = 0,
    page_size: tuple[float, float] | None = None,
) -> bytes:
    """The floor plan as a PDF of `pages` A1 pages (every page the same plan, its number in the title block);
    `hatch_bytes` > 0 adds to each page a raster hatch image of about that many bytes (uncompressed)."""
    width, height = page_size or (PLAN.width, PLAN.height)
    writer = PdfFileWriter(init_page_tree=True)
    font = _font(writer)
    for number in range(1, pages + 1):
        content = plan_content(version=version, offset=offset, page=number)
        xobjects = generic.DictionaryObject()
        if hatch_bytes:
            xobjects[pdf_name("/Hatch")] = _hatch_image(writer, size_bytes=hatch_bytes, seed=number)
            content = "q 480 0 0 320 1420 520 cm /Hatch Do Q\n" + content
        stream = generic.StreamObject(stream_data=content.encode("latin-1"))
        stream.compress()
        page = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Page"),
                pdf_name("/MediaBox"): generic.ArrayObject(
                    [
                        generic.FloatObject(0),
                        generic.FloatObject(0),
                        generic.FloatObject(width),
                        generic.FloatObject(height),
                    ]
                ),
                pdf_name("/Contents"): writer.add_object(stream),
                pdf_name("/Resources"): generic.DictionaryObject(
                    {
                        pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font}),
                        pdf_name("/XObject"): xobjects,
                    }
                ),
            }
        )
        writer.insert_page(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def raster_plan_png(*, version: int = 1, pixels_per_point: float = 0.5) -> bytes:
    """The plan scanned as a grey PNG, `pixels_per_point` pixels per point of the A1 sheet (y down in the image)."""
    width, height = round(PLAN.width * pixels_per_point), round(PLAN.height * pixels_per_point)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)

    def pixel(point: tuple[float, float]) -> tuple[float, float]:
        return point[0] * pixels_per_point, (PLAN.height - point[1]) * pixels_per_point

    line_width = max(1, round(2 * pixels_per_point))
    draw.line([pixel(point) for point in PLAN.wall(version)], fill=0, width=line_width)
    corners = PLAN.room_corners
    draw.line([pixel(point) for point in [*corners, corners[0]]], fill=0, width=line_width)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()
