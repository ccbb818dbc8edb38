"""The annotated copy of a plan: the review's annotations as standard PDF annotations, and a summary page.

`annotated_copy(pdf_bytes, annotations, calibrations, remarks_summary)` returns NEW bytes: the original followed by
one incremental update (pyHanko's writer, the one that signs). The original's bytes are the copy's first bytes,
so the stored file is never touched and its signatures still verify in the copy (for the revision they sign).

Annotations come as the plans API gives them (the contract's shape: `page` 1-based, `points` in PDF points of
the unrotated page from the MediaBox's lower left, `kind`, `text`, `stamp`, `colour`, `author`, `measurement`,
`status`, `created_at`); withdrawn ones are left out, resolved ones drawn faded. Each kind becomes the standard
subtype every viewer lists (Square, with a cloudy /BE for a cloud; Line, with /LE arrow heads; PolyLine; Polygon;
FreeText; Stamp with /Name), with author (/T), dates, /Contents, colour (/C) and an appearance stream. On a page
with a calibration, measurements carry the PDF `/Measure` dictionary (/Subtype /RL, /R "1 : 100", number formats
in m and m2) and their /IT dimension intent. A text or a stamp hangs from its point (the box's top-left corner).
The last page lists the remarks in French and Arabic (`plans/pdf/remarks_summary.html`, WeasyPrint).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader

from permits.commissions.pdf import render_pdf
from permits.models import RemarkStatus
from permits.plans.pdf.appearance import TRANSLUCENT, Drawing, Point, hex_colour
from permits.plans.pdf.errors import UnreadablePlan, UnsupportedAnnotation

STAMP_LABELS = {  # stamp -> (standard /Name, French, Arabic)
    "approved": ("/Approved", "APPROUVÉ", "موافق عليه"),
    "to-correct": ("/ForComment", "À CORRIGER", "للتصحيح"),
    "refused": ("/NotApproved", "REFUSÉ", "مرفوض"),
}
MINIMUM_POINTS = {"rectangle": 2, "cloud": 2, "arrow": 2, "line": 2, "distance": 2, "polyline": 2, "path-length": 2,
                  "polygon": 3, "area": 3, "angle": 3}  # fmt: skip
MEASURE_INTENTS = {"distance": "/LineDimension", "path-length": "/PolyLineDimension", "area": "/PolygonDimension"}
UNIT_LABELS = {"m": "m", "m2": "m²", "deg": "°", "degrees": "°"}


@dataclass(frozen=True)
class SummaryRemark:
    number: int
    text: str
    status: str  # the remark's status code (open, answered, closed)
    author: str = ""
    annotations: list[int] = field(default_factory=list)  # ids of its annotations in this copy
    pages: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class RemarksSummary:
    reference: str  # the file's reference
    document: str  # the plan's label (document type, version)
    remarks: list[SummaryRemark]
    generated_at: datetime | None = None


def format_measurement(measurement: Mapping[str, Any] | None) -> str:
    """'10.00 m', '24.00 m² (20.00 m)' for an area and its perimeter, '90.0°'; '' without a measurement."""
    if not measurement or measurement.get("value") is None:
        return ""
    unit = UNIT_LABELS.get(str(measurement.get("unit", "")), str(measurement.get("unit", "")))
    if unit == "°":
        return f"{float(measurement['value']):.1f}°"
    text = f"{float(measurement['value']):.2f} {unit}"
    if measurement.get("perimeter") is not None:
        text += f" ({float(measurement['perimeter']):.2f} m)"
    return text


def measure_dictionary(calibration: Mapping[str, Any]) -> generic.DictionaryObject:
    """The page's scale as a PDF rectilinear measure: user-space points to metres, square metres."""
    metres_per_point = float(calibration["metres_per_point"])
    denominator = calibration.get("scale_denominator") or round(metres_per_point * 72 / 0.0254)

    def number_format(unit: str, factor: float) -> generic.ArrayObject:
        return generic.ArrayObject(
            [
                generic.DictionaryObject(
                    {
                        pdf_name("/Type"): pdf_name("/NumberFormat"),
                        pdf_name("/U"): pdf_string(unit),
                        pdf_name("/C"): generic.FloatObject(factor),
                        pdf_name("/D"): generic.NumberObject(100),  # two decimals: centimetres
                    }
                )
            ]
        )

    return generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Measure"),
            pdf_name("/Subtype"): pdf_name("/RL"),
            pdf_name("/R"): pdf_string(f"1 : {denominator}"),
            pdf_name("/X"): number_format("m", metres_per_point),
            pdf_name("/D"): number_format("m", 1.0),
            pdf_name("/A"): number_format("m²", 1.0),
        }
    )


