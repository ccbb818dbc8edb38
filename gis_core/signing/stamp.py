"""Visible stamps: on every page, a QR code to the public verification page and a short bilingual text.

The stamp ("Plan autorisé" / "مخطط مرخص" for plans, "Procès-verbal signé" / "محضر موقع" for minutes...,
the file reference and the date) is one Form XObject shared by all pages, painted in the bottom-right corner
with a link annotation to the same URL. Text is shaped by HarfBuzz (Arabic joined and right-to-left) and drawn as
glyph OUTLINES taken from a TrueType font (`SIGNING_STAMP_FONT`, DejaVu Sans by default): no font embedding, so
every viewer and rasteriser shows the same thing. The QR code is drawn as filled squares (vector, any zoom).
The stamp is added in one incremental update BEFORE any signature: stamping a signed PDF would invalidate its
signatures, so it is refused.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import qrcode
import uharfbuzz
from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from gis_core.signing.errors import SigningError

STAMP_WIDTH = 220.0
STAMP_HEIGHT = 74.0
MARGIN = 16.0
PADDING = 5.0
FONT_SIZE = 9.5
LINE_GAP = 1.25

TITLES = {
    "plan": ("Plan autorisé", "مخطط مرخص"),
    "minutes": ("Procès-verbal signé", "محضر موقع"),
    "decision": ("Décision signée", "قرار موقع"),
    "other": ("Document signé", "وثيقة موقعة"),
}


class AlreadySigned(SigningError):
    status = 409
    title = "Already signed"


@dataclass(frozen=True)
class StampText:
    purpose: str
    reference: str
    date: str  # already formatted (e.g. 2026-11-29)

    def lines(self) -> list[str]:
        french, arabic = TITLES.get(self.purpose, TITLES["other"])
        return [french, arabic, f"Réf. {self.reference}", self.date]


class _PdfPathPen(BasePen):
    """fontTools pen writing PDF path operators (quadratic curves become cubic ones in BasePen)."""

    def __init__(self, glyph_set: object) -> None:
        super().__init__(glyphSet=glyph_set)  # composite glyphs (accented letters) draw their components
        self.commands: list[str] = []

    def _moveTo(self, pt: tuple[float, float]) -> None:
        self.commands.append(f"{pt[0]:g} {pt[1]:g} m")

    def _lineTo(self, pt: tuple[float, float]) -> None:
        self.commands.append(f"{pt[0]:g} {pt[1]:g} l")

    def _curveToOne(self, pt1: tuple[float, float], pt2: tuple[float, float], pt3: tuple[float, float]) -> None:
        self.commands.append(f"{pt1[0]:g} {pt1[1]:g} {pt2[0]:g} {pt2[1]:g} {pt3[0]:g} {pt3[1]:g} c")

    def _closePath(self) -> None:
        self.commands.append("h")


class OutlineFont:
    """A TrueType font for shaping (HarfBuzz) and glyph outlines (fontTools), in font units."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as handle:
            blob = handle.read()
        self.hb_font = uharfbuzz.Font(uharfbuzz.Face(blob))
        self.tt_font = TTFont(io.BytesIO(blob), lazy=True)
        self.units_per_em = int(self.tt_font["head"].unitsPerEm)
        self.glyph_order = self.tt_font.getGlyphOrder()
        self.glyph_set = self.tt_font.getGlyphSet()
        self._paths: dict[int, str] = {}

    def glyph_path(self, glyph_id: int) -> str:
        if glyph_id not in self._paths:
            pen = _PdfPathPen(self.glyph_set)
            self.glyph_set[self.glyph_order[glyph_id]].draw(pen)
            self._paths[glyph_id] = " ".join(pen.commands)
        return self._paths[glyph_id]

    def line_commands(self, line: str, *, x: float, y: float, size: float) -> tuple[list[str], float]:
        """PDF operators drawing `line` (shaped, in visual order) from (x, y) at `size`; and its width in points."""
        buffer = uharfbuzz.Buffer()
        buffer.add_str(line)
        buffer.guess_segment_properties()
        uharfbuzz.shape(self.hb_font, buffer, {})
        scale = size / self.units_per_em
        commands: list[str] = []
        pen_x = 0.0
        for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
            path = self.glyph_path(info.codepoint)
            if path:
                origin_x = x + (pen_x + position.x_offset) * scale
                origin_y = y + position.y_offset * scale
                commands.append(f"q {scale:g} 0 0 {scale:g} {origin_x:.2f} {origin_y:.2f} cm {path} f Q")
            pen_x += position.x_advance
        return commands, pen_x * scale


@functools.cache
def outline_font(path: str) -> OutlineFont:
    return OutlineFont(path)


