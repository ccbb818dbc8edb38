"""The commission's pages: the applicant books, moves or cancels a slot before the commission; a member reads the
coming sessions of their commissions and each session's agenda (with its PDF); the president or the secretariat
records attendance (quorum shown), each file's joint opinion and the decision; each signer signs, in turn, the
documents waiting for them and follows the outputs to their public verification pages.

Views write through `permits.commissions.services` and read through `permits.commissions.selectors` (404 for any
booking, session, signature or document that is not the user's), and render server-side templates in fr, ar or en.
"""

from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gis_core.documents.downloads import document_response
from gis_core.problems import NotFound
from permits import access, workflow
from permits.commissions import selectors, services
from permits.commissions.errors import CommissionNotFound
from permits.commissions.models import CommissionMember, Session, SignatureStatus
from permits.inspections import selectors as inspection_selectors
from permits.models import Dossier, DossierStatus
from web import forms
from web.views.common import client_address, dossier_for, run_service

# --- helpers -------------------------------------------------------------------------------------------------


def _found[T](call: Callable[[], T]) -> T:
    """Run a look-up; the domain's `NotFound` becomes the page's 404."""
    try:
        return call()
    except NotFound as error:
        raise Http404(str(error)) from error


def _owned(request: HttpRequest, dossier_id: int) -> Dossier:
    """The file if the user is its applicant (or their architect); 404 for anyone else."""
    dossier = dossier_for(request, dossier_id)
    if not access.is_owner(request.user, dossier):
        raise Http404("only the applicant books the file's slot")
    return dossier


def booking_summary(*, dossier: Dossier, user: Any) -> dict[str, Any] | None:
    """What the file page shows in its 'Book a slot' section (None when the section is not shown: once the file is
    examined, its booking can no longer be moved or cancelled)."""
    if not access.is_owner(user, dossier) or not selectors.dossier_bookable(dossier=dossier):
        return None
    return {"booking": selectors.booking_active_for(dossier=dossier)}


# --- the applicant: book a slot ------------------------------------------------------------------------------