def _numbers(values: Sequence[float]) -> generic.ArrayObject:
    return generic.ArrayObject([generic.FloatObject(round(value, 3)) for value in values])


def _flat(points: list[Point]) -> generic.ArrayObject:
    return _numbers([coordinate for point in points for coordinate in point])


@dataclass
class _Shape:
    """What one kind adds to the annotation dictionary, and its drawing."""

    drawing: Drawing
    entries: dict[str, generic.PdfObject] = field(default_factory=dict)
    size: float = 10.0  # text size on this page
    square: tuple[float, float, float, float] | None = None  # a Square's own box (left, bottom, right, top)
    cloud_radius: float = 0.0


def _label_at_end(shape: _Shape, point: Point, lines: list[str]) -> None:
    if any(lines):
        shape.drawing.label([line for line in lines if line], at=(point[0] + 4, point[1] - 4), size=shape.size)


def _square(shape: _Shape, points: list[Point], annotation: Mapping[str, Any]) -> None:
    (x0, y0), (x1, y1) = points[0], points[1]
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    if annotation["kind"] == "cloud":
        shape.cloud_radius = shape.drawing.cloud(points[0], points[1])
        shape.entries["/BE"] = generic.DictionaryObject(
            {pdf_name("/S"): pdf_name("/C"), pdf_name("/I"): generic.NumberObject(1)}
        )
    else:
        shape.drawing.path(corners, closed=True)
    _label_at_end(shape, (max(x0, x1), min(y0, y1)), [annotation.get("text") or ""])
    shape.square = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _line(shape: _Shape, points: list[Point], annotation: Mapping[str, Any]) -> None:
    tail, head = points[0], points[1]
    shape.drawing.path([tail, head])
    ends = {"arrow": ("/None", "/OpenArrow"), "distance": ("/Butt", "/Butt")}.get(
        annotation["kind"], ("/None", "/None")
    )
    if annotation["kind"] == "arrow":
        shape.drawing.arrow_head(tail, head)
    shape.entries["/L"] = _flat([tail, head])
    shape.entries["/LE"] = generic.ArrayObject([pdf_name(end) for end in ends])
    middle = ((tail[0] + head[0]) / 2, (tail[1] + head[1]) / 2)
    _label_at_end(shape, middle, [format_measurement(annotation.get("measurement")), annotation.get("text") or ""])


def _vertices(shape: _Shape, points: list[Point], annotation: Mapping[str, Any]) -> None:
    closed = annotation["kind"] in ("polygon", "area")
    shape.drawing.path(points, closed=closed, fill=annotation["kind"] == "area")
    shape.entries["/Vertices"] = _flat(points)
    anchor = points[1] if annotation["kind"] == "angle" else points[-1]
    _label_at_end(shape, anchor, [format_measurement(annotation.get("measurement")), annotation.get("text") or ""])


def _free_text(shape: _Shape, points: list[Point], annotation: Mapping[str, Any]) -> None:
    lines = str(annotation.get("text") or "").splitlines() or [""]
    shape.drawing.label(lines, at=points[0], size=shape.size, frame=True)
    shape.entries["/DA"] = pdf_string(
        f"/Helv {shape.size:.1f} Tf {' '.join(f'{c:.3f}' for c in shape.drawing.colour)} rg"
    )


def _stamp(shape: _Shape, points: list[Point], annotation: Mapping[str, Any]) -> None:
    name, french, arabic = STAMP_LABELS[annotation.get("stamp") or "to-correct"]
    shape.drawing.line_width *= 2
    shape.drawing.label([french, arabic], at=points[0], size=shape.size * 1.6, frame=True)
    shape.entries["/Name"] = pdf_name(name)


BUILDERS: dict[str, tuple[str, Callable[[_Shape, list[Point], Mapping[str, Any]], None]]] = {
    "rectangle": ("/Square", _square),
    "cloud": ("/Square", _square),
    "arrow": ("/Line", _line),
    "line": ("/Line", _line),
    "distance": ("/Line", _line),
    "polyline": ("/PolyLine", _vertices),
    "path-length": ("/PolyLine", _vertices),
    "angle": ("/PolyLine", _vertices),
    "polygon": ("/Polygon", _vertices),
    "area": ("/Polygon", _vertices),
    "text": ("/FreeText", _free_text),
    "stamp": ("/Stamp", _stamp),
}


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return (parse_datetime(str(value)) if value else None) or timezone.now()


