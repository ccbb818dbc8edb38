"""The applicant space: my files, the new-file wizard (procedure and commune, parcels and footprint on the map,
project parameters with the live zoning pre-check, documents, review and submit), the file page (timeline,
deadlines, remarks and replies, documents, withdraw; once published, the signed decision, PV extract and authorised
plans) and the actions an applicant runs from it.
"""

import json
from typing import Any

import shapely
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gis_core.documents.downloads import document_response
from permits import access, selectors, services, workflow
from permits.commissions import published
from permits.downloads import dossier_document_response
from permits.errors import NotFound
from permits.footprint import footprint_from_file
from permits.models import REVISED_PLAN, Dossier, DossierStatus, OpinionValue, Procedure
from permits.services.filing import dossier_start_linked, linked_dossier_open
from permits.services.precheck import dossier_site_geometry
from web import forms
from web.views import _documents
from web.views._common import client_address, dossier_for, localized, run_service

EDITABLE = frozenset({DossierStatus.DRAFT, DossierStatus.INCOMPLETE})
WIZARD_STEPS = (
    ("procedure", gettext_lazy("Procedure and commune")),
    ("site", gettext_lazy("Parcels and footprint")),
    ("project", gettext_lazy("Project and pre-check")),
    ("documents", gettext_lazy("Documents")),
    ("review", gettext_lazy("Review and submit")),
)
NEXT_ACTIONS = {
    DossierStatus.DRAFT: gettext_lazy("Complete the file and submit it"),
    DossierStatus.INCOMPLETE: gettext_lazy("Add what is missing and submit it again"),
    DossierStatus.AWAITING_APPLICANT: gettext_lazy("Reply to the remarks"),
    DossierStatus.SUBMITTED: gettext_lazy("Wait for the completeness check"),
    DossierStatus.UNDER_INSTRUCTION: gettext_lazy("Wait for the opinions of the commission members"),
    DossierStatus.REMARKS_ISSUED: gettext_lazy("Wait: remarks are being prepared"),
    DossierStatus.IN_COMMISSION: gettext_lazy("Wait for the commission's decision"),
    DossierStatus.DECIDED: gettext_lazy("Wait for the signature of the decision"),
    DossierStatus.SIGNED: gettext_lazy("Wait for the publication"),
    DossierStatus.PUBLISHED: gettext_lazy("Nothing: the decision is published"),
    DossierStatus.WITHDRAWN: gettext_lazy("Nothing: the file is withdrawn"),
}


def next_action(dossier: Dossier) -> str:
    return str(NEXT_ACTIONS.get(DossierStatus(dossier.status), ""))


def wizard_url(dossier: Dossier, step: str) -> str:
    return reverse(f"web:wizard-{step}", args=[dossier.pk])


def _owned_editable(request: HttpRequest, dossier_id: int) -> Dossier:
    """A draft (or incomplete file) of the signed-in applicant; 404 for anyone else's."""
    dossier = dossier_for(request, dossier_id)
    if not access.is_owner(request.user, dossier):
        raise Http404("not the applicant's file")
    return dossier


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


# --- my files -------------------------------------------------------------------------------------------------


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    """My files: status and the next thing to do, newest first."""
    mine = (
        selectors.dossiers_visible_to(user=request.user)
        .filter(Q(applicant_id=request.user.pk) | Q(architect_id=request.user.pk))
        .order_by("-created_at")
    )
    rows = [{"dossier": dossier, "next_action": next_action(dossier)} for dossier in mine]
    return render(request, "web/dossier_list.html", {"rows": rows})


# --- the wizard ---------------------------------------------------------------------------------------------


@login_required
def wizard_procedure(request: HttpRequest) -> HttpResponse:
    """Step 1: the procedure and the commune; creates the draft (linked to the authorised file it follows, for an
    occupancy permit or a certificate of conformity, and then pre-filled from it)."""
    form = forms.NewDossierForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["parent_dossier"] is not None:
            return _start_linked(request, data["parent_dossier"], data["procedure"], title=data["title"])
        dossier = run_service(
            request,
            lambda: services.dossier_create(
                actor=request.user,
                address=client_address(request),
                procedure=data["procedure"],
                commune=data["commune"],
                title=data["title"],
            ),
            _("Draft created. Now locate the parcels of the project."),
        )
        if dossier is not None:
            return redirect(wizard_url(dossier, "site"))
    return render(request, "web/wizard_procedure.html", {**_wizard_context(None, "procedure"), "form": form})