@login_required
def booking_page(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Free slots grouped by session day; book one, move the booking there, or cancel it (until the cut-off)."""
    dossier = _owned(request, dossier_id)
    booking = selectors.booking_active_for(dossier=dossier)
    try:
        commission = selectors.commission_for_dossier(dossier=dossier)
    except CommissionNotFound:
        commission = None
    days: OrderedDict[date, list[selectors.FreeSlot]] = OrderedDict()
    bookable = commission is not None and dossier.status in workflow.BOOKABLE
    if bookable:
        for slot in selectors.slots_free_for(dossier=dossier):
            days.setdefault(timezone.localdate(slot.starts_at), []).append(slot)
    context = {
        "dossier": dossier,
        "commission": commission,
        "booking": booking,
        "bookable": bookable,
        "movable": booking is not None and selectors.booking_movable(booking=booking),
        "days": list(days.items()),
        "cutoff_hours": commission.booking_cutoff_hours if commission else None,
    }
    return render(request, "web/commission_booking.html", context)


@login_required
@require_POST
def booking_book(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Book the slot chosen, or move the file's booking there when it already has one."""
    dossier = _owned(request, dossier_id)
    form = forms.SlotForm(request.POST)
    if not form.is_valid():
        run_service(request, lambda: _bad_slot())
        return redirect("commission:booking", dossier.pk)
    slot = run_service(request, lambda: selectors.slot_for(dossier=dossier, slot_id=form.cleaned_data["slot"]))
    if slot is None:
        return redirect("commission:booking", dossier.pk)
    booking = selectors.booking_active_for(dossier=dossier)
    address = client_address(request)
    if booking is None:
        run_service(
            request,
            lambda: services.booking_create(actor=request.user, address=address, dossier=dossier, slot=slot),
            _("Your slot is booked. A confirmation is on its way."),
        )
    else:
        run_service(
            request,
            lambda: services.booking_move(actor=request.user, address=address, booking=booking, slot=slot),
            _("Your booking is moved."),
        )
    return redirect("commission:booking", dossier.pk)


def _bad_slot() -> None:
    from permits.commissions.errors import InvalidCommissionInput

    raise InvalidCommissionInput(_("Choose a slot in the list."))


@login_required
@require_POST
def booking_cancel(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _owned(request, dossier_id)
    booking = selectors.booking_active_for(dossier=dossier)
    if booking is None:
        raise Http404("this file has no booking")
    run_service(
        request,
        lambda: services.booking_cancel(actor=request.user, address=client_address(request), booking=booking),
        _("Your booking is cancelled; the file may book another slot."),
    )
    return redirect("commission:booking", dossier.pk)


# --- commission members: the coming sessions and their agendas ----------------------------------------------


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    """The coming sessions of the user's commissions, each with its agenda."""
    overviews = selectors.session_overviews(user=request.user, sessions=selectors.sessions_for(user=request.user))
    rows = [
        {"session": overview.session, "agenda": overview.agenda, "document": overview.agenda_output}
        for overview in overviews
    ]
    pending = len(selectors.signature_requests_pending_for(user=request.user))
    return render(request, "web/commission_sessions.html", {"rows": rows, "pending_signatures": pending})


def _member_label(member: CommissionMember) -> str:
    name = member.user.get_full_name() or member.user.get_username()
    return f"{name} ({member.agency.code})"


def _examination_rows(session: Session, runner: bool) -> list[dict[str, Any]]:
    """Every file of the agenda, and every file this session has examined, with what the page shows of each."""
    rows = []
    agenda = list(selectors.examination_rows(session=session))
    reports = inspection_selectors.closed_reports_for(dossier_ids=[row.dossier.pk for row in agenda])
    for row in agenda:
        dossier_id, examination = row.dossier.pk, row.examination
        in_commission = row.dossier.status == DossierStatus.IN_COMMISSION
        rows.append(
            {
                "entry": row.entry,
                "dossier": row.dossier,
                "examination": examination,
                "consultations": row.consultations,
                "inspection": reports.get(dossier_id),
                "outputs": row.outputs,
                "examination_form": forms.ExaminationForm(
                    prefix=f"e{dossier_id}",
                    initial={
                        "joint_opinion": examination.joint_opinion,
                        "joint_motivation": examination.joint_motivation,
                    }
                    if examination
                    else None,
                )
                if runner and in_commission and row.entry is not None
                else None,
                "decision_form": forms.DecisionForm(prefix=f"d{dossier_id}")
                if runner and in_commission and examination
                else None,
            }
        )
    return rows


@login_required
def session_workspace(request: HttpRequest, session_id: int) -> HttpResponse:
    """A session of the member's commission: agenda, its PDF; for the president/secretariat the session's forms."""
    session = _found(lambda: selectors.session_for(user=request.user, session_id=session_id))
    overview = selectors.session_overviews(user=request.user, sessions=[session])[0]
    runner = overview.runner
    attendance = selectors.session_attendance(session=session)
    context = {
        "session": session,
        "commission": session.commission,
        "runner": runner,
        "agenda_document": overview.agenda_output,
        "members": attendance.members,
        "quorum": attendance.quorum,
        "attendance_form": forms.AttendanceForm(
            members=[(row.member.pk, _member_label(row.member)) for row in attendance.members],
            initial={"present": [str(row.member.pk) for row in attendance.members if row.present]},
        )
        if runner
        else None,
        "rows": _examination_rows(session, runner),
    }
    return render(request, "web/commission_session.html", context)


@login_required
def agenda_download(request: HttpRequest, session_id: int) -> HttpResponseBase:
    session = _found(lambda: selectors.session_for(user=request.user, session_id=session_id))
    found = selectors.agenda_document(session=session)
    if found is None:
        raise Http404("the agenda is not generated yet")
    return document_response(found[1], request=request)


def _run_session_or_404(request: HttpRequest, session_id: int) -> Session:
    session = _found(lambda: selectors.session_for(user=request.user, session_id=session_id))
    if not selectors.may_run_session(user=request.user, session=session):
        raise Http404("only the president or the secretariat runs the session")
    return session


@login_required
@require_POST
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _run_session_or_404(request, session_id)
    members = selectors.commission_members(commission=session.commission, include_inactive=True)
    form = forms.AttendanceForm(request.POST, members=[(member.pk, _member_label(member)) for member in members])
    if form.is_valid():
        run_service(
            request,
            lambda: services.session_attendance_record(
                actor=request.user,
                address=client_address(request),
                session=session,
                present_member_ids=form.cleaned_data["present"],
            ),
            _("Attendance recorded."),
        )
    return redirect("commission:session", session.pk)


@login_required
@require_POST
def examination(request: HttpRequest, session_id: int, dossier_id: int) -> HttpResponse:
    """The joint opinion on a file of the session's agenda (members' opinions come from the consultations)."""
    session = _run_session_or_404(request, session_id)
    booking = _found(lambda: selectors.agenda_booking_for(session=session, dossier_id=dossier_id))
    form = forms.ExaminationForm(request.POST, prefix=f"e{dossier_id}")
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            lambda: services.examination_record(
                actor=request.user,
                address=client_address(request),
                session=session,
                dossier=booking.dossier,
                joint_opinion=data["joint_opinion"],
                joint_motivation=data["joint_motivation"],
            ),
            _("The commission's joint opinion is recorded."),
        )
    else:
        run_service(request, lambda: _invalid(form))
    return redirect("commission:session", session.pk)


def _invalid(form: Any) -> None:
    from permits.commissions.errors import InvalidCommissionInput

    raise InvalidCommissionInput("; ".join(str(message) for errors in form.errors.values() for message in errors))


@login_required
@require_POST
def decide(request: HttpRequest, examination_id: int) -> HttpResponse:
    """The president decides: the minutes, the decision and the stamped plans are generated, signatures laid out."""
    found = _found(lambda: selectors.examination_for(user=request.user, examination_id=examination_id))
    form = forms.DecisionForm(request.POST, prefix=f"d{found.dossier_id}")
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            lambda: services.examination_decide(
                actor=request.user,
                address=client_address(request),
                examination=found,
                decision=data["decision"],
                motivation=data["motivation"],
                conditions=data["conditions"],
            ),
            _("Decision recorded; the minutes and the decision are ready for signature."),
        )
    else:
        run_service(request, lambda: _invalid(form))
    return redirect("commission:session", found.session_id)


