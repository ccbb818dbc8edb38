"""The page boxes of a version, read once and kept (`PlanPage`): pypdf reads only the page tree of a PDF (the
MediaBox of each unrotated page, in points), an image is one page of its pixels at 72 dpi. Points of annotations
and calibrations are checked against these boxes.
"""

from django.db import transaction
from pypdf import PdfReader

from gis_core.documents.errors import PdfBroken
from gis_core.documents.selectors import document_open
from gis_core.documents.validation import DocumentKind
from permits.errors import NotFound
from permits.models import DossierDocument
from permits.plans.models import PlanPage


def page_count_of(document: DossierDocument) -> int:
    """Pages of a version: the PDF's page count, 1 for an image."""
    stored = document.stored_document
    return 1 if stored.kind == DocumentKind.IMAGE else int(stored.page_count or 0)


def _boxes(document: DossierDocument) -> list[tuple[float, float]]:
    stored = document.stored_document
    if stored.kind == DocumentKind.IMAGE:
        return [(float(stored.width or 0), float(stored.height or 0))]
    with document_open(document=stored) as file:
        try:
            reader = PdfReader(file, strict=False)
            return [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]
        except Exception as error:  # pypdf raises many types; the PDF was read at upload, so this is storage trouble
            raise PdfBroken(f"The PDF's pages cannot be read ({type(error).__name__}: {error}).") from error


@transaction.atomic
def plan_pages_record(*, document: DossierDocument) -> list[PlanPage]:
    """The page boxes of `document`, read from the stored file the first time and kept (idempotent)."""
    pages = list(PlanPage.objects.filter(document=document).order_by("number"))
    if pages:
        return pages
    rows = [
        PlanPage(document=document, number=number, width_pt=width, height_pt=height)
        for number, (width, height) in enumerate(_boxes(document), start=1)
    ]
    PlanPage.objects.bulk_create(rows, ignore_conflicts=True)  # two first readers at once: the same rows
    return list(PlanPage.objects.filter(document=document).order_by("number"))


def plan_page_box(*, document: DossierDocument, page: int) -> PlanPage:
    """The box of page `page` (1-based) of `document`; `NotFound` when the version has no such page."""
    if 1 <= page <= page_count_of(document):
        for row in plan_pages_record(document=document):
            if row.number == page:
                return row
    raise NotFound(f"Document {document.pk} has no page {page}.", page_count=page_count_of(document))
