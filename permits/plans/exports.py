"""What the plan review gives back as files, over `permits.plans.pdf` (reads only; the stored files never change):
the annotated copy of a version (its annotations as standard PDF annotations, the file's remarks on a last page)
and the comparison of two versions' pages (changed regions in PDF points of the newer page, a highlighted PNG,
kept a few minutes in the cache so that the picture asked after the regions is not computed twice).
"""

import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from PIL import Image

from gis_core.documents.selectors import document_open
from gis_core.documents.validation import DocumentKind
from permits.errors import InvalidDossier
from permits.models import DossierDocument, Remark
from permits.plans.models import PlanAnnotation, PlanCalibration
from permits.plans.pages import page_count_of
from permits.plans.pdf.annotated import RemarksSummary, SummaryRemark, annotated_copy, raster_plan_pdf
from permits.plans.pdf.compare import Comparison, compare_pages
from permits.plans.pdf.opening import opening

COMPARISON_CACHE_SECONDS = 10 * 60
#: What browsers draw in an <img>: the viewer opens these versions as they are stored, other images (TIFF scans)
#: through `plan_view_png`.
BROWSER_MEDIA_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/webp"})
COMPARISON_DPI = 150
# PDF.js's rangeChunkSize for a plan: small, as the dictionaries are (contiguous chunks still come in one request)
OPENING_CHUNK_BYTES = 16 * 1024
OPENING_CACHE_SECONDS = 24 * 60 * 60  # versions never change: the hint only leaves the cache to save memory


def plan_pdf_bytes(document: DossierDocument) -> bytes:
    """The version as PDF bytes: the stored PDF, or a raster plan as a one-page PDF of its pixels at 72 dpi."""
    with document_open(document=document.stored_document) as file:
        content = file.read()
    return raster_plan_pdf(content) if document.stored_document.kind == DocumentKind.IMAGE else content


def shown_as_stored(document: DossierDocument) -> bool:
    """Whether the viewer opens the stored version itself (a PDF or an image browsers decode)."""
    return document.stored_document.content_type in BROWSER_MEDIA_TYPES


def plan_view_png(document: DossierDocument) -> bytes:
    """A raster plan browsers cannot draw (a TIFF scan: its first frame) as a PNG of the same pixels, so that the
    viewer's points (one per pixel) are the stored scan's."""
    with document_open(document=document.stored_document) as file, Image.open(file) as image:
        page = image if image.mode in ("1", "L", "RGB", "RGBA") else image.convert("RGB")
        output = io.BytesIO()
        page.save(output, format="PNG", compress_level=1)
    return output.getvalue()


def plan_opening(*, document: DossierDocument, page: int) -> dict[str, Any]:
    """The byte ranges the viewer asks for, in one request, to open a PDF version at `page`
    (`permits.plans.pdf.opening`); none for an image. Kept in the cache by content hash."""
    stored = document.stored_document
    if stored.kind == DocumentKind.IMAGE:
        return {"size_bytes": stored.size_bytes, "chunk_bytes": OPENING_CHUNK_BYTES, "ranges": []}
    key = f"plans:opening:{stored.sha256}:{page}:{OPENING_CHUNK_BYTES}"
    cached: dict[str, Any] | None = cache.get(key)
    if cached is None:
        with document_open(document=stored) as file:
            cached = opening(file, page=page, chunk_bytes=OPENING_CHUNK_BYTES)
        cache.set(key, cached, OPENING_CACHE_SECONDS)
    return cached


def _remarks_summary(document: DossierDocument) -> RemarksSummary:
    placed: dict[int, list[tuple[int, int]]] = {}
    for remark_id, annotation_id, page in PlanAnnotation.objects.filter(
        document=document, remark__isnull=False
    ).values_list("remark_id", "pk", "page"):
        placed.setdefault(remark_id, []).append((annotation_id, page))
    remarks = Remark.objects.filter(dossier_id=document.dossier_id).select_related("author")
    rows = [
        SummaryRemark(
            number=number,
            text=remark.text,
            status=remark.status,
            author=remark.author.get_full_name() or remark.author.get_username(),
            annotations=[annotation for annotation, _ in placed.get(remark.pk, [])],
            pages=sorted({page for _, page in placed.get(remark.pk, [])}),
        )
        for number, remark in enumerate(remarks.order_by("round__number", "created_at", "pk"), start=1)
    ]
    stored = document.stored_document
    return RemarksSummary(
        reference=document.dossier.reference or str(document.dossier_id),
        document=f"{stored.original_filename} (v{stored.version})",
        remarks=rows,
    )


def plan_annotated_pdf(*, document: DossierDocument, annotations: Sequence[Mapping[str, Any]]) -> bytes:
    """The annotated copy of `document`: `annotations` in the plans API's shape (withdrawn ones are left out by
    the writer), the page calibrations as `/Measure`, the file's remarks on a last page."""
    calibrations = {
        calibration.page: {
            "metres_per_point": calibration.metres_per_point,
            "scale_denominator": calibration.scale_denominator,
        }
        for calibration in PlanCalibration.objects.filter(document=document)
    }
    return annotated_copy(plan_pdf_bytes(document), annotations, calibrations, _remarks_summary(document))


def plan_comparison(*, older: DossierDocument, newer: DossierDocument, page: int) -> Comparison:
    """Where page `page` of `newer` differs from the same page of `older` (two documents of one file)."""
    for document in (older, newer):
        if not 1 <= page <= page_count_of(document):
            raise InvalidDossier(
                f"page: document {document.pk} has {page_count_of(document)} pages", errors={"page": ["no such page"]}
            )
    key = f"plans:compare:{older.stored_document.sha256}:{newer.stored_document.sha256}:{page}:{COMPARISON_DPI}"
    cached: Comparison | None = cache.get(key)
    if cached is not None:
        return cached
    comparison = compare_pages(plan_pdf_bytes(older), page, plan_pdf_bytes(newer), page, dpi=COMPARISON_DPI)
    cache.set(key, comparison, COMPARISON_CACHE_SECONDS)
    return comparison


def regions_of(comparison: Comparison) -> list[dict[str, float]]:
    return [asdict(region) for region in comparison.regions]