def _start_linked(request: HttpRequest, parent: Dossier, procedure: Procedure, title: str | None = None) -> Any:
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
    if dossier.status in EDITABLE:
        return redirect(wizard_url(dossier, "site"))
    return redirect("web:dossier-detail", dossier.pk)


def linked_offers(request: HttpRequest, dossier: Dossier) -> list[dict[str, Any]]:
    """The linked procedures the applicant may apply for from this authorised, published file, each with the file
    already in progress (if any)."""
    if not (access.is_owner(request.user, dossier) and dossier.status == DossierStatus.PUBLISHED):
        return []
    if not dossier.is_authorised:
        return []
    return [
        {
            "procedure": procedure,
            "label": localized(procedure),
            "open": linked_dossier_open(parent_dossier=dossier, procedure=procedure),
        }
        for procedure in selectors.procedures_active().filter(parent_id=dossier.procedure_id)
    ]


@login_required
@require_POST
def dossier_apply_linked(request: HttpRequest, dossier_id: int, procedure_code: str) -> HttpResponse:
    """The button of an authorised, published file: start (or reopen) its occupancy permit or certificate."""
    dossier = dossier_for(request, dossier_id)
    offer = next(
        (item for item in linked_offers(request, dossier) if item["procedure"].code == procedure_code),
        None,
    )
    if offer is None:
        raise Http404("no such linked procedure for this file")
    return _start_linked(request, dossier, offer["procedure"])


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
    """An uploaded GeoJSON, KML or DXF footprint, read by the domain through GDAL (DXF needs its EPSG code)."""
    return footprint_from_file(uploaded_file=uploaded, srid=srid)


