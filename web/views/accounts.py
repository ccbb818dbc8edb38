"""The account page: who I am (name, e-mail, phone, CIN: mine to see), language and notification channels (saved
through `permits.services.profile_update`), links to allauth's pages (e-mail, password, two-factor, sessions) and
to the phone change, export and deletion (`web.accounts.views`); and the account's API tokens
(`gis_core.api_tokens`): created here (the key shown once), listed, revoked one by one or all at once."""

from typing import Any

from allauth.account.views import LoginView
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gis_core.api_tokens import selectors as token_selectors
from gis_core.api_tokens import services as token_services
from permits import services
from web import forms
from web.development import demo_sign_in_context
from web.roles import is_back_office, is_member
from web.views.common import run_service


class SignInView(LoginView):
    """allauth's sign-in, with the tour's demo accounts and password named in development (never in production)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **demo_sign_in_context()}


@login_required
def account(request: HttpRequest) -> HttpResponse:
    profile = services.profile_get(user=request.user)
    initial = {
        "preferred_language": profile.preferred_language,
        "notify_by_email": profile.notify_by_email,
        "notify_by_sms": profile.notify_by_sms,
    }
    form = forms.AccountForm(request.POST or None, initial=initial, has_phone=bool(profile.phone))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        language = data["preferred_language"]
        translation.activate(language)
        saved = run_service(
            request,
            lambda: services.profile_update(
                user=request.user,
                preferred_language=language,
                notify_by_email=data["notify_by_email"],
                notify_by_sms=data["notify_by_sms"],
            ),
            _("Your settings are saved."),
        )
        if saved is not None:
            response = redirect("web:account")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
            return response
    context = {
        "form": form,
        "profile": profile,
        "two_factor_on": is_mfa_enabled(request.user, [Authenticator.Type.TOTP]),
        "self_service": not is_back_office(request.user) and not is_member(request.user),
    }
    page = render(request, "web/account.html", context)
    patch_cache_control(page, no_store=True, private=True)  # the CIN and the phone: not in any cache
    return page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """After signing in: the back office for staff, the member's queue for members, my files otherwise."""
    if is_back_office(request.user):
        return redirect("web:office-queue")
    if is_member(request.user):
        return redirect("web:office-opinions")
    return redirect("web:dossier-list")


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """My API tokens; a POST creates one, whose key this response shows once (and no cache keeps)."""
    form = forms.ApiTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        issued = run_service(request, lambda: token_services.api_token_create(user=request.user, name=name))
        form = forms.ApiTokenForm()
    tokens = token_selectors.api_tokens_of(user=request.user)
    context = {"form": form, "issued": issued, "tokens": tokens, "ttl_days": settings.API_TOKEN_TTL_DAYS}
    response = render(request, "web/account_tokens.html", context)
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    run_service(
        request,
        lambda: token_services.api_token_revoke(user=request.user, token_id=token_id),
        _("The token is revoked: programs using it are signed out."),
    )
    return redirect("web:account-tokens")


@login_required
@require_POST
def api_tokens_revoke_all(request: HttpRequest) -> HttpResponse:
    run_service(
        request,
        lambda: token_services.api_tokens_revoke_all(user=request.user),
        _("All your tokens are revoked: every program using one is signed out."),
    )
    return redirect("web:account-tokens")