# --- signers --------------------------------------------------------------------------------------------------


@login_required
def signatures(request: HttpRequest) -> HttpResponse:
    """The documents waiting for the user's signature, then those they signed, with every output of those files."""
    pending = selectors.signature_requests_pending_for(user=request.user)
    signed = selectors.signature_requests_signed_by(user=request.user)
    files = selectors.signature_files_for(requests=[*pending, *signed])
    return render(request, "web/commission_signatures.html", {"pending": pending, "signed": signed, "files": files})


@login_required
@require_POST
def sign(request: HttpRequest, request_id: int) -> HttpResponse:
    """Sign one document in turn: the PAdES signature runs in the background (Celery)."""
    found = _found(lambda: selectors.signature_request_for(user=request.user, request_id=request_id))
    done = run_service(
        request,
        lambda: services.signature_request_sign(actor=request.user, address=client_address(request), request=found),
    )
    if done is not None:
        current = selectors.signature_request_for(user=request.user, request_id=found.pk)  # signed yet, or later
        if current.status == SignatureStatus.SIGNED:
            messages_success(request, _("Signed. The signed version is in the file's documents."))
        else:
            messages_success(request, _("Your signature is being applied; this page shows it when done."))
    return redirect("commission:signatures")


def messages_success(request: HttpRequest, text: str) -> None:
    from django.contrib import messages

    messages.success(request, text)


@login_required
def output_download(request: HttpRequest, output_id: int) -> HttpResponseBase:
    """The latest version of an output (signed when signed); 404 for a document the user may not read."""
    output = _found(lambda: selectors.output_for(user=request.user, output_id=output_id))
    return document_response(selectors.output_latest_version(output=output), request=request)