def _contents(annotation: Mapping[str, Any]) -> str:
    parts = [str(annotation.get("text") or ""), format_measurement(annotation.get("measurement"))]
    if annotation.get("kind") == "stamp":
        parts.insert(0, STAMP_LABELS[annotation.get("stamp") or "to-correct"][1])
    if annotation.get("status") == "resolved":
        parts.append("(résolu / تمت المعالجة / resolved)")
    return " — ".join(part for part in parts if part)


def _media_box(page: generic.DictionaryObject) -> list[float]:
    node: Any = page
    while node is not None:
        if "/MediaBox" in node:
            return [float(value) for value in node["/MediaBox"]]
        node = node.get("/Parent")
    return [0.0, 0.0, 612.0, 792.0]


def _annotation_object(
    writer: IncrementalPdfFileWriter,
    annotation: Mapping[str, Any],
    *,
    page_ref: generic.IndirectObject,
    origin: Point,
    size: float,
    calibration: Mapping[str, Any] | None,
) -> generic.IndirectObject:
    kind = annotation.get("kind")
    if kind not in BUILDERS:
        raise UnsupportedAnnotation(f"Unknown annotation kind {kind!r}.", annotation=annotation.get("id"))
    subtype, build = BUILDERS[kind]
    try:
        points = [(float(x) + origin[0], float(y) + origin[1]) for x, y in annotation["points"]]
    except (KeyError, TypeError, ValueError) as error:
        raise UnsupportedAnnotation(
            "An annotation's points must be [x, y] pairs.", annotation=annotation.get("id")
        ) from error
    if len(points) < MINIMUM_POINTS.get(kind, 1):
        raise UnsupportedAnnotation(
            f"A {kind} needs at least {MINIMUM_POINTS[kind]} points.", annotation=annotation.get("id")
        )
    drawing = Drawing(
        colour=hex_colour(str(annotation.get("colour") or "#1d4ed8")),
        line_width=max(1.0, size / 7),
        font_path=settings.SIGNING_STAMP_FONT,
    )
    shape = _Shape(drawing=drawing, size=size)
    build(shape, points, annotation)
    rect = drawing.rect()
    if shape.square is not None:  # /RD: from /Rect in to the square itself, so a viewer that redraws it puts it there
        inner = shape.square
        spread = shape.cloud_radius + drawing.line_width / 2
        shape.entries["/RD"] = _numbers(
            [
                max(0.0, inner[0] - rect[0] - spread),
                max(0.0, inner[1] - rect[1] - spread),
                max(0.0, rect[2] - inner[2] - spread),
                max(0.0, rect[3] - inner[3] - spread),
            ]
        )
    resources = generic.DictionaryObject()
    if drawing.translucent:
        resources[pdf_name("/ExtGState")] = generic.DictionaryObject(
            {pdf_name(TRANSLUCENT): generic.DictionaryObject({pdf_name("/ca"): generic.FloatObject(0.15)})}
        )
    form = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): _numbers(rect),
            pdf_name("/Resources"): resources,
            pdf_name("/Filter"): pdf_name("/FlateDecode"),
        },
        encoded_data=zlib.compress(drawing.content(), 1),  # level 1: 3x faster than the default, a little larger
    )
    author = annotation.get("author") or {}
    moment = generic.pdf_date(_moment(annotation.get("created_at")))
    updated = generic.pdf_date(_moment(annotation.get("updated_at") or annotation.get("created_at")))
    dictionary = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name(subtype),
            pdf_name("/Rect"): _numbers(rect),
            pdf_name("/P"): page_ref,
            pdf_name("/F"): generic.NumberObject(4),  # printed
            pdf_name("/NM"): pdf_string(f"urbaplan-annotation-{annotation.get('id', '')}"),
            pdf_name("/T"): pdf_string(str(author.get("display_name") or "")),
            pdf_name("/Subj"): pdf_string(str(annotation["kind"])),
            pdf_name("/Contents"): pdf_string(_contents(annotation)),
            pdf_name("/CreationDate"): moment,
            pdf_name("/M"): updated,
            pdf_name("/C"): _numbers(drawing.colour),
            pdf_name("/CA"): generic.FloatObject(0.45 if annotation.get("status") == "resolved" else 1.0),
            pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): writer.add_object(form)}),
            **{pdf_name(key): value for key, value in shape.entries.items()},
        }
    )
    if annotation["kind"] in MEASURE_INTENTS and calibration and annotation.get("measurement"):
        dictionary[pdf_name("/IT")] = pdf_name(MEASURE_INTENTS[annotation["kind"]])
        dictionary[pdf_name("/Measure")] = measure_dictionary(calibration)
        if subtype == "/Line":
            dictionary[pdf_name("/Cap")] = generic.BooleanObject(True)
    if annotation["kind"] == "area":
        dictionary[pdf_name("/IC")] = _numbers(drawing.colour)
    return writer.add_object(dictionary)


