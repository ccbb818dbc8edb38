"""The annotated copy: standard annotations every reader lists, poppler draws them, the signed original stays valid."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any, cast

import numpy
import pypdfium2
import pypdfium2.raw as pypdfium2_raw
import pytest
from PIL import Image
from pypdf import PdfReader

from gis_core.signing import pades
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.signers import Pkcs12Signer
from permits.plans.pdf.annotated import (
    RemarksSummary,
    SummaryRemark,
    annotated_copy,
    format_measurement,
    raster_plan_pdf,
)
from permits.plans.pdf.errors import UnreadablePlan, UnsupportedAnnotation
from tests.legal_path import pki  # noqa: F401 - the development PKI of the session, as a fixture
from tests.plans.plan_files import METRES_PER_POINT, PLAN, plan_pdf, raster_plan_png
from tests.signing.conftest import pdfsig

MEMBER = {"id": 7, "display_name": "Amina El Idrissi", "role": "member"}
DESK = {"id": 3, "display_name": "Karim Benali", "role": "desk"}
CALIBRATIONS = {1: {"method": "declared", "scale_denominator": 100, "metres_per_point": METRES_PER_POINT}}
SUBTYPES = {
    "distance": "/Line",
    "area": "/Polygon",
    "cloud": "/Square",
    "rectangle": "/Square",
    "arrow": "/Line",
    "line": "/Line",
    "polyline": "/PolyLine",
    "path-length": "/PolyLine",
    "polygon": "/Polygon",
    "angle": "/PolyLine",
    "text": "/FreeText",
    "stamp": "/Stamp",
}


def review() -> list[dict[str, Any]]:
    """One annotation of every kind on the 1:100 plan, plus a withdrawn one."""
    wall_start, wall_end = PLAN.wall(1)
    room = [list(corner) for corner in PLAN.room_corners]
    shapes: list[dict[str, Any]] = [
        {
            "kind": "distance",
            "points": [wall_start, wall_end],
            "measurement": {"kind": "distance", "value": 10.0, "unit": "m"},
        },
        {
            "kind": "area",
            "points": room,
            "measurement": {"kind": "area", "value": 24.0, "unit": "m2", "perimeter": 20.0},
        },
        {"kind": "cloud", "points": [[1380, 480], [1920, 1320]], "text": "Retrait insuffisant"},
        {"kind": "rectangle", "points": [[2000, 1400], [2200, 1550]]},
        {"kind": "arrow", "points": [[900, 900], [690, 1190]], "text": "Mur à reculer"},
        {"kind": "line", "points": [[2000, 800], [2200, 700]]},
        {"kind": "polyline", "points": [[300, 300], [350, 400], [450, 380]]},
        {
            "kind": "path-length",
            "points": [[1000, 300], [1100, 300], [1100, 400]],
            "measurement": {"kind": "path-length", "value": 7.06, "unit": "m"},
        },
        {"kind": "polygon", "points": [[2000, 900], [2200, 900], [2100, 1100]]},
        {
            "kind": "angle",
            "points": [[1400, 1300], [1400, 500], [1900, 500]],
            "measurement": {"kind": "angle", "value": 90.0, "unit": "deg"},
        },
        {
            "kind": "text",
            "points": [[900, 1000]],
            "text": "يجب احترام خط التراجع\nRespecter l'alignement",
            "status": "resolved",
        },
        {"kind": "stamp", "points": [[1000, 1500]], "stamp": "to-correct"},
    ]
    annotations = []
    for number, shape in enumerate(shapes, start=1):
        author = MEMBER if number % 2 else DESK
        annotations.append(
            {
                "id": number, "page": 1, "text": "", "stamp": None, "status": "open", "measurement": None,
                "colour": "#b91c1c" if author is MEMBER else "#1d4ed8", "author": author,
                "created_at": "2026-12-07T10:00:00+00:00", **shape,
            }
        )  # fmt: skip
    annotations.append({**annotations[3], "id": 99, "status": "withdrawn", "points": [[100, 100], [200, 200]]})
    return annotations


def summary() -> RemarksSummary:
    return RemarksSummary(
        reference="PC-2026-0042",
        document="Plans architecturaux, version 1",
        remarks=[
            SummaryRemark(
                number=1, text="Le mur nord dépasse l'alignement.", status="open", annotations=[1, 3], pages=[1]
            ),
            SummaryRemark(number=2, text="يجب تقديم مقطع عرضي", status="answered", annotations=[11], pages=[1]),
        ],
    )


def page_annotations(pdf: bytes | Path) -> list[dict[str, Any]]:
    """The annotation dictionaries of the first page, as pypdf reads them."""
    reader = PdfReader(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    return [cast(dict[str, Any], annotation.get_object()) for annotation in reader.pages[0].annotations or []]


@pytest.fixture(scope="module")
def original() -> bytes:
    return plan_pdf()


@pytest.fixture(scope="module")
def copy(original: bytes) -> bytes:
    return annotated_copy(original, review(), CALIBRATIONS, summary())


def test_every_annotation_is_listed_with_its_subtype_author_and_appearance(copy: bytes) -> None:
    listed = {str(annotation["/NM"]): annotation for annotation in page_annotations(copy)}

    expected = {f"urbaplan-annotation-{a['id']}": a for a in review() if a["status"] != "withdrawn"}
    assert set(listed) == set(expected)  # the withdrawn one is left out
    for name, annotation in listed.items():
        source = expected[name]
        assert annotation["/Subtype"] == SUBTYPES[source["kind"]], name
        assert annotation["/T"] == source["author"]["display_name"]
        assert str(annotation["/CreationDate"]).startswith("D:20261207")
        assert [round(float(c) * 255) for c in annotation["/C"]] == [
            int(source["colour"][index : index + 2], 16) for index in (1, 3, 5)
        ]
        appearance = annotation["/AP"]["/N"].get_object()
        assert appearance["/Subtype"] == "/Form" and appearance.get_data(), name  # drawn by every viewer
        assert [float(v) for v in appearance["/BBox"]] == [float(v) for v in annotation["/Rect"]]


def test_measurements_carry_the_page_scale_and_the_shapes_their_standard_keys(copy: bytes) -> None:
    annotations = {str(annotation["/NM"]).rsplit("-", 1)[1]: annotation for annotation in page_annotations(copy)}

    distance, area = annotations["1"], annotations["2"]
    assert distance["/IT"] == "/LineDimension" and area["/IT"] == "/PolygonDimension"
    for measured in (distance, area, annotations["8"]):
        measure = measured["/Measure"]
        assert measure["/Subtype"] == "/RL" and measure["/R"] == "1 : 100"
        assert float(measure["/X"][0]["/C"]) == pytest.approx(METRES_PER_POINT)
        assert measure["/X"][0]["/U"] == "m" and measure["/A"][0]["/U"] == "m²"
    assert "10.00 m" in distance["/Contents"] and "24.00 m²" in area["/Contents"]
    assert [float(v) for v in distance["/L"]] == pytest.approx([*PLAN.wall(1)[0], *PLAN.wall(1)[1]], abs=0.01)
    assert len(area["/Vertices"]) == 8
    assert "/Measure" not in annotations["10"]  # an angle needs no scale
    assert annotations["3"]["/BE"]["/S"] == "/C"  # the cloud
    assert list(annotations["5"]["/LE"]) == ["/None", "/OpenArrow"]  # the arrow
    assert annotations["12"]["/Name"] == "/ForComment" and "À CORRIGER" in annotations["12"]["/Contents"]
    assert "خط التراجع" in annotations["11"]["/Contents"] and "resolved" in annotations["11"]["/Contents"]
    assert float(annotations["11"]["/CA"]) < 1  # a resolved annotation is faded


def test_the_copy_appends_to_the_original_and_ends_with_the_remarks_summary(
    original: bytes, copy: bytes, tmp_path: Path
) -> None:
    assert copy.startswith(original)  # one incremental update: the original's bytes untouched
    path = tmp_path / "annotated.pdf"
    path.write_bytes(copy)

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           2" in info
    text = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Remarques sur le plan" in text and "PC-2026-0042" in text and "Le mur nord" in text


def test_poppler_draws_the_annotations_where_they_are(copy: bytes, tmp_path: Path) -> None:
    """pdftoppm (poppler) renders page 1: the red distance line over the wall, the stamp's frame, nothing at the
    withdrawn rectangle's place."""
    path = tmp_path / "annotated.pdf"
    path.write_bytes(copy)
    dpi = 36
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "page")], check=True
    )
    image = numpy.asarray(Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")).astype(int)
    scale = dpi / 72

    def colours_near(x: float, y: float, radius: int = 2) -> numpy.ndarray:
        row, column = round((PLAN.height - y) * scale), round(x * scale)
        return image[row - radius : row + radius + 1, column - radius : column + radius + 1].reshape(-1, 3)

    def reddish(pixels: numpy.ndarray) -> bool:
        return bool(((pixels[:, 0] > 140) & (pixels[:, 1] < 110) & (pixels[:, 2] < 110)).any())

    (x0, y), (x1, _) = PLAN.wall(1)
    assert reddish(colours_near((x0 + x1) / 2 - 60, y))  # the member's distance, in red over the black wall
    assert reddish(colours_near(1375, 900, radius=4))  # the cloud's scallops along its left edge
    assert not reddish(colours_near(150, 150)) and (colours_near(150, 150) > 240).all()  # the withdrawn one


def test_the_signed_original_still_validates_and_so_does_its_signature_in_the_copy(
    pki: DevelopmentPki,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    credentials = pki.user("planpdf-architect", display_name="Architecte du projet")
    with Pkcs12Signer(credentials.pkcs12_path, credentials.passphrase).session() as signer:
        signed = pades.sign_pdf(
            plan_pdf(), signer=signer, field_name="Architect", options=pades.SignatureOptions(timestamper=None)
        )
    original_path, copy_path = tmp_path / "signed.pdf", tmp_path / "annotated.pdf"
    original_path.write_bytes(signed)

    copy_path.write_bytes(annotated_copy(signed, review(), CALIBRATIONS, summary()))

    assert original_path.read_bytes() == signed
    original_report = pdfsig(original_path, pki)
    assert "Signature is Valid" in original_report and "Total document signed" in original_report, original_report
    copy_report = pdfsig(copy_path, pki)
    assert "Signature is Valid" in copy_report, copy_report  # its signed revision is intact in the copy
    assert "Total document signed" not in copy_report  # and the annotations are visibly an update after it
    subtypes = [annotation["/Subtype"] for annotation in page_annotations(copy_path)]
    assert subtypes.count("/Widget") == 1 and len(subtypes) == 13  # the signature's field, then ours


def test_a_raster_plan_is_annotated_in_its_pixels() -> None:
    png = raster_plan_png(pixels_per_point=0.5)
    width, height = Image.open(io.BytesIO(png)).size
    pdf = raster_plan_pdf(png)
    annotation = {**review()[3], "points": [[10, 10], [width - 10, height - 10]]}

    copy = annotated_copy(pdf, [annotation], {}, None)

    reader = PdfReader(io.BytesIO(copy))
    assert [float(v) for v in reader.pages[0].mediabox] == [0, 0, width, height]
    assert len(reader.pages) == 1
    rect = [float(v) for v in page_annotations(copy)[0]["/Rect"]]
    assert rect[0] < 10 < width - 10 < rect[2]


def test_measurements_are_shown_to_the_centimetre() -> None:
    assert format_measurement({"kind": "distance", "value": 10.004, "unit": "m"}) == "10.00 m"
    assert format_measurement({"kind": "area", "value": 24, "unit": "m2", "perimeter": 20}) == "24.00 m² (20.00 m)"
    assert format_measurement({"kind": "angle", "value": 89.96, "unit": "deg"}) == "90.0°"
    assert format_measurement(None) == ""


def test_pdfium_the_engine_of_chromium_lists_them_too(copy: bytes) -> None:
    document = pypdfium2.PdfDocument(copy)
    page = document[0]
    subtypes = [
        pypdfium2_raw.FPDFAnnot_GetSubtype(pypdfium2_raw.FPDFPage_GetAnnot(page, index))
        for index in range(pypdfium2_raw.FPDFPage_GetAnnotCount(page))
    ]
    document.close()

    names = {
        pypdfium2_raw.FPDF_ANNOT_SQUARE: "/Square",
        pypdfium2_raw.FPDF_ANNOT_LINE: "/Line",
        pypdfium2_raw.FPDF_ANNOT_POLYLINE: "/PolyLine",
        pypdfium2_raw.FPDF_ANNOT_POLYGON: "/Polygon",
        pypdfium2_raw.FPDF_ANNOT_FREETEXT: "/FreeText",
        pypdfium2_raw.FPDF_ANNOT_STAMP: "/Stamp",
    }
    expected = [SUBTYPES[annotation["kind"]] for annotation in review() if annotation["status"] != "withdrawn"]
    assert sorted(names.get(subtype, str(subtype)) for subtype in subtypes) == sorted(expected)


def test_a_file_that_is_not_a_pdf_or_an_annotation_that_cannot_be_drawn_is_a_clear_error(original: bytes) -> None:
    with pytest.raises(UnreadablePlan):
        annotated_copy(b"%PDF-1.7 not really a plan", review(), CALIBRATIONS, None)
    with pytest.raises(UnsupportedAnnotation, match="at least 3 points"):
        annotated_copy(original, [{**review()[1], "points": [[0, 0], [10, 10]]}], CALIBRATIONS, None)
    with pytest.raises(UnsupportedAnnotation, match="Unknown annotation kind"):
        annotated_copy(original, [{**review()[0], "kind": "hatch"}], CALIBRATIONS, None)
