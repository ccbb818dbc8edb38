"""The site inspection (récolement) pages: the back office's inspection page of a file (schedule with the
applicant, the report form usable on a phone on site, photos from the phone's camera with the browser's position,
the map of the parcel with the photos, the verdict and the closing of the report), the applicant's actions from
their file page (confirm the date, ask for another one) and the downloads (the closed report, the photos), each
for the people who may see the file. Every write goes through `permits.inspections.services`; reads through its
selectors.
"""

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gis_core.documents.downloads import document_response
from permits import access
from permits.inspections import selectors, services
from permits.inspections.errors import InvalidInspectionInput
from permits.inspections.models import Inspection, InspectionStatus
from permits.models import Dossier
from web import inspection_forms as forms
from web.i18n import localized
from web.roles import is_back_office
from web.views.common import client_address, dossier_for, run_service

# --- what the pages show -----------------------------------------------------------------------------------


def _items(inspection: Inspection) -> list["_Item"]:
    return [_Item(row) for row in selectors.checklist_for(inspection=inspection)]


class _Item:
    """A checklist row with its label in the active language."""

    def __init__(self, row: Any) -> None:
        self.code = row.code
        self.label = localized(row, "label")
        self.result = row.result
        self.comment = row.comment


def _geometry(value: Any) -> Any:
    return json.loads(value.geojson) if value is not None else None


def map_config(dossier: Dossier, inspection: Inspection | None) -> dict[str, Any]:
    """The parcel, the footprint and the photos for the small MapLibre map of the page."""
    parcels = [
        {"type": "Feature", "geometry": _geometry(parcel.geom), "properties": {"reference": parcel.reference}}
        for parcel in dossier.parcels.all()
    ]
    extent = None
    if dossier.footprint is not None:
        extent = dossier.footprint.extent
    elif parcels:
        extent = dossier.parcels.all()[0].geom.extent
    return {
        "language": get_language(),
        "rtl": get_language_bidi(),
        "bounds": list(extent) if extent else None,
        "parcels": {"type": "FeatureCollection", "features": parcels},
        "footprint": _geometry(dossier.footprint),
        "photos": selectors.photos_geojson(inspection=inspection)
        if inspection
        else {"type": "FeatureCollection", "features": []},
    }


def inspection_summary(*, dossier: Dossier, user: Any) -> dict[str, Any] | None:
    """What a file page shows of the site inspection (None: the procedure has none)."""
    if not selectors.inspection_required(dossier=dossier):
        return None
    current = selectors.inspection_current(dossier=dossier)
    owner = access.is_owner(user, dossier)
    summary: dict[str, Any] = {"inspection": current, "is_owner": owner, "closed": False}
    if current is None:
        return summary
    summary["closed"] = current.status == InspectionStatus.CLOSED
    summary["ends_at"] = current.starts_at + timedelta(minutes=current.duration_minutes)
    if summary["closed"]:
        summary["items"] = _items(current)
        summary["photos"] = list(selectors.photos_for(inspection=current))
        summary["report"] = selectors.report_latest_version(inspection=current)
        summary["signed"] = selectors.report_is_signed(inspection=current)
    elif owner:
        summary["can_confirm"] = current.status == InspectionStatus.PROPOSED
        summary["can_ask"] = current.status in (InspectionStatus.PROPOSED, InspectionStatus.CONFIRMED)
        summary["other_date_form"] = forms.OtherDateForm()
    return summary


def _staff_file(request: HttpRequest, dossier_id: int) -> Dossier:
    dossier = dossier_for(request, dossier_id)
    if not is_back_office(request.user) or access.is_owner(request.user, dossier):
        raise Http404("not a back-office user of this file")
    return dossier


def _inspection_of(dossier: Dossier, inspection_id: int) -> Inspection:
    inspection = selectors.inspection_get(dossier=dossier, inspection_id=inspection_id)
    if inspection is None:
        raise Http404("no such inspection on this file")
    return inspection


# --- the back office's page --------------------------------------------------------------------------------