def summary_pdf(summary: RemarksSummary) -> bytes:
    """The one-page summary of the remarks, French and Arabic."""
    labels = {}
    for language in ("fr", "ar"):
        with translation.override(language):
            labels[language] = {status.value: str(status.label) for status in RemarkStatus}
    return render_pdf(
        template_names=["plans/pdf/remarks_summary.html"],
        context={
            "summary": summary,
            "remarks": [
                {
                    "remark": remark,
                    "status_fr": labels["fr"].get(remark.status, remark.status),
                    "status_ar": labels["ar"].get(remark.status, remark.status),
                }
                for remark in summary.remarks
            ],
            "generated_at": timezone.localtime(summary.generated_at or timezone.now()),
        },
    )


def _append_pages(writer: IncrementalPdfFileWriter, pdf: bytes) -> None:
    """Every page of `pdf` as new last pages (each drawn from a Form XObject of it)."""
    source = PdfFileReader(io.BytesIO(pdf), strict=False)
    for index in range(int(source.root["/Pages"]["/Count"])):
        _append_page(writer, source, index)


def _append_page(writer: IncrementalPdfFileWriter, source: PdfFileReader, index: int) -> None:
    page_ref, _resources = source.find_page_for_modification(index)
    left, bottom, right, top = _media_box(page_ref.get_object())
    width, height = right - left, top - bottom
    xobject = writer.import_page_as_xobject(source, index)
    content = generic.StreamObject(stream_data=b"q /Summary Do Q")
    writer.insert_page(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Page"),
                pdf_name("/MediaBox"): _numbers([0, 0, width, height]),
                pdf_name("/Resources"): generic.DictionaryObject(
                    {pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/Summary"): xobject})}
                ),
                pdf_name("/Contents"): writer.add_object(content),
            }
        )
    )


def raster_plan_pdf(image_bytes: bytes) -> bytes:
    """A raster plan (JPEG, PNG, TIFF: its first frame) as a one-page PDF whose points are its pixels (72 dpi, the
    contract's raster coordinates), to be annotated like any plan."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        page = image if image.mode in ("1", "L", "RGB") else image.convert("RGB")
        output = io.BytesIO()
        page.save(output, format="PDF", resolution=72.0)
    return output.getvalue()


def annotated_copy(
    pdf_bytes: bytes,
    annotations: Sequence[Mapping[str, Any]],
    calibrations: Mapping[int, Mapping[str, Any]],
    remarks_summary: RemarksSummary | None,
) -> bytes:
    """The plan with `annotations` (withdrawn ones left out) and, when given, the remarks' summary as last page;
    `calibrations` maps a page number to its calibration (`metres_per_point`, `scale_denominator`)."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        page_count = int(writer.root["/Pages"]["/Count"])
    except (PdfReadError, KeyError, TypeError, ValueError) as error:
        raise UnreadablePlan(f"The file cannot be read as a PDF ({error}).") from error
    for annotation in annotations:
        page_number = int(annotation["page"])
        if annotation.get("status") == "withdrawn" or not 1 <= page_number <= page_count:
            continue
        page_ref, _resources = writer.find_page_for_modification(page_number - 1)
        box = _media_box(page_ref.get_object())
        size = max(9.0, min(box[2] - box[0], box[3] - box[1]) / 120)
        reference = _annotation_object(
            writer,
            annotation,
            page_ref=page_ref,
            origin=(box[0], box[1]),
            size=size,
            calibration=calibrations.get(page_number),
        )
        writer.register_annotation(page_ref, reference)
    if remarks_summary is not None:
        _append_pages(writer, summary_pdf(remarks_summary))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
