"""The back office: the desk's queue (files to check, remarks to send, files to take to commission, files in
commission, decided files being signed), a member's queue of consultations with their deadlines, and the actions run
from the file view (completeness, opinion, remarks, taking the file to its commission, and the decision of a
service for the procedures that need no commission). Every action goes through one service; the buttons shown
follow `actions_available`, and the services check again.

There is no decide, sign or publish button here: a file is decided by its commission's president from its
examination in session (`web.views.commission`), signed by each signer from their signatures page, and published
when its last signature verifies. The file page says so, with the file's session and its signatures.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from permits import selectors, services, workflow
from permits.commissions import selectors as commission_selectors
from permits.commissions import services as commission_services
from permits.deadlines import business_days_remaining
from permits.errors import InvalidDossier
from permits.inspections import selectors as inspection_selectors
from permits.models import Consultation, ConsultationStatus, DecisionPath, Dossier, DossierStatus, Role
from web import forms
from web.roles import is_back_office, is_member, roles_of
from web.views.common import client_address, dossier_for, run_service

DESK_SECTIONS = (
    (DossierStatus.SUBMITTED, gettext_lazy("To check for completeness")),
    (DossierStatus.REMARKS_ISSUED, gettext_lazy("Remarks to send to the applicant")),
    (DossierStatus.UNDER_INSTRUCTION, gettext_lazy("Under instruction")),
    (DossierStatus.AWAITING_APPLICANT, gettext_lazy("Awaiting the applicant")),
    (DossierStatus.IN_COMMISSION, gettext_lazy("In commission: decided in session")),
    (DossierStatus.DECIDED, gettext_lazy("Decided: being signed")),
)


@login_required
def desk_queue(request: HttpRequest) -> HttpResponse:
    """The files of the user's territory by what they wait for, oldest filing first."""
    if not is_back_office(request.user):
        raise Http404("not a back-office user")
    visible = selectors.dossiers_visible_to(user=request.user)
    sections = []
    for status, title in DESK_SECTIONS:
        files = list(visible.filter(status=status).order_by("submitted_at", "pk"))
        sections.append({"status": str(status), "title": title, "files": files})
    architects_waiting = None
    if roles_of(request.user) & {Role.DESK_AGENT, Role.ADMINISTRATOR}:
        architects_waiting = selectors.architects_to_check().count()
    inspections = list(inspection_selectors.inspections_upcoming_for(user=request.user))
    order = request.GET.get("order", "days_left")
    if order not in selectors.CLOCK_ORDERS:
        order = "days_left"
    by_days_left = [
        {"dossier": dossier, "clock": clock, "next": clock.next}
        for dossier, clock in selectors.dossiers_by_days_left(user=request.user, order=order)
    ]
    context = {
        "sections": sections,
        "architects_waiting": architects_waiting,
        "inspections": inspections,
        "by_days_left": by_days_left,
        "order": order,
        "today": timezone.localdate(),
    }
    return render(request, "web/office_queue.html", context)


@login_required
def member_queue(request: HttpRequest) -> HttpResponse:
    """A commission member's consultations, soonest deadline first, with business days remaining."""
    if not is_member(request.user):
        raise Http404("not a commission member")
    today = timezone.localdate()
    consultations = list(selectors.consultations_queue_for(user=request.user, pending_only=False))
    rows: list[dict[str, Any]] = [
        {"consultation": consultation, "remaining": business_days_remaining(today, consultation.deadline)}
        for consultation in consultations
    ]
    pending = [row for row in rows if row["consultation"].status == ConsultationStatus.PENDING]
    done = [row for row in rows if row["consultation"].status != ConsultationStatus.PENDING]
    return render(request, "web/office_opinions.html", {"pending": pending, "done": done, "today": today})


def _my_pending_consultations(request: HttpRequest, dossier: Dossier) -> list[Consultation]:
    return list(selectors.consultations_queue_for(user=request.user).filter(dossier=dossier))


def legal_path_of(dossier: Dossier) -> dict[str, Any] | None:
    """What the file page says of the decision's path while the file awaits its decision or its signatures: who
    decides (the commission in session, or the service the catalogue names), the file's session, its signatures."""
    if dossier.status not in workflow.TAKING_OPINIONS | {DossierStatus.IN_COMMISSION, DossierStatus.DECIDED}:
        return None
    service = dossier.procedure.decided_by == DecisionPath.SERVICE
    booking = None if service else commission_selectors.booking_active_for(dossier=dossier)
    return {
        "by_service": service,
        "receipt": service and selectors.procedure_issues_receipt(procedure=dossier.procedure),
        "service": dossier.procedure.commission_name_fr,
        "session": booking.session if booking else None,
        "signing": dossier.status == DossierStatus.DECIDED,
    }


