"""The answer to a request refused by a limit: a problem document for programs, a short page for browsers.

A request gets the HTML page when it is outside the API prefixes (`gis_core.problems.PROBLEM_PATH_PREFIXES`) and
its `Accept` header names `text/html` (a browser); everything else gets `application/problem+json`. Both carry
`Retry-After` when waiting helps (RFC 9110: 429 and 503).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from gis_core.problems import PROBLEM_PATH_PREFIXES, problem_response


def wants_page(request: HttpRequest) -> bool:
    return not request.path.startswith(PROBLEM_PATH_PREFIXES) and "text/html" in request.headers.get("Accept", "")


def limit_response(
    request: HttpRequest, *, status: int, title: str, detail: str, retry_after: int | None = None, **extra: Any
) -> HttpResponse:
    response: HttpResponse
    if wants_page(request):
        html = render_to_string("gis_core/limit.html", {"title": title, "detail": detail}, request=request)
        response = HttpResponse(html, status=status)
    else:
        if retry_after is not None:
            extra["retry_after"] = retry_after
        response = problem_response(status, str(title), str(detail), **extra)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
