"""The plan-review pages (issue 12): the reviewers' workspace (`/office/files/<id>/plans/`: PDF.js viewer,
calibration, measurement, annotations linked to remarks), the applicant's read-only view of the same plans
(`/files/<id>/plans/`: the annotations, the remarks with their reply form and the upload of a revised version) and
the comparison of two versions (`/office/files/<id>/plans/compare/`). The pages only carry the file, the selected
version and page and the API addresses (`permits` plan API, `plans-contract`); the scripts read and write through
that API, whose access rules are the documents' own.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from permits import access, selectors
from permits.models import Dossier
from web import forms
from web.views.common import dossier_for
from web.views.documents import labelled_document_rows

# The reviewers' tools, as the toolbar lists them (their behaviour: web/static/web/plan_tools.js).
MEASURE_TOOLS = [
    ("pan", gettext_lazy("Pan")),
    ("calibrate", gettext_lazy("Calibrate")),
    ("distance", gettext_lazy("Distance")),
    ("path-length", gettext_lazy("Path length")),
    ("area", gettext_lazy("Area")),
    ("measure-rectangle", gettext_lazy("Rectangle area")),
    ("angle", gettext_lazy("Angle")),
]
ANNOTATION_TOOLS = [
    ("cloud", gettext_lazy("Cloud")),
    ("rectangle", gettext_lazy("Rectangle")),
    ("arrow", gettext_lazy("Arrow")),
    ("line", gettext_lazy("Line")),
    ("polygon", gettext_lazy("Polygon")),
    ("text", gettext_lazy("Text")),
    ("stamp", gettext_lazy("Stamp")),
]


def _positive(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) > 0 else None


def api_urls(dossier: Dossier) -> dict[str, str]:
    """The plan API's addresses; `{document}`, `{page}` and `{annotation}` are filled in by the scripts."""
    return {
        "plans": f"/api/dossiers/{dossier.pk}/plans/",
        "remarks": f"/api/dossiers/{dossier.pk}/remarks/",
        "annotations": "/api/plans/{document}/annotations/",
        "annotation": "/api/annotations/{annotation}/",
        "annotationRemark": "/api/annotations/{annotation}/remark/",
        "calibration": "/api/plans/{document}/calibrations/{page}/",
        "annotated": "/api/plans/{document}/annotated.pdf",
        "compare": "/api/plans/compare/",
    }


def viewer_config(request: HttpRequest, dossier: Dossier, *, review: bool) -> dict[str, Any]:
    """What the scripts need: the file, the requested version and page, the API, who reads, the language."""
    return {
        "dossier": dossier.pk,
        "document": _positive(request.GET.get("document")),
        "page": _positive(request.GET.get("page")) or 1,
        "review": review,
        "api": api_urls(dossier),
        "csrfToken": get_token(request),
        "language": get_language(),
        "rtl": get_language_bidi(),
        "vendor": static("vendor/pdfjs/"),
        "strings": viewer_strings(),
    }


def viewer_strings() -> dict[str, str]:
    """The sentences the scripts write, in the active language."""
    return {
        "loading": _("Loading the plan…"),
        "loadFailed": _("The plan could not be opened."),
        "noPlans": _("This file has no plan to review yet."),
        "page": _("Page %(page)s of %(count)s"),
        "notCalibrated": _("Page not calibrated: set its scale before measuring."),
        "calibratedDeclared": _("Scale 1:%(denominator)s"),
        "calibratedDrawn": _("Calibrated on a known length of %(length)s m"),
        "askLength": _("Length of the line drawn, in metres"),
        "askText": _("Text of the annotation"),
        "askRemark": _("Text of the remark"),
        "distance": _("%(value)s m"),
        "area": _("%(value)s m² · perimeter %(perimeter)s m"),
        "angle": _("%(value)s°"),
        "saved": _("Saved."),
        "saveFailed": _("Not saved: %(detail)s"),
        "remarkCreated": _("Remark created from the annotation."),
        "noAnnotation": _("No annotation on this page."),
        "noRemark": _("No remark on this file."),
        "searchNone": _("No result."),
        "searchCount": _("%(count)s results"),
        "open": _("Open"),
        "resolved": _("Resolved"),
        "withdrawn": _("Withdrawn"),
        "resolve": _("Resolve"),
        "reopen": _("Reopen"),
        "withdraw": _("Withdraw"),
        "createRemark": _("Create a remark from this annotation"),
        "showAnnotations": _("Show this remark's annotations"),
        "carried": _("carried from the previous version"),
        "finish": _("Finish the shape (Enter)"),
        "version": _("Version %(number)s"),
        "comparing": _("Computing the difference…"),
        "changedRegions": _("%(count)s changed regions"),
        "noChange": _("No difference found on this page."),
        "compareUnavailable": _("The difference of these versions cannot be computed."),
        "kind.cloud": _("Cloud"),
        "kind.rectangle": _("Rectangle"),
        "kind.arrow": _("Arrow"),
        "kind.line": _("Line"),
        "kind.polyline": _("Polyline"),
        "kind.polygon": _("Polygon"),
        "kind.text": _("Text"),
        "kind.stamp": _("Stamp"),
        "kind.distance": _("Distance"),
        "kind.path-length": _("Path length"),
        "kind.area": _("Area"),
        "kind.angle": _("Angle"),
        "stamp.approved": _("Approved"),
        "stamp.to-correct": _("To correct"),
        "stamp.refused": _("Refused"),
    }


def _reviewer_file(request: HttpRequest, dossier_id: int) -> Dossier:
    """The file, for someone who reviews it (staff who may see it, not its applicant); 404 otherwise."""
    dossier = dossier_for(request, dossier_id)
    if access.is_owner(request.user, dossier):
        raise Http404("the applicant reads the plans from their own page")
    return dossier


@login_required
def plans_office(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The reviewers' plan workspace: view, calibrate, measure, annotate, link remarks, compare."""
    dossier = _reviewer_file(request, dossier_id)
    return render(
        request,
        "web/plans.html",
        {
            "dossier": dossier,
            "review": True,
            "config": viewer_config(request, dossier, review=True),
            "measure_tools": MEASURE_TOOLS,
            "annotation_tools": ANNOTATION_TOOLS,
        },
    )


@login_required
def plans_applicant(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The applicant's plans: the reviewers' annotations (read-only), the remarks with their reply form, the upload
    of a revised version."""
    dossier = dossier_for(request, dossier_id)
    if not access.is_owner(request.user, dossier):
        raise Http404("the reviewers use the back-office workspace")
    return render(
        request,
        "web/plans.html",
        {
            "dossier": dossier,
            "review": False,
            "config": viewer_config(request, dossier, review=False),
            "remarks": list(selectors.remarks_for(dossier=dossier)),
            "reply_form": forms.ReplyForm(),
            "document_rows": labelled_document_rows(dossier=dossier, user=request.user),
        },
    )


@login_required
def plans_compare(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Two versions of a plan side by side, overlaid with a swipe, and their computed difference."""
    dossier = _reviewer_file(request, dossier_id)
    config = viewer_config(request, dossier, review=True)
    config["from"] = _positive(request.GET.get("from"))
    config["to"] = _positive(request.GET.get("to"))
    return render(request, "web/plans_compare.html", {"dossier": dossier, "config": config})
