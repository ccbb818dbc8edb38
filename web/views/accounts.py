"""Signing in and out (Django's auth views, translated templates) and the account page: language and the
notification channels, saved through `permits.services.profile_update`."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from permits import services
from web import forms
from web.roles import is_back_office, is_member
from web.views.common import run_service


@login_required
def account(request: HttpRequest) -> HttpResponse:
    profile = services.profile_get(user=request.user)
    initial = {
        "phone": profile.phone,
        "preferred_language": profile.preferred_language,
        "notify_by_email": profile.notify_by_email,
        "notify_by_sms": profile.notify_by_sms,
    }
    form = forms.AccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        language = data["preferred_language"]
        translation.activate(language)
        saved = run_service(
            request,
            lambda: services.profile_update(
                user=request.user,
                phone=data["phone"],
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
    return render(request, "web/account.html", {"form": form})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """After signing in: the back office for staff, the member's queue for members, my files otherwise."""
    if is_back_office(request.user):
        return redirect("web:office-queue")
    if is_member(request.user):
        return redirect("web:office-opinions")
    return redirect("web:dossier-list")
