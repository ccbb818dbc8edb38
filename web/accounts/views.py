"""Account pages of our own (allauth has the others): the phone change by a one-time SMS code, the personal data
export (JSON), the account's deletion, and the desk's list of architects whose order number it checks."""

import json

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gis_core.api_tokens import services as token_services
from permits import selectors
from permits.errors import AccountRefused, PermissionDenied
from permits.models import ArchitectStatus
from permits.services import accounts as account_services
from web import forms
from web.views.common import client_address, run_service


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def phone_change(request: HttpRequest) -> HttpResponse:
    """Step 1: the new number (a code is sent to it by SMS); step 2: the code. The number changes only then."""
    pending = account_services.phone_change_open(user=request.user)
    if pending is not None and pending.expires_at <= timezone.now():
        pending = None
    phone_form = forms.PhoneChangeForm(request.POST if request.POST.get("step") == "phone" else None)
    code_form = forms.PhoneCodeForm(request.POST if request.POST.get("step") == "code" else None)
    if request.method == "POST" and request.POST.get("step") == "phone" and phone_form.is_valid():
        try:
            account_services.phone_change_request(
                user=request.user, phone=phone_form.cleaned_data["phone"], address=client_address(request)
            )
        except AccountRefused as error:
            phone_form.add_error("phone", str(error.detail))
        else:
            messages.success(request, _("A code is on its way by SMS: type it below."))
            return redirect("web:account-phone")
    if request.method == "POST" and request.POST.get("step") == "code" and code_form.is_valid():
        try:
            account_services.phone_change_confirm(
                user=request.user, code=code_form.cleaned_data["code"], address=client_address(request)
            )
        except AccountRefused as error:
            code_form.add_error("code", str(error.detail))
            pending = account_services.phone_change_open(user=request.user)
        else:
            messages.success(request, _("Your phone number is changed."))
            return redirect("web:account")
    status = 400 if request.method == "POST" else 200
    context = {"phone_form": phone_form, "code_form": code_form, "pending": pending}
    return _private(render(request, "web/account_phone.html", context, status=status))


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    """GET: what the export holds; POST: the JSON download (audited)."""
    if request.method != "POST":
        return _private(render(request, "web/account_export.html"))
    document = account_services.account_export(user=request.user, address=client_address(request))
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="urbaplan-my-data-{stamp}.json"'
    return _private(response)


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete my account (applicants and architects): refused while a filed file is open; decided files are kept,
    pseudonymised. Asks the password again; signs out every session of the account."""
    form = forms.AccountDeleteForm(request.POST or None)
    blockers = account_services.account_deletion_blockers(user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and not request.user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("This is not your password."))
        if form.is_valid():
            user = request.user
            try:
                with transaction.atomic():
                    account_services.account_delete(user=user, address=client_address(request))
                    _forget_sign_ins(user)
            except AccountRefused as error:
                form.add_error(None, str(error.detail))
            except PermissionDenied:
                form.add_error(None, _("Staff accounts are closed by an administrator."))
            else:
                logout(request)
                messages.success(
                    request, _("Your account is deleted. Files already decided are kept without your name.")
                )
                return redirect("web:login")
    context = {"form": form, "blockers": blockers}
    return _private(render(request, "web/account_delete.html", context, status=status))


def _forget_sign_ins(user: object) -> None:
    """What allauth holds for a deleted account: its addresses, its authenticators, its other sessions, its tokens."""
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()
    token_services.api_tokens_revoke_all(user=user)


@login_required
def architects_queue(request: HttpRequest) -> HttpResponse:
    """The desk's list: architects awaiting the check of their order number, and the last ones checked."""
    try:
        account_services.architect_reviewer_check(actor=request.user)
    except PermissionDenied as error:
        raise Http404("not a desk agent") from error
    context = {
        "pending": selectors.architects_to_check(status=ArchitectStatus.PENDING),
        "review_form": forms.ArchitectReviewForm(),
    }
    return _private(render(request, "web/office_architects.html", context))


@login_required
@require_POST
def architect_review(request: HttpRequest, user_id: int) -> HttpResponse:
    form = forms.ArchitectReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The data given are not valid."))
        return redirect("web:office-architects")
    verified = form.cleaned_data["decision"] == "verify"
    reviewed = run_service(
        request,
        lambda: account_services.architect_review(
            actor=request.user,
            architect_id=user_id,
            verified=verified,
            reason=form.cleaned_data["reason"],
            address=client_address(request),
        ),
    )
    if reviewed is not None:
        name = reviewed.get_full_name() or reviewed.get_username()
        text = _("%(name)s is verified.") if verified else _("%(name)s is refused; they are told why.")
        messages.success(request, text % {"name": name})
    return redirect("web:office-architects")
