"""What a locked-out sign-in gets: failed sign-ins lock an account for a while (django-axes, settings `AXES_*`).

django-axes counts failed sign-ins of the web login (django-allauth's, by username or e-mail address), the admin
login and `POST /api/auth/token/` (every `authenticate()` with a request) per name typed and address, and refuses
the account from that address for `SIGNIN_LOCKOUT_MINUTES` after `SIGNIN_FAILURE_LIMIT` failures, the right
password included. `AxesMiddleware` then calls `lockout_response` (`AXES_LOCKOUT_CALLABLE`) instead of answering
with the view's response:

- a sign-in page (the view answered with its form) is shown again with the lockout as the form's error;
- the API gets a 429 problem document (`code: account_locked`); both carry `Retry-After`.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from gis_core.limits.responses import limit_response


def sign_in_name(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The name a sign-in is counted under (`AXES_USERNAME_CALLABLE`): what was typed, lower-cased.

    allauth authenticates with `username=` or `email=` and its form names the field `login`; the admin and the
    token endpoint send `username`. One person typing "Amina" or "amina" is one count.
    """
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for field in ("username", "email", "login"):
            value = source.get(field)
            if value:
                return str(value).strip().lower()
    data = getattr(request, "data", None)
    if isinstance(data, dict) and data.get("username"):
        return str(data["username"]).strip().lower()
    return None


def cool_off_seconds() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return int(cool_off.total_seconds()) if isinstance(cool_off, timedelta) else 3600


def lockout_message() -> str:
    minutes = max(1, round(cool_off_seconds() / 60))
    return _("Too many failed sign-ins: this account is locked for %(minutes)d minutes. Try again later.") % {
        "minutes": minutes
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    message = lockout_message()
    retry_after = cool_off_seconds()
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if isinstance(original_response, TemplateResponse) and form is not None and hasattr(form, "add_error"):
        form.errors.pop(NON_FIELD_ERRORS, None)
        form.add_error(None, message)
        context["sign_in_locked"] = message
        original_response.context_data = context
        original_response.content = original_response.rendered_content
        original_response.status_code = 429
        original_response["Retry-After"] = str(retry_after)
        return original_response
    return limit_response(
        request, status=429, title=_("Account locked"), detail=message, retry_after=retry_after, code="account_locked"
    )
