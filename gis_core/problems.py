"""One place that maps errors to HTTP: RFC 9457 problem details (`application/problem+json`).

Domain code raises typed exceptions (subclasses of `DomainError`, or the kernel's geometry/CRS errors);
`exception_handler` (DRF) and `problem_response` (plain Django views) turn them into 4xx problem documents.
"""

from typing import Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gis_core.geometry import CoordinatesOutsideCrs, InvalidGeometry
from gis_core.srid import UnknownSrid

PROBLEM_CONTENT_TYPE = "application/problem+json"
# URL prefixes whose clients are programs: errors there are problem documents, never HTML pages.
PROBLEM_PATH_PREFIXES = ("/api/", "/tiles/")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, served as application/problem+json (the OpenAPI component `Problem`)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(  # type: ignore[assignment]  # a field, not Serializer.errors
        required=False, help_text="Field errors of a validation failure."
    )


class DomainError(Exception):
    """Base of the domain's typed errors; `status` and `title` say how the API reports them."""

    status: int = 400
    title: str = "Invalid request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status = 404
    title = "Not found"


class BadInput(DomainError):
    status = 400
    title = "Invalid input"


KERNEL_ERRORS: dict[type[Exception], tuple[int, str]] = {
    InvalidGeometry: (400, "Invalid geometry"),
    CoordinatesOutsideCrs: (400, "Coordinates outside the coordinate reference system"),
    UnknownSrid: (400, "Unknown SRID"),
}


def problem(status_code: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status_code, "detail": detail}
    body.update(extra)
    return body


def as_problem(error: Exception) -> dict[str, Any] | None:
    if isinstance(error, DomainError):
        return problem(error.status, error.title, error.detail, **error.extra)
    for error_type, (status_code, title) in KERNEL_ERRORS.items():
        if isinstance(error, error_type):
            return problem(status_code, title, str(error))
    return None


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, DataError):
        # A value the database refuses for its column type (a NUL character in text, a number out of range):
        # the client's input, not a server fault. Nothing was written: the statement failed.
        return Response(
            problem(400, "Invalid input", "The request holds a value that cannot be stored (e.g. a NUL character)."),
            status=400,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    body = as_problem(error)
    if body is None:
        response = drf_exception_handler(error, context)
        if response is None:
            return None
        detail = response.data
        if isinstance(error, exceptions.ValidationError):
            body = problem(response.status_code, "Invalid input", "The request has invalid fields.", errors=detail)
        else:
            text = detail.get("detail", str(detail)) if isinstance(detail, dict) else str(detail)
            body = problem(response.status_code, str(getattr(error, "default_detail", "Error")), str(text))
        return Response(
            body, status=response.status_code, content_type=PROBLEM_CONTENT_TYPE, headers=_kept_headers(response)
        )
    return Response(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE)


# Headers DRF sets on its error responses that clients rely on (RFC 9110): kept on the problem document.
KEPT_HEADERS = ("WWW-Authenticate", "Retry-After", "Allow")


def _kept_headers(response: Response) -> dict[str, str]:
    return {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}


def problem_response(status_code: int, title: str, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse(
        problem(status_code, title, detail, **extra), status=status_code, content_type=PROBLEM_CONTENT_TYPE
    )


def _wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith(PROBLEM_PATH_PREFIXES)


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a problem document under the API prefixes, Django's page elsewhere."""
    if _wants_problem(request):
        return problem_response(status.HTTP_404_NOT_FOUND, "Not found", f"Nothing is published at {request.path}.")
    return defaults.page_not_found(request, exception or Http404())


def server_error_view(request: HttpRequest) -> HttpResponse:
    """handler500: even an unexpected failure answers the API's clients in the format they parse."""
    if _wants_problem(request):
        return problem_response(500, "Internal error", "The server failed to answer this request; it was logged.")
    return defaults.server_error(request)
