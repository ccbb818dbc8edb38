"""The Content-Security-Policy of every response: django-csp's middleware, with a policy per route.

The strict policy (`CONTENT_SECURITY_POLICY` in the settings) is every page's: scripts and styles from our own
static files only, no inline script, no inline style, no `eval`. A few routes we do not write the HTML of need
more, and `CONTENT_SECURITY_POLICY_ROUTES` says which and why: a list of (path prefix, directives replacing the
strict policy's), the first matching prefix wins. A view may still adjust its own policy with django-csp's
decorators (`csp.decorators.csp_update` / `csp_replace`), applied on top.
"""

from __future__ import annotations

from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def route_policy(path: str) -> dict[str, Any] | None:
    """The directives that replace the strict policy's under this path, or None (strict)."""
    for prefix, directives in settings.CONTENT_SECURITY_POLICY_ROUTES:
        if path.startswith(prefix):
            return dict(directives)
    return None


class RoutePolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the route's replacements under the view's own."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None:
            replacements = route_policy(request.path_info)
            if replacements is not None:
                parts.replace = {**replacements, **(parts.replace or {})}
        return parts