def office_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The action forms of the back-office file view, for the actions this user may run now."""
    actions = set(selectors.actions_available(dossier=dossier, user=request.user))
    legal_path = legal_path_of(dossier)
    decision_form = forms.ReceiptDecisionForm if legal_path and legal_path["receipt"] else forms.DecisionForm
    return {
        "completeness_form": forms.CompletenessForm(procedure=dossier.procedure)
        if "accept_complete" in actions
        else None,
        "remark_form": forms.RemarkForm() if "issue_remark" in actions else None,
        "service_decision_form": decision_form() if "decide_without_commission" in actions else None,
        "legal_path": legal_path,
        "my_consultations": [
            {"consultation": consultation, "form": forms.OpinionForm(prefix=f"c{consultation.pk}")}
            for consultation in _my_pending_consultations(request, dossier)
        ],
        "close_form": forms.RemarkCloseForm(),
    }


# A success message, or one made from the form's cleaned data (translated when the request is answered).
Success = str | Promise | Callable[[dict[str, Any]], str | Promise]


def _back(dossier: Dossier) -> HttpResponse:
    return redirect("web:dossier-detail", dossier.pk)


def _run_action(
    request: HttpRequest,
    dossier: Dossier,
    service: Callable[..., object],
    success: Success,
    /,
    *,
    form: Form | None = None,
    **arguments: Any,
) -> HttpResponse:
    """Run one permits service as the signed-in user with `arguments` and the form's cleaned data (its fields are
    named as the service's parameters), show the outcome as a message and go back to the file page. An invalid form
    runs nothing: its errors are shown as the domain's refusal would be."""
    if form is not None and not form.is_valid():
        run_service(request, lambda: _invalid(form))
        return _back(dossier)
    data = form.cleaned_data if form is not None else {}
    message = str(success(data) if callable(success) else success)
    run_service(
        request,
        lambda: service(actor=request.user, address=client_address(request), **arguments, **data),
        message,
    )
    return _back(dossier)


def _invalid(form: Any) -> None:
    errors = "; ".join(str(message) for messages in form.errors.values() for message in messages)
    raise InvalidDossier(errors)


def _file_action(
    service: Callable[..., object],
    success: Success,
    form: Callable[[HttpRequest, Dossier], Form] | None = None,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """The view of a back-office action on the whole file: POST only, 404 for a file the user may not see, then
    `service(dossier=…)` through `_run_action` (with the form's data when the action has a form)."""

    @login_required
    @require_POST
    def view(request: HttpRequest, dossier_id: int) -> HttpResponse:
        dossier = dossier_for(request, dossier_id)
        bound = form(request, dossier) if form is not None else None
        return _run_action(request, dossier, service, success, form=bound, dossier=dossier)

    return view


completeness = _file_action(
    services.dossier_check_completeness,
    lambda data: (
        gettext_lazy("The file is complete and dispatched.")
        if data["complete"]
        else gettext_lazy("The file is returned as incomplete.")
    ),
    lambda request, dossier: forms.CompletenessForm(request.POST, procedure=dossier.procedure),
)
remark_issue = _file_action(
    services.remark_issue,
    gettext_lazy("Remark recorded. Send the remarks to the applicant when the round's remarks are all in."),
    lambda request, dossier: forms.RemarkForm(request.POST),
)
remarks_send = _file_action(services.remarks_send_to_applicant, gettext_lazy("Remarks sent to the applicant."))
send_to_commission = _file_action(
    services.dossier_send_to_commission, gettext_lazy("The file is on the commission's agenda.")
)
decide_without_commission = _file_action(
    commission_services.service_decide,
    gettext_lazy("Decision recorded; it is published once the signing authority's signature is applied."),
    lambda request, dossier: forms.DecisionForm(request.POST),
)


@login_required
@require_POST
def opinion(request: HttpRequest, dossier_id: int, consultation_id: int) -> HttpResponse:
    """A member gives the opinion of their agency; a consultation not in their queue is a 404."""
    dossier = dossier_for(request, dossier_id)
    consultation = (
        selectors.consultations_queue_for(user=request.user, pending_only=False)
        .filter(dossier=dossier, pk=consultation_id)
        .first()
    )
    if consultation is None:
        raise Http404("no such consultation in your queue")
    return _run_action(
        request,
        dossier,
        services.opinion_give,
        _("Opinion recorded."),
        form=forms.OpinionForm(request.POST, prefix=f"c{consultation.pk}"),
        consultation=consultation,
    )


@login_required
@require_POST
def remark_close(request: HttpRequest, dossier_id: int, remark_id: int) -> HttpResponse:
    """Close one remark of the file (an optional note; an invalid one is left out)."""
    dossier = dossier_for(request, dossier_id)
    remark = selectors.remarks_for(dossier=dossier).filter(pk=remark_id).first()
    if remark is None:
        raise Http404("no such remark on this file")
    form = forms.RemarkCloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _run_action(request, dossier, services.remark_close, _("Remark closed."), remark=remark, note=note)
