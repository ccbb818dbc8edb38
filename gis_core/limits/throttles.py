"""Throttles: the faces of the one limiter (`gis_core.limits.limiter`) for each kind of view.

- `ThrottleMiddleware`: the table `THROTTLE_PATHS` of (path prefix, methods, scope) in settings, for plain Django
  views and mounted applications (sign-in pages, `/ogc`, `/ows/`, `/verify/`): checked before the view runs.
- `gis_core.limits.drf.ScopedThrottle`: the DRF throttle class (`DEFAULT_THROTTLE_CLASSES`); an API view names
  its `throttle_scope` (the public look-ups, the token exchange), a view without one is not throttled.
- `throttle_check(request, scope)`: for a view that throttles only part of its work (a tile cache miss, the
  only tile request that reaches PostgreSQL): None when allowed, else the 429 response to return.

A refused request gets 429 with `Retry-After`: a problem document, or a page for a browser (`responses`).
Every scope counts per client address (`clients.throttle_key`), whatever the path within the scope.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from gis_core.limits.limiter import Verdict, request_verdict
from gis_core.limits.responses import limit_response


def too_many_requests(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    return limit_response(
        request,
        status=429,
        title=_("Too many requests"),
        detail=_("Too many requests from your address: try again in %(seconds)d seconds.")
        % {"seconds": verdict.retry_after},
        retry_after=verdict.retry_after,
        code="too_many_requests",
    )


def throttle_check(request: HttpRequest, scope: str) -> HttpResponse | None:
    """None when `request` may go on in `scope`; the 429 response otherwise."""
    verdict = request_verdict(request, scope)
    return None if verdict.allowed else too_many_requests(request, verdict)


def scope_of_path(path: str, method: str) -> str | None:
    for prefix, methods, scope in settings.THROTTLE_PATHS:
        if path.startswith(prefix) and (not methods or method in methods):
            return str(scope)
    return None


class ThrottleMiddleware:
    """Throttle the requests whose path is in `THROTTLE_PATHS` (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scope = scope_of_path(request.path, request.method or "GET")
        if scope is not None:
            refused = throttle_check(request, scope)
            if refused is not None:
                return refused
        return self.get_response(request)