def qr_commands(url: str, *, x: float, y: float, size: float) -> list[str]:
    """A QR code of `url` (error correction M) as filled squares in a `size` square at (x, y)."""
    code = qrcode.QRCode(error_correction=qrcode.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    squares = [
        f"{x + column * module:.3f} {y + size - (row + 1) * module:.3f} {module:.3f} {module:.3f} re"
        for row, cells in enumerate(matrix)
        for column, dark in enumerate(cells)
        if dark
    ]
    return ["0 g", *squares, "f"]


def stamp_content(url: str, label: StampText, font_path: str) -> bytes:
    """The stamp's drawing, in a (STAMP_WIDTH x STAMP_HEIGHT) box with its origin at the bottom left."""
    font = outline_font(font_path)
    qr_size = STAMP_HEIGHT - 2 * PADDING
    commands = ["q", "1 g", f"0 0 {STAMP_WIDTH:g} {STAMP_HEIGHT:g} re f", "0 G 0.8 w"]
    commands.append(f"0.4 0.4 {STAMP_WIDTH - 0.8:g} {STAMP_HEIGHT - 0.8:g} re S")
    commands += qr_commands(url, x=PADDING, y=PADDING, size=qr_size)
    text_x = 2 * PADDING + qr_size
    lines = label.lines()
    line_height = FONT_SIZE * LINE_GAP
    top = (STAMP_HEIGHT + line_height * len(lines)) / 2 - FONT_SIZE
    commands.append("0 g")
    for number, line in enumerate(lines):
        size = FONT_SIZE + (1.5 if number < 2 else 0)
        drawn, _width = font.line_commands(line, x=text_x, y=top - number * line_height, size=size)
        commands += drawn
    commands.append("Q")
    return "\n".join(commands).encode("ascii")


def stamp_pdf(data: bytes, *, url: str, label: StampText, font_path: str) -> bytes:
    """Add the stamp (QR code of `url` + `label`) to the bottom-right corner of every page; returns the new PDF."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    if any(True for _ in fields.enumerate_sig_fields(writer.prev, filled_status=True)):
        raise AlreadySigned("A signed document cannot be stamped any more: stamp it before the first signature.")
    form = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(
                [
                    generic.FloatObject(0),
                    generic.FloatObject(0),
                    generic.FloatObject(STAMP_WIDTH),
                    generic.FloatObject(STAMP_HEIGHT),
                ]
            ),
            pdf_name("/Resources"): generic.DictionaryObject(),
        },
        stream_data=stamp_content(url, label, font_path),
    )
    form.compress()
    form_ref = writer.add_object(form)
    save_ref = writer.add_object(generic.StreamObject(stream_data=b"q"))
    restore_ref = writer.add_object(generic.StreamObject(stream_data=b"Q"))
    for index in range(int(writer.root["/Pages"]["/Count"])):
        page_ref = writer.find_page_for_modification(index)[0]
        page = page_ref.get_object()
        if "/Contents" not in page:  # a blank page (no content stream at all) still gets its stamp
            page[pdf_name("/Contents")] = generic.ArrayObject()
            writer.mark_update(page_ref)
        left, bottom, right, _top = (float(value) for value in page["/MediaBox"])
        x = max(left + MARGIN, right - STAMP_WIDTH - MARGIN)
        y = bottom + MARGIN
        paint = generic.StreamObject(stream_data=b"q 1 0 0 1 %.2f %.2f cm /UrbaplanStamp Do Q" % (x, y))
        resources = generic.DictionaryObject(
            {pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/UrbaplanStamp"): form_ref})}
        )
        writer.add_stream_to_page(index, save_ref, prepend=True)  # the page's own drawing keeps its state
        writer.add_stream_to_page(index, restore_ref)
        # Pages may share one resource dictionary (WeasyPrint's pages with images do): once the stamp is in it, the
        # next pages only paint it.
        page_resources = page.get("/Resources")
        shared = page_resources.get_object().get("/XObject") if page_resources is not None else None
        already_there = shared is not None and "/UrbaplanStamp" in shared.get_object()
        painted_ref = writer.add_stream_to_page(index, writer.add_object(paint), None if already_there else resources)
        link = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Link"),
                pdf_name("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (x, y, x + STAMP_WIDTH, y + STAMP_HEIGHT)]
                ),
                pdf_name("/Border"): generic.ArrayObject([generic.NumberObject(0)] * 3),
                pdf_name("/A"): generic.DictionaryObject(
                    {pdf_name("/S"): pdf_name("/URI"), pdf_name("/URI"): pdf_string(url)}
                ),
            }
        )
        writer.register_annotation(painted_ref or page_ref, writer.add_object(link))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
