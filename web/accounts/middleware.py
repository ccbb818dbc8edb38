"""Back-office roles sign in with a second factor (TOTP, allauth.mfa): before any back-office page or API call.

A user holding a back-office role (desk, commission member or president, signing authority, administrator) or the
admin site's flags is sent to set TOTP up when they have none, and to give a TOTP code when this session was
opened without one (e.g. through the admin's own sign-in). Account pages (sign-out, 2FA set-up, e-mail, password),
public pages and static files stay open. A session API call gets a 403 problem document instead of a redirect.
API tokens are unaffected: a token is created on a page of this session, which passed the second factor.
Applicants and architects may turn TOTP on; it is then asked at every sign-in by allauth itself.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from gis_core.problems import problem_response
from permits.services.accounts import two_factor_required

#: Paths open to a back-office user who has not passed the second factor: public pages and account pages.
OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/favicon.ico", "/verify/", "/map/", "/tiles/", "/ogc", "/ows")
#: Account pages that still need it: API tokens are created only from a session that passed the second factor.
GUARDED_ACCOUNT_PREFIXES = ("/accounts/tokens/",)
SESSION_CACHE_KEY = "back_office_two_factor_passed"


def _guarded(path: str) -> bool:
    if path == "/" or path.startswith(GUARDED_ACCOUNT_PREFIXES):
        return path != "/"
    return not path.startswith(OPEN_PREFIXES)


def _passed_second_factor(request: HttpRequest) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class BackOfficeTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.MFA_REQUIRED_FOR_BACK_OFFICE
            and user is not None
            and user.is_authenticated
            and _guarded(request.path)
            and not request.session.get(SESSION_CACHE_KEY)
            and two_factor_required(user)
        ):
            if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
                return self._refuse(
                    request,
                    "mfa_activate_totp",
                    _("Your role needs two-factor authentication: set up an authenticator app first."),
                )
            if not _passed_second_factor(request):
                return self._refuse(
                    request,
                    "mfa_reauthenticate",
                    _("Your role needs two-factor authentication: enter the code of your authenticator app."),
                )
            request.session[SESSION_CACHE_KEY] = True
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, url_name: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return problem_response(403, _("Two-factor authentication required"), message, code="two_factor_required")
        from django.contrib import messages

        messages.warning(request, message)
        return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")