@login_required
def inspection_page(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Schedule, report, photos and verdict of the file's site inspection."""
    dossier = dossier_for(request, dossier_id)
    if access.is_owner(request.user, dossier):
        return redirect(reverse("web:dossier-detail", args=[dossier.pk]) + "#inspection")
    dossier = _staff_file(request, dossier_id)
    if not selectors.inspection_required(dossier=dossier):
        raise Http404("this procedure has no site inspection")
    current = selectors.inspection_current(dossier=dossier)
    inspectors = selectors.inspectors_for(dossier=dossier)
    context: dict[str, Any] = {
        "dossier": dossier,
        "inspection": current,
        "history": list(selectors.inspections_for(dossier=dossier).order_by("-created_at")),
        "map_config": map_config(dossier, current),
        "summary": inspection_summary(dossier=dossier, user=request.user),
    }
    closed_this_round = (
        current is not None
        and current.status == InspectionStatus.CLOSED
        and current.round_number == dossier.current_round
    )
    if (current is None or not current.is_open) and not closed_this_round:
        context["propose_form"] = forms.ProposeForm(inspectors=inspectors)
    if current is not None and current.is_open:
        context["reschedule_form"] = forms.RescheduleForm(initial={"starts_at": current.starts_at})
        context["cancel_form"] = forms.CancelForm()
    if current is not None and current.status == InspectionStatus.CONFIRMED:
        items = _items(current)
        context["report_form"] = forms.ReportForm(
            items=items,
            initial={"remarks": current.remarks, "verdict": current.verdict, "deviations": current.deviations},
        )
        context["photo_form"] = forms.PhotoForm()
        context["photos"] = list(selectors.photos_for(inspection=current))
        context["strings"] = {
            "locating": _("Finding your position…"),
            "located": _("Position found (± %(accuracy)s m): it is sent with the photo."),
            "notLocated": _("Position not available: the photo's own GPS data will be used if it has any."),
            "mapUnavailable": _("The map cannot be shown in this browser."),
        }
    return render(request, "web/inspection_office.html", context)


def _back(dossier: Dossier) -> HttpResponse:
    return redirect("web:inspection", dossier.pk)


def _form_error(request: HttpRequest, form: Any) -> None:
    """Show a malformed form's errors as the domain's refusal would be."""
    errors = "; ".join(
        f"{form[name].label if name in form.fields else ''} {message}".strip()
        for name, messages in form.errors.items()
        for message in messages
    )

    def refuse() -> None:
        raise InvalidInspectionInput(errors)

    run_service(request, refuse)


def _scheduled(
    request: HttpRequest, dossier: Dossier, form: Any, service: Callable[..., Any], done: str, target: dict[str, Any]
) -> HttpResponse:
    """A staff scheduling action: the form checked (its error shown), then the service run with its answers and the
    message of success; back to the inspection page either way."""
    if not form.is_valid():
        _form_error(request, form)
        return _back(dossier)
    run_service(
        request,
        lambda: service(actor=request.user, address=client_address(request), **target, **form.cleaned_data),
        done,
    )
    return _back(dossier)


@login_required
@require_POST
def inspection_propose(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _staff_file(request, dossier_id)
    form = forms.ProposeForm(request.POST, inspectors=selectors.inspectors_for(dossier=dossier))
    done = _("The date is proposed to the applicant, who is notified.")
    return _scheduled(request, dossier, form, services.inspection_propose, done, {"dossier": dossier})


@login_required
@require_POST
def inspection_reschedule(request: HttpRequest, dossier_id: int, inspection_id: int) -> HttpResponse:
    dossier = _staff_file(request, dossier_id)
    inspection = _inspection_of(dossier, inspection_id)
    done = _("The new date is proposed to the applicant, who is notified.")
    form = forms.RescheduleForm(request.POST)
    return _scheduled(request, dossier, form, services.inspection_reschedule, done, {"inspection": inspection})


@login_required
@require_POST
def inspection_cancel(request: HttpRequest, dossier_id: int, inspection_id: int) -> HttpResponse:
    dossier = _staff_file(request, dossier_id)
    inspection = _inspection_of(dossier, inspection_id)
    done = _("The inspection is cancelled; the applicant is notified.")
    form = forms.CancelForm(request.POST)
    return _scheduled(request, dossier, form, services.inspection_cancel, done, {"inspection": inspection})


@login_required
@require_POST
def inspection_report(request: HttpRequest, dossier_id: int, inspection_id: int) -> HttpResponse:
    """Save the report (checklist, remarks, verdict, deviations); with `close`, then close it."""
    dossier = _staff_file(request, dossier_id)
    inspection = _inspection_of(dossier, inspection_id)
    form = forms.ReportForm(request.POST, items=_items(inspection))
    if not form.is_valid():
        _form_error(request, form)
        return _back(dossier)
    answers = {code: services.ItemAnswer(result, comment) for code, (result, comment) in form.answers().items()}
    data = form.cleaned_data
    saved = run_service(
        request,
        lambda: services.inspection_report_save(
            actor=request.user,
            address=client_address(request),
            inspection=inspection,
            answers=answers,
            remarks=data["remarks"],
            verdict=data["verdict"],
            deviations=data["deviations"],
        ),
        None if "close" in request.POST else _("The report is saved."),
    )
    if saved is not None and "close" in request.POST:
        run_service(
            request,
            lambda: services.inspection_close(actor=request.user, address=client_address(request), inspection=saved),
            _("The report is closed; its PDF is signed with your certificate."),
        )
    return _back(dossier)


@login_required
@require_POST
def inspection_photo(request: HttpRequest, dossier_id: int, inspection_id: int) -> HttpResponse:
    dossier = _staff_file(request, dossier_id)
    inspection = _inspection_of(dossier, inspection_id)
    form = forms.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_error(request, form)
        return redirect(reverse("web:inspection", args=[dossier.pk]) + "#photos")
    data = form.cleaned_data
    run_service(
        request,
        lambda: services.inspection_photo_add(
            actor=request.user,
            address=client_address(request),
            inspection=inspection,
            uploaded_file=data["photo"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            accuracy_m=data["accuracy_m"],
            caption=data["caption"],
        ),
        _("The photo is added to the report."),
    )
    return redirect(reverse("web:inspection", args=[dossier.pk]) + "#photos")


# --- the applicant, from the file page -----------------------------------------------------------------------


def _owned_inspection(request: HttpRequest, dossier_id: int, inspection_id: int) -> tuple[Dossier, Inspection]:
    dossier = dossier_for(request, dossier_id)
    if not access.is_owner(request.user, dossier):
        raise Http404("not the applicant of this file")
    return dossier, _inspection_of(dossier, inspection_id)


def _to_file(dossier: Dossier) -> HttpResponse:
    return redirect(reverse("web:dossier-detail", args=[dossier.pk]) + "#inspection")


@login_required
@require_POST
def inspection_confirm(request: HttpRequest, dossier_id: int, inspection_id: int) -> HttpResponse:
    dossier, inspection = _owned_inspection(request, dossier_id, inspection_id)
    run_service(
        request,
        lambda: services.inspection_confirm(actor=request.user, address=client_address(request), inspection=inspection),
        _("The date of the inspection is confirmed."),
    )
    return _to_file(dossier)


@login_required
@require_POST
def inspection_other_date(request: HttpRequest, dossier_id: int, inspection_id: int) -> HttpResponse:
    dossier, inspection = _owned_inspection(request, dossier_id, inspection_id)
    form = forms.OtherDateForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _to_file(dossier)
    run_service(
        request,
        lambda: services.inspection_ask_other_date(
            actor=request.user, address=client_address(request), inspection=inspection, **form.cleaned_data
        ),
        _("Your request is sent: a new date will be proposed to you."),
    )
    return _to_file(dossier)


# --- downloads ---------------------------------------------------------------------------------------------


@login_required
def inspection_report_download(request: HttpRequest, dossier_id: int, inspection_id: int) -> HttpResponseBase:
    """The closed report's latest (signed) version, for whoever may see the file."""
    dossier = dossier_for(request, dossier_id)
    inspection = _inspection_of(dossier, inspection_id)
    document = selectors.report_latest_version(inspection=inspection)
    if document is None:
        raise Http404("the report is not closed")
    return document_response(document, request=request)


@login_required
def inspection_photo_download(
    request: HttpRequest, dossier_id: int, inspection_id: int, photo_id: int
) -> HttpResponseBase:
    dossier = dossier_for(request, dossier_id)
    inspection = _inspection_of(dossier, inspection_id)
    photo = selectors.photo_get(inspection=inspection, photo_id=photo_id)
    if photo is None:
        raise Http404("no such photo")
    return document_response(photo.document, request=request, as_attachment=False)
