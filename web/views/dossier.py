"""The applicant's list of files and the file page: status and the next thing to do, timeline, deadlines, remarks
and replies, documents, the files it follows or that follow it, withdraw; once published, the signed decision, PV
extract and authorised plans, and the linked procedures (occupancy permit, certificate of conformity) it opens.
The owner sees the applicant's page; the staff see the back-office page with the action forms of their role.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from permits import access, selectors, services, workflow
from permits.models import REVISED_PLAN, Dossier, DossierStatus, OpinionValue
from permits.services.filing import linked_dossier_open
from web import forms
from web.i18n import localized
from web.views.commission import booking_summary
from web.views.common import back_to, client_address, dossier_for, run_service
from web.views.documents import (
    decision_pending,
    document_version_upload,
    labelled_document_rows,
    published_rows,
)
from web.views.inspections import inspection_summary
from web.views.office import office_context
from web.views.wizard import start_linked

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


# --- my files -------------------------------------------------------------------------------------------------


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    """My files: status, the next thing to do and the clock of the current step (business days left, the date),
    newest first."""
    rows = [
        {"dossier": dossier, "next_action": next_action(dossier), "clock": clock, "limit": clock and clock.next}
        for dossier, clock in selectors.dossiers_of_owner(user=request.user)
    ]
    return render(request, "web/dossier_list.html", {"rows": rows})


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
        "clock": selectors.dossier_clock(dossier=dossier),
        "today": timezone.localdate(),
        "remarks": list(selectors.remarks_for(dossier=dossier)),
        "document_rows": labelled_document_rows(dossier=dossier, user=request.user),
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
def dossier_detail(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The file page: the applicant's view for the owner, the back-office view for the staff."""
    dossier = dossier_for(request, dossier_id)
    context = dossier_context(request, dossier)
    context["inspection_summary"] = inspection_summary(dossier=dossier, user=request.user)
    if context["is_owner"]:
        context["reply_form"] = forms.ReplyForm()
        context["withdraw_form"] = forms.WithdrawForm()
        context["editable"] = dossier.status in workflow.EDITABLE
        context["commission_booking"] = booking_summary(dossier=dossier, user=request.user)
        context["published_documents"] = published_rows(dossier=dossier)
        context["decision_pending"] = decision_pending(dossier=dossier)
        context["linked_offers"] = linked_offers(request, dossier)
        return render(request, "web/dossier_applicant.html", context)
    identity = selectors.applicant_identity_for(dossier=dossier, viewer=request.user)
    return render(
        request, "web/dossier_office.html", {**context, **office_context(request, dossier), "applicant": identity}
    )


@login_required
def dossier_clock(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The file's legal clock alone (the page refreshes it from here): computed by the server, never counted down
    in the browser."""
    dossier = dossier_for(request, dossier_id)
    context = {"dossier": dossier, "clock": selectors.dossier_clock(dossier=dossier), "today": timezone.localdate()}
    return render(request, "web/_clock_figures.html", context)


# --- the applicant's actions from the file page -------------------------------------------------------------


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
    return start_linked(request, dossier, offer["procedure"])


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
        return back_to(request, dossier)
    attachments: list[Any] = []
    plan = form.cleaned_data.get("revised_plan")
    if plan is not None:
        document = run_service(
            request,
            lambda: document_version_upload(
                actor=request.user,
                address=client_address(request),
                dossier=dossier,
                document_type=REVISED_PLAN,
                uploaded_file=plan,
            ),
        )
        if document is None:
            return back_to(request, dossier)
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
    return back_to(request, dossier)
