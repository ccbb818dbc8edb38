"""The site inspection's report as a PDF, bilingual (French, then Arabic right-to-left), rendered by the
commissions' WeasyPrint machinery (`permits.commissions.pdf.render_pdf`) from
`inspections/pdf/report.html`: the appointment, each checklist item with its result and comment, the remarks,
the verdict and its deviations, and each photo (reduced, embedded) with where it was taken.
"""

import base64
import io
from datetime import datetime
from typing import Any

from django.utils import timezone
from PIL import Image, ImageOps

from gis_core.documents.selectors import document_open
from permits.commissions.pdf import render_pdf
from permits.inspections.models import Inspection, ItemResult, Verdict

PHOTO_MAX_PIXELS = 640

RESULT_LABELS: dict[str, tuple[str, str]] = {
    ItemResult.CONFORM: ("Conforme", "مطابق"),
    ItemResult.NOT_CONFORM: ("Non conforme", "غير مطابق"),
    ItemResult.NOT_APPLICABLE: ("Sans objet", "لا ينطبق"),
}
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    Verdict.CONFORM: ("Conforme aux plans autorisés", "مطابق للتصاميم المرخص بها"),
    Verdict.MINOR_DEVIATIONS: ("Conforme avec écarts mineurs", "مطابق مع اختلافات طفيفة"),
    Verdict.NOT_CONFORM: ("Non conforme aux plans autorisés", "غير مطابق للتصاميم المرخص بها"),
}


def _thumbnail(photo: Any) -> str:
    """The photo reduced to `PHOTO_MAX_PIXELS` as a JPEG data URI (the stored original stays as it was), turned
    upright by its EXIF orientation: a phone held upright stores a landscape image with an orientation tag, which
    the reduced copy (without EXIF) would otherwise show lying on its side."""
    with document_open(document=photo.document) as handle, Image.open(handle) as image:
        rgb = ImageOps.exif_transpose(image).convert("RGB")
        rgb.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
        buffer = io.BytesIO()
        rgb.save(buffer, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def report_pdf(*, inspection: Inspection, closed_at: datetime, inspector: Any) -> bytes:
    dossier = inspection.dossier
    verdict_fr, verdict_ar = VERDICT_LABELS[inspection.verdict]
    answers = [
        {"answer": answer, "fr": RESULT_LABELS[answer.result][0], "ar": RESULT_LABELS[answer.result][1]}
        for answer in inspection.answers.all()
    ]
    photos = [
        {"photo": photo, "src": _thumbnail(photo), "position": photo.position, "source": photo.position_source}
        for photo in inspection.photos.select_related("document")
    ]
    return render_pdf(
        template_names=[f"inspections/pdf/report_{dossier.procedure.code}.html", "inspections/pdf/report.html"],
        context={
            "commission": {"territory": dossier.commune},  # the page header reads the issuer's territory
            "inspection": inspection,
            "dossier": dossier,
            "procedure": dossier.procedure,
            "commune": dossier.commune,
            "parent": dossier.parent_dossier,
            "starts_at": timezone.localtime(inspection.starts_at),
            "closed_at": timezone.localtime(closed_at),
            "inspector_name": inspector.get_full_name() or inspector.get_username(),
            "answers": answers,
            "photos": photos,
            "verdict_fr": verdict_fr,
            "verdict_ar": verdict_ar,
            "generated_at": timezone.localtime(timezone.now()),
        },
    )
