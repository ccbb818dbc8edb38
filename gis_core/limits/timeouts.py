"""A public request whose statement was cancelled answers 503 with `Retry-After`, never 500.

Every anonymous read (the geoportal feeds, `/map/`, the parcels API, the pre-check, `/verify/`) goes through the
`geoportal` alias, whose connections carry a statement timeout (`GEOPORTAL_STATEMENT_TIMEOUT_MS`, set when the
connection opens): PostgreSQL cancels a statement that runs longer, and this middleware turns the cancellation
(from any connection) into a clear answer.
"""

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from psycopg import errors

from gis_core.limits.responses import limit_response

RETRY_AFTER_SECONDS = 30


def is_statement_timeout(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and isinstance(error.__cause__, errors.QueryCanceled)


class PublicStatementTimeoutMiddleware:
    """Answer a cancelled statement with 503 and `Retry-After` (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_statement_timeout(exception):
            return None
        return limit_response(
            request,
            status=503,
            title=_("Request took too long"),
            detail=_("This request took too long to answer and was stopped: narrow it, or try again later."),
            retry_after=RETRY_AFTER_SECONDS,
            code="statement_timeout",
        )