@login_required
def wizard_site(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Step 2: the parcels (click or search on the map) and the footprint (drawn by clicks, or uploaded)."""
    dossier = _owned_editable(request, dossier_id)
    if dossier.status not in EDITABLE:
        return redirect("web:dossier-detail", dossier.pk)
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


@login_required
def wizard_project(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Step 3: the project's parameters, checked live against the zoning rules of the site."""
    dossier = _owned_editable(request, dossier_id)
    if dossier.status not in EDITABLE:
        return redirect("web:dossier-detail", dossier.pk)
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


def _document_rows(dossier: Dossier, user: Any) -> list[dict[str, Any]]:
    return [
        {
            "code": row.code,
            "required": row.required,
            "label": localized(row.required, "label")
            if row.required
            else str(FREE_TYPE_LABELS.get(row.code, row.code)),
            "versions": row.versions,
        }
        for row in _documents.document_rows(dossier=dossier, user=user)
    ]


@login_required
def wizard_documents(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Step 4: one upload per document the procedure requires."""
    dossier = _owned_editable(request, dossier_id)
    if dossier.status not in EDITABLE:
        return redirect("web:dossier-detail", dossier.pk)
    context = {
        **_wizard_context(dossier, "documents"),
        "document_rows": _document_rows(dossier, request.user),
    }
    return render(request, "web/wizard_documents.html", context)


@login_required
def wizard_review(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Step 5: everything at a glance, the pre-check, the files overlapping this ground; submit."""
    dossier = _owned_editable(request, dossier_id)
    if dossier.status not in EDITABLE:
        return redirect("web:dossier-detail", dossier.pk)
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
    context = {
        **_wizard_context(dossier, "review"),
        "form": form,
        "precheck": services.dossier_precheck_compute(dossier=dossier),
        "overlaps": selectors.dossier_overlaps(dossier=dossier),
        "missing_documents": [
            localized(document, "label") for document in services.documents_missing_mandatory(dossier=dossier)
        ],
        "parcels": list(dossier.parcels.all()),
        "document_rows": _document_rows(dossier, request.user),
    }
    return render(request, "web/wizard_review.html", context)


# --- the file page ------------------------------------------------------------------------------------------


def status_timeline(dossier: Dossier) -> list[dict[str, Any]]:
    """Every change of status of the file, oldest first, with its round (earlier rounds kept)."""
    timeline = []
    for event in selectors.audit_events_for(dossier=dossier):
        target = event.payload.get("to") if event.action.startswith("dossier.") else None
        if event.action == "dossier.created":
            target = DossierStatus.DRAFT
        if not target:
            continue
        timeline.append({"at": event.at, "status": target, "label": DossierStatus(target).label})
    return timeline


def dossier_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """What the file page shows to anyone who may see the file; action forms are added by role."""
    return {
        "dossier": dossier,
        "next_action": next_action(dossier),
        "timeline": status_timeline(dossier),
        "rounds": list(selectors.dossier_rounds(dossier=dossier)),
        "deadlines": selectors.consultation_deadlines(dossier=dossier, all_rounds=True),
        "remarks": list(selectors.remarks_for(dossier=dossier)),
        "document_rows": _document_rows(dossier, request.user),
        "parcels": list(dossier.parcels.all()),
        "actions": selectors.actions_available(dossier=dossier, user=request.user),
        "is_owner": access.is_owner(request.user, dossier),
        "opinion_choices": OpinionValue.choices,
        **linked_files(request, dossier),
    }


def linked_files(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The file this one follows and the files that follow it, as far as the user may see them."""
    visible = selectors.dossiers_visible_to(user=request.user)
    parent = dossier.parent_dossier
    return {
        "parent_dossier": parent,
        "parent_visible": parent is not None and visible.filter(pk=parent.pk).exists(),
        "linked_dossiers": list(visible.filter(parent_dossier=dossier).select_related("procedure").order_by("pk")),
    }


@login_required
def dossier_detail(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The file page: the applicant's view for the owner, the back-office view for the staff."""
    dossier = dossier_for(request, dossier_id)
    context = dossier_context(request, dossier)
    if context["is_owner"]:
        context["reply_form"] = forms.ReplyForm()
        context["withdraw_form"] = forms.WithdrawForm()
        context["editable"] = dossier.status in EDITABLE
        from web.views.commission import booking_summary

        context["commission_booking"] = booking_summary(dossier=dossier, user=request.user)
        context["published_documents"] = _documents.published_rows(dossier=dossier)
        context["decision_pending"] = _documents.decision_pending(dossier=dossier)
        context["linked_offers"] = linked_offers(request, dossier)
        return render(request, "web/dossier_applicant.html", context)
    from web.views.office import office_context

    return render(request, "web/dossier_office.html", {**context, **office_context(request, dossier)})


@login_required
@require_POST
def dossier_withdraw(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_for(request, dossier_id)
    form = forms.WithdrawForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.dossier_withdraw(
                actor=request.user, address=client_address(request), dossier=dossier, reason=form.cleaned_data["reason"]
            ),
            _("The file is withdrawn."),
        )
    return redirect("web:dossier-detail", dossier.pk)


def _remark_of(dossier: Dossier, remark_id: int) -> Any:
    remark = selectors.remarks_for(dossier=dossier).filter(pk=remark_id).first()
    if remark is None:
        raise Http404("no such remark on this file")
    return remark


@login_required
@require_POST
def remark_reply(request: HttpRequest, dossier_id: int, remark_id: int) -> HttpResponse:
    """The applicant answers one remark, optionally with a revised plan (uploaded as a new document version)."""
    dossier = dossier_for(request, dossier_id)
    remark = _remark_of(dossier, remark_id)
    form = forms.ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Write a reply before sending it."))
        return redirect("web:dossier-detail", dossier.pk)
    attachments: list[Any] = []
    plan = form.cleaned_data.get("revised_plan")
    if plan is not None:
        document = run_service(
            request,
            lambda: _documents.document_upload(
                actor=request.user,
                address=client_address(request),
                dossier=dossier,
                document_type=REVISED_PLAN,
                uploaded_file=plan,
            ),
        )
        if document is None:
            return redirect("web:dossier-detail", dossier.pk)
        attachments.append(document.pk)
    run_service(
        request,
        lambda: services.remark_reply(
            actor=request.user,
            address=client_address(request),
            remark=remark,
            text=form.cleaned_data["text"],
            attachments=attachments,
        ),
        _("Reply sent."),
    )
    return redirect("web:dossier-detail", dossier.pk)


@login_required
@require_POST
def document_upload(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Upload one document (or a new version of it) to the file."""
    dossier = dossier_for(request, dossier_id)
    form = forms.DocumentUploadForm(request.POST, request.FILES)
    back = request.POST.get("next") or reverse("web:dossier-detail", args=[dossier.pk])
    if not back.startswith("/"):
        back = reverse("web:dossier-detail", args=[dossier.pk])
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            lambda: _documents.document_upload(
                actor=request.user,
                address=client_address(request),
                dossier=dossier,
                document_type=data["document_type"],
                uploaded_file=data["file"],
            ),
            _("Document uploaded."),
        )
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect(back)


@login_required
def dossier_history(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Every audit event of the file (who, when, what) and every document version."""
    dossier = dossier_for(request, dossier_id)
    events = [
        {
            "sequence": event.sequence,
            "at": event.at,
            "action": event.action,
            "label": action_label(event.action, event.payload),
            "actor": actor_name(event.actor),
            "round": event.payload.get("round"),
        }
        for event in selectors.audit_events_for(dossier=dossier)
    ]
    return render(
        request,
        "web/dossier_history.html",
        {"dossier": dossier, "events": events, "document_rows": _document_rows(dossier, request.user)},
    )


FREE_TYPE_LABELS = {
    REVISED_PLAN: gettext_lazy("Revised plans"),
    "other": gettext_lazy("Other documents"),
}
ACTION_LABELS = {
    "dossier.created": gettext_lazy("File created"),
    "dossier.updated": gettext_lazy("File edited"),
    "dossier.dispatched": gettext_lazy("Instruction round opened, file dispatched to the commission members"),
    "consultation.opinion_given": gettext_lazy("Opinion given"),
    "consultation.tacit_opinion": gettext_lazy("Tacit opinion (deadline passed)"),
    "remark.replied": gettext_lazy("Remark answered"),
    "remark.closed": gettext_lazy("Remark closed"),
    "dossier.document_uploaded": gettext_lazy("Document uploaded"),
}


def action_label(action: str, payload: dict[str, Any]) -> str:
    """An audit action in words: a status change names the new status."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    target = payload.get("to")
    if action.startswith("dossier.") and target in DossierStatus.values:
        return _("Status: %(status)s") % {"status": DossierStatus(target).label}
    return action


def actor_name(user: Any) -> str:
    """The actor's display name only (no e-mail, no address), or the platform itself."""
    if user is None:
        return _("The platform")
    return user.get_full_name() or user.get_username()


# Kept for the templates' list of workflow actions.
ACTIONS = workflow.Action


@login_required
def document_download(request: HttpRequest, dossier_id: int, document_id: int) -> HttpResponseBase:
    """One uploaded version, to whoever may see the file; 404 for anyone else (and for another file's document)."""
    dossier = dossier_for(request, dossier_id)
    try:
        document = selectors.dossier_document_get_for(user=request.user, document_id=document_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    if document.dossier_id != dossier.pk:
        raise Http404("not a document of this file")
    return dossier_document_response(user=request.user, document_id=document.pk, request=request)


@login_required
def published_document_download(request: HttpRequest, dossier_id: int, output_id: int) -> HttpResponseBase:
    """A signed document of the published file (decision, PV extract, authorised plan), in its signed version;
    404 before the file is published, for the session's agenda, and for anyone who may not see the file."""
    dossier = dossier_for(request, dossier_id)
    try:
        document = published.published_output_get(dossier=dossier, output_id=output_id).document
    except NotFound as error:
        raise Http404(str(error)) from error
    return document_response(document, request=request)
