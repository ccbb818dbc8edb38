"""The new-file wizard of the applicant space: procedure and commune (or the authorised file a linked procedure
follows), parcels and footprint on the map, project parameters with the live zoning pre-check, documents, review
and submit. Its steps open only while the file is editable (`permits.workflow.EDITABLE`); otherwise they lead to
the file page.
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import shapely
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from permits import access, selectors, services, workflow
from permits.answers import InvalidAnswers, answers_clean, procedure_form
from permits.footprint import footprint_from_file
from permits.models import Dossier, Procedure
from permits.services import application
from permits.services.filing import dossier_start_linked
from permits.services.precheck import dossier_site_geometry
from web import forms
from web.i18n import localized
from web.views.common import client_address, dossier_for, run_service
from web.views.documents import labelled_document_rows

WIZARD_STEPS = (
    ("procedure", gettext_lazy("Procedure and commune")),
    ("site", gettext_lazy("Parcels and footprint")),
    ("project", gettext_lazy("Project and pre-check")),
    ("documents", gettext_lazy("Documents")),
    ("review", gettext_lazy("Review and submit")),
)


def wizard_url(dossier: Dossier, step: str) -> str:
    return reverse(f"web:wizard-{step}", args=[dossier.pk])


def _wizard_step(step: Callable[[HttpRequest, Dossier], HttpResponse]) -> Callable[[HttpRequest, int], HttpResponse]:
    """A step after the first: on a file of the signed-in applicant (404 for anyone else's), while it is editable;
    once it is not, the step leads to the file page."""

    @login_required
    @wraps(step)
    def view(request: HttpRequest, dossier_id: int) -> HttpResponse:
        dossier = dossier_for(request, dossier_id)
        if not access.is_owner(request.user, dossier):
            raise Http404("not the applicant's file")
        if dossier.status not in workflow.EDITABLE:
            return redirect("web:dossier-detail", dossier.pk)
        return step(request, dossier)

    return view


def _wizard_context(dossier: Dossier | None, current: str) -> dict[str, Any]:
    steps = []
    reached = True
    for code, label in WIZARD_STEPS:
        steps.append(
            {
                "code": code,
                "label": label,
                "current": code == current,
                "url": wizard_url(dossier, code) if dossier and code != "procedure" else None,
                "done": reached and code != current,
            }
        )
        if code == current:
            reached = False
    return {"dossier": dossier, "steps": steps, "current_step": current}


def _geojson(geometry: Any) -> dict[str, Any] | None:
    return json.loads(geometry.geojson) if geometry is not None else None


@login_required
def wizard_procedure(request: HttpRequest) -> HttpResponse:
    """Step 1: the procedure and the commune; creates the draft (linked to the authorised file it follows, for an
    occupancy permit or a certificate of conformity, and then pre-filled from it)."""
    form = forms.NewDossierForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["parent_dossier"] is not None:
            return start_linked(request, data["parent_dossier"], data["procedure"], title=data["title"])
        dossier = run_service(
            request,
            lambda: services.dossier_create(
                actor=request.user,
                address=client_address(request),
                procedure=data["procedure"],
                commune=data["commune"],
                title=data["title"],
                applicant=data.get("applicant"),  # an architect's client, under their mandate (checked there)
            ),
            _("Draft created. Now locate the parcels of the project."),
        )
        if dossier is not None:
            return redirect(wizard_url(dossier, "site"))
    return render(request, "web/wizard_procedure.html", {**_wizard_context(None, "procedure"), "form": form})


def start_linked(request: HttpRequest, parent: Dossier, procedure: Procedure, title: str | None = None) -> Any:
    """Open the linked file of `procedure` following `parent`: the one in progress, or a new pre-filled draft."""
    started = run_service(
        request,
        lambda: dossier_start_linked(
            actor=request.user, address=client_address(request), parent_dossier=parent, procedure=procedure, title=title
        ),
    )
    if started is None:
        return redirect("web:dossier-detail", parent.pk)
    dossier, created = started
    if created:
        messages.success(request, _("Draft created from the authorised file. Check the parcels and the footprint."))
        return redirect(wizard_url(dossier, "site"))
    messages.info(request, _("A file of this procedure following this one is already in progress: here it is."))
    if dossier.status in workflow.EDITABLE:
        return redirect(wizard_url(dossier, "site"))
    return redirect("web:dossier-detail", dossier.pk)


def _site_config(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    parcels = [
        {
            "type": "Feature",
            "id": parcel.pk,
            "geometry": _geojson(parcel.geom),
            "properties": {"reference": parcel.reference},
        }
        for parcel in dossier.parcels.all()
    ]
    extent = dossier.commune.geom.extent
    if dossier.footprint is not None:
        extent = dossier.footprint.extent
    elif parcels:
        extent = dossier.parcels.all()[0].geom.extent
    return {
        "language": get_language(),
        "rtl": get_language_bidi(),
        "bounds": list(extent),
        "commune": dossier.commune.code,
        "parcels": parcels,
        "footprint": _geojson(dossier.footprint),
        "tiles": reverse("tiles:tilejson", kwargs={"layer": "parcels"}),
        "api": {"parcels": "/api/parcels/", "parcelsAt": "/api/parcels/at/"},
    }


def wizard_strings() -> dict[str, str]:
    """The strings the wizard scripts show, in the active language."""
    return {
        "mapUnavailable": _("The map cannot be shown in this browser (WebGL is unavailable)."),
        "searching": _("Searching…"),
        "noParcelHere": _("No parcel here. Click inside a parcel outline."),
        "notFound": _("No parcel has the reference “%(reference)s”."),
        "otherCommune": _("This parcel lies in another commune than the file's."),
        "networkError": _("The service cannot be reached. Check your connection and try again."),
        "apiError": _("The service did not answer as expected: %(detail)s"),
        "remove": _("Remove"),
        "noParcelChosen": _("No parcel chosen yet."),
        "drawHint": _("Click on the map to place each corner of the footprint, then press “Finish the outline”."),
        "selectHint": _("Click a parcel on the map, or search it by reference, to add it to the file."),
        "needThreeCorners": _("Place at least three corners."),
        "footprintDrawn": _("Footprint drawn: %(count)s corners."),
        "noFootprint": _("No footprint drawn yet."),
        "corners": _("%(count)s corners placed"),
        "precheckWaiting": _("Fill in the parameters to run the pre-check."),
        "precheckRunning": _("Checking against the zoning rules…"),
        "precheckPassed": _("The project meets every zoning rule checked."),
        "precheckFailed": _("The project fails %(count)s rule(s). See why below."),
        "precheckUnavailable": _("The pre-check needs a footprint and at least one parcel (previous step)."),
        "rule": _("Rule"),
        "zone": _("Zone"),
        "result": _("Result"),
        "why": _("Why"),
        "pass": _("Passes"),
        "fail": _("Fails"),
        "not_regulated": _("Not regulated"),
        "rule_coverage_ratio": _("Coverage (CES)"),
        "rule_floor_area_ratio": _("Floor-area ratio (COS)"),
        "rule_height": _("Height"),
        "rule_floors": _("Floors"),
        "rule_setback_road": _("Setback from the road"),
        "rule_setback_neighbour": _("Setback from neighbours"),
        "rule_use": _("Use"),
        "rule_footprint_inside_site": _("Footprint inside the site"),
        "rule_zoning": _("Zoning"),
        "metres": _("%(value)s m"),
        "insideSite": _("The footprint lies inside the site."),
        "outsideSite": _("The footprint extends %(area)s m² beyond the site."),
        "useForbidden": _("The use “%(use)s” is not allowed in this zone (allowed: %(allowed)s)."),
        "useAllowed": _("The use “%(use)s” is allowed in this zone."),
        "usesNotRegulated": _("Uses are not regulated in this zone."),
        "notRegulated": _("This rule is not regulated in this zone."),
        "setbackOutside": _("The footprint extends beyond the site, so the setback cannot be met."),
        "noSuchSide": _("The site has no side of this kind; the rule does not apply."),
        "meetsMinimum": _("%(value)s meets the minimum of %(limit)s."),
        "belowMinimum": _("%(value)s is less than the minimum of %(limit)s."),
        "withinMaximum": _("%(value)s is within the maximum of %(limit)s."),
        "aboveMaximum": _("%(value)s exceeds the maximum of %(limit)s."),
    }


def _footprint_from_upload(uploaded: Any, srid: int | None) -> Any:
    """An uploaded GeoJSON, KML, GeoPackage, zipped Shapefile or DXF footprint, read by the domain through GDAL."""
    return footprint_from_file(uploaded_file=uploaded, srid=srid)


@_wizard_step
def wizard_site(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    """Step 2: the parcels (click or search on the map) and the footprint (drawn by clicks, or uploaded)."""
    form = forms.SiteForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> Dossier:
            footprint = data["footprint"]
            if data.get("footprint_file") is not None:
                footprint = _footprint_from_upload(data["footprint_file"], data.get("footprint_srid"))
            return services.dossier_update(
                actor=request.user,
                address=client_address(request),
                dossier=dossier,
                parcels=data["parcels"],
                footprint=footprint,
            )

        if run_service(request, save, _("Parcels and footprint saved.")) is not None:
            return redirect(wizard_url(dossier, "project"))
    context = {
        **_wizard_context(dossier, "site"),
        "form": form,
        "site_config": _site_config(request, dossier),
        "wizard_strings": wizard_strings(),
    }
    return render(request, "web/wizard_site.html", context)


def _precheck_config(dossier: Dossier) -> dict[str, Any]:
    parcel_ids = list(dossier.parcels.values_list("pk", flat=True))
    site: dict[str, Any] | None = None
    if len(parcel_ids) == 1:
        site = {"parcel": parcel_ids[0]}
    elif parcel_ids:
        geometry = dossier_site_geometry(dossier=dossier)
        site = {"site": shapely.geometry.mapping(geometry)} if geometry is not None else None
    return {
        "language": get_language(),
        "api": "/api/precheck/",
        "site": site,
        "footprint": _geojson(dossier.footprint),
    }


@_wizard_step
def wizard_project(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    """Step 3: the project's parameters, checked live against the zoning rules of the site; for a procedure with
    its own form (`Procedure.form_fields`), its own fields instead."""
    if dossier.procedure.form_fields:
        return _project_answers(request, dossier)
    initial = {
        name: getattr(dossier, name)
        for name in ("height_m", "floors", "gross_floor_area_m2", "use", "units", "establishment_class")
    }
    form = forms.ProjectForm(request.POST or None, initial=initial, procedure=dossier.procedure)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            lambda: services.dossier_update(
                actor=request.user, address=client_address(request), dossier=dossier, **form.cleaned_data
            ),
            _("Project parameters saved."),
        )
        if saved is not None:
            return redirect(wizard_url(dossier, "documents"))
    context = {
        **_wizard_context(dossier, "project"),
        "form": form,
        "precheck_config": _precheck_config(dossier),
        "wizard_strings": wizard_strings(),
    }
    return render(request, "web/wizard_project.html", context)


def _project_answers(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    form = forms.AnswersForm(
        request.POST or None, initial=dossier.answers, procedure=dossier.procedure, applicant=dossier.applicant
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            lambda: services.dossier_update(
                actor=request.user,
                address=client_address(request),
                dossier=dossier,
                answers={spec.key: form.answers.get(spec.key) for spec in form.specs},  # a cleared answer goes
            ),
            _("Answers saved."),
        )
        if saved is not None:
            return redirect(wizard_url(dossier, "documents"))
    return render(request, "web/wizard_answers.html", {**_wizard_context(dossier, "project"), "form": form})


@_wizard_step
def wizard_documents(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    """Step 4: one upload per document the procedure requires."""
    context = {
        **_wizard_context(dossier, "documents"),
        "document_rows": labelled_document_rows(dossier=dossier, user=request.user),
    }
    return render(request, "web/wizard_documents.html", context)


def _review_post(request: HttpRequest, dossier: Dossier) -> HttpResponse | None:
    """The review step's two signing actions: ask for a code (consent and channel), type it (the form is sealed)."""
    step = request.POST.get("step")
    if step == "code":
        code_form = forms.ApplicationCodeForm(request.POST)
        if code_form.is_valid():
            sent = run_service(
                request,
                lambda: application.application_code_request(
                    actor=request.user, address=client_address(request), dossier=dossier, **code_form.cleaned_data
                ),
            )
            if sent is not None:
                messages.success(
                    request,
                    _("A one-time code was sent to %(destination)s. It is valid for %(minutes)s minutes.")
                    % {"destination": sent.destination_masked, "minutes": settings.APPLICATION_CODE_TTL_SECONDS // 60},
                )
            return redirect(wizard_url(dossier, "review") + "#signature")
        return _review_page(request, dossier, code_form=code_form)
    if step == "sign":
        sign_form = forms.ApplicationSignForm(request.POST)
        if sign_form.is_valid():
            run_service(
                request,
                lambda: application.application_sign(
                    actor=request.user,
                    address=client_address(request),
                    dossier=dossier,
                    code=sign_form.cleaned_data["code"].strip(),
                ),
                _("Your application is signed. You can now submit the file."),
            )
            return redirect(wizard_url(dossier, "review") + "#signature")
        return _review_page(request, dossier, sign_form=sign_form)
    return None


@_wizard_step
def wizard_application_pdf(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    """The application form as it stands (unsigned), to read before signing; never cached, never public."""
    preview = run_service(request, lambda: application.application_preview(actor=request.user, dossier=dossier))
    if preview is None:
        return redirect(wizard_url(dossier, "review"))
    response = HttpResponse(preview.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="application-{dossier.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _review_page(request: HttpRequest, dossier: Dossier, **forms_given: Any) -> HttpResponse:
    latest = application.application_signature_latest(dossier=dossier)
    current = application.application_signature_current(dossier=dossier)
    pending = application.application_code_pending(dossier=dossier, user=request.user)
    context = {
        **_wizard_context(dossier, "review"),
        "form": forms_given.get("form") or forms.SubmitForm(),
        "code_form": forms_given.get("code_form") or forms.ApplicationCodeForm(),
        "sign_form": forms_given.get("sign_form") or forms.ApplicationSignForm(),
        "is_applicant": request.user.pk == dossier.applicant_id,
        "signature": current,
        "signature_stale": latest is not None and current is None,
        "code_pending": pending,
        "precheck": services.dossier_precheck_compute(dossier=dossier),
        "overlaps": selectors.dossier_overlaps_for(dossier=dossier, user=request.user),
        "overlaps_in_full": selectors.overlaps_in_full(dossier=dossier, user=request.user),
        "missing_documents": [
            localized(document, "label") for document in services.documents_missing_mandatory(dossier=dossier)
        ],
        "parcels": list(dossier.parcels.all()),
        "document_rows": labelled_document_rows(dossier=dossier, user=request.user),
        "answer_problems": _answer_problems(dossier),
    }
    return render(request, "web/wizard_review.html", context)


@_wizard_step
def wizard_review(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    """Step 5: everything at a glance, the pre-check, the files overlapping this ground; the application form
    to read, consent and a one-time code to sign it; submit (once the form of the current content is signed)."""
    if request.method == "POST" and request.POST.get("step") in ("code", "sign"):
        return _review_post(request, dossier) or _review_page(request, dossier)
    form = forms.SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        submitted = run_service(
            request,
            lambda: services.dossier_submit(actor=request.user, address=client_address(request), dossier=dossier),
        )
        if submitted is not None:
            messages.success(
                request, _("File submitted under reference %(reference)s.") % {"reference": submitted.reference}
            )
            return redirect("web:dossier-detail", dossier.pk)
    return _review_page(request, dossier, form=form)


def _answer_problems(dossier: Dossier) -> list[dict[str, Any]]:
    """What the procedure's own form still lacks (or refuses) before filing, by field label, in the page's language."""
    if not dossier.procedure.form_fields:
        return []
    try:
        answers_clean(procedure=dossier.procedure, answers=dossier.answers, applicant=dossier.applicant)
    except InvalidAnswers as error:
        labels = {spec.key: spec.label for spec in procedure_form(dossier.procedure)}
        return [{"label": labels.get(key, key), "messages": messages} for key, messages in error.errors.items()]
    return []
