"""The back office: the desk's queue (files to check, remarks to send, files to take to commission, decisions to
sign and publish), a member's queue of consultations with their deadlines, and the actions run from the file
view (completeness, opinion, remarks, commission, decision, signature, publication). Every action goes through
one permits service; the buttons shown follow `actions_available`, and the services check again.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from permits import selectors, services
from permits.deadlines import business_days_remaining
from permits.models import Consultation, ConsultationStatus, Dossier, DossierStatus
from web import forms
from web.roles import is_back_office, is_member
from web.views.common import client_address, dossier_for, run_service

DESK_SECTIONS = (
    (DossierStatus.SUBMITTED, gettext_lazy("To check for completeness")),
    (DossierStatus.REMARKS_ISSUED, gettext_lazy("Remarks to send to the applicant")),
    (DossierStatus.UNDER_INSTRUCTION, gettext_lazy("Under instruction")),
    (DossierStatus.AWAITING_APPLICANT, gettext_lazy("Awaiting the applicant")),
    (DossierStatus.IN_COMMISSION, gettext_lazy("In commission: to decide")),
    (DossierStatus.DECIDED, gettext_lazy("Decided: to sign")),
    (DossierStatus.SIGNED, gettext_lazy("Signed: to publish")),
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
    return render(request, "web/office_queue.html", {"sections": sections})


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


def office_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The action forms of the back-office file view, for the actions this user may run now."""
    actions = set(selectors.actions_available(dossier=dossier, user=request.user))
    return {
        "completeness_form": forms.CompletenessForm(procedure=dossier.procedure)
        if "accept_complete" in actions
        else None,
        "remark_form": forms.RemarkForm() if "issue_remark" in actions else None,
        "decision_form": forms.DecisionForm() if "decide" in actions else None,
        "sign_form": forms.SignForm() if "sign" in actions else None,
        "my_consultations": [
            {"consultation": consultation, "form": forms.OpinionForm(prefix=f"c{consultation.pk}")}
            for consultation in _my_pending_consultations(request, dossier)
        ],
        "close_form": forms.RemarkCloseForm(),
    }


def _back(dossier: Dossier) -> HttpResponse:
    return redirect("web:dossier-detail", dossier.pk)


@login_required
@require_POST
def completeness(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_for(request, dossier_id)
    form = forms.CompletenessForm(request.POST, procedure=dossier.procedure)
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            lambda: services.dossier_check_completeness(
                actor=request.user,
                address=client_address(request),
                dossier=dossier,
                complete=data["complete"],
                missing_documents=data["missing_documents"],
                note=data["note"],
            ),
            _("The file is complete and dispatched.") if data["complete"] else _("The file is returned as incomplete."),
        )
    else:
        run_service(request, lambda: _invalid(form))
    return _back(dossier)


def _invalid(form: Any) -> None:
    from permits.errors import InvalidDossier

    errors = "; ".join(str(message) for messages in form.errors.values() for message in messages)
    raise InvalidDossier(errors)


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
    form = forms.OpinionForm(request.POST, prefix=f"c{consultation.pk}")
    if form.is_valid():
        run_service(
            request,
            lambda: services.opinion_give(
                actor=request.user,
                address=client_address(request),
                consultation=consultation,
                opinion=form.cleaned_data["opinion"],
                motivation=form.cleaned_data["motivation"],
            ),
            _("Opinion recorded."),
        )
    else:
        run_service(request, lambda: _invalid(form))
    return _back(dossier)


@login_required
@require_POST
def remark_issue(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_for(request, dossier_id)
    form = forms.RemarkForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.remark_issue(
                actor=request.user,
                address=client_address(request),
                dossier=dossier,
                text=form.cleaned_data["text"],
                document_reference=form.cleaned_data["document_reference"],
            ),
            _("Remark recorded. Send the remarks to the applicant when the round's remarks are all in."),
        )
    else:
        run_service(request, lambda: _invalid(form))
    return _back(dossier)


@login_required
@require_POST
def remarks_send(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_for(request, dossier_id)
    run_service(
        request,
        lambda: services.remarks_send_to_applicant(
            actor=request.user, address=client_address(request), dossier=dossier
        ),
        _("Remarks sent to the applicant."),
    )
    return _back(dossier)


@login_required
@require_POST
def remark_close(request: HttpRequest, dossier_id: int, remark_id: int) -> HttpResponse:
    dossier = dossier_for(request, dossier_id)
    remark = selectors.remarks_for(dossier=dossier).filter(pk=remark_id).first()
    if remark is None:
        raise Http404("no such remark on this file")
    form = forms.RemarkCloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    run_service(
        request,
        lambda: services.remark_close(actor=request.user, address=client_address(request), remark=remark, note=note),
        _("Remark closed."),
    )
    return _back(dossier)


@login_required
@require_POST
def send_to_commission(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_for(request, dossier_id)
    run_service(
        request,
        lambda: services.dossier_send_to_commission(
            actor=request.user, address=client_address(request), dossier=dossier
        ),
        _("The file is on the commission's agenda."),
    )
    return _back(dossier)


@login_required
@require_POST
def decide(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_for(request, dossier_id)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            lambda: services.dossier_decide(
                actor=request.user,
                address=client_address(request),
                dossier=dossier,
                decision=data["decision"],
                motivation=data["motivation"],
                conditions=data["conditions"],
            ),
            _("Decision recorded."),
        )
    else:
        run_service(request, lambda: _invalid(form))
    return _back(dossier)


@login_required
@require_POST
def sign(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_for(request, dossier_id)
    form = forms.SignForm(request.POST)
    reference = form.cleaned_data["signature_reference"] if form.is_valid() else ""
    run_service(
        request,
        lambda: services.dossier_sign(
            actor=request.user, address=client_address(request), dossier=dossier, signature_reference=reference
        ),
        _("Decision signed."),
    )
    return _back(dossier)


@login_required
@require_POST
def publish(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_for(request, dossier_id)
    run_service(
        request,
        lambda: services.dossier_publish(actor=request.user, address=client_address(request), dossier=dossier),
        _("Decision published on the geoportal."),
    )
    return _back(dossier)
