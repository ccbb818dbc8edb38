"""A statement timeout on the public requests that read through the `default` connection.

The geoportal feeds read through the `geoportal` alias, whose role has a statement timeout of its own
(`GEOPORTAL_STATEMENT_TIMEOUT_MS`). The anonymous look-ups that still read through `default` (the prefixes of
`PUBLIC_STATEMENT_TIMEOUT_PATHS`: parcels, constraints, the pre-check, /verify/) run inside one transaction
whose first statement is `set_config('statement_timeout', ..., true)` (`SET LOCAL`): PostgreSQL cancels any of
their statements past `PUBLIC_STATEMENT_TIMEOUT_MS`, and the setting ends with the transaction, so a pooled
connection never keeps it. A cancelled statement (from any connection) answers 503 with `Retry-After`, not 500.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from psycopg import errors

from gis_core.limits.responses import limit_response

ALIAS = "default"
RETRY_AFTER_SECONDS = 30
TIMED_REQUEST = "urbaplan.statement_timeout"


def is_statement_timeout(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and isinstance(error.__cause__, errors.QueryCanceled)


def is_public(path: str) -> bool:
    return path.startswith(tuple(settings.PUBLIC_STATEMENT_TIMEOUT_PATHS))


class PublicStatementTimeoutMiddleware:
    """Run the public requests under a statement timeout (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout_ms = settings.PUBLIC_STATEMENT_TIMEOUT_MS
        if timeout_ms <= 0 or not is_public(request.path):
            return self.get_response(request)
        with transaction.atomic(using=ALIAS):
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(timeout_ms)}ms"])
            request.META[TIMED_REQUEST] = True
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_statement_timeout(exception):
            return None
        if request.META.get(TIMED_REQUEST):
            transaction.set_rollback(True, using=ALIAS)  # the transaction is aborted: end it with a rollback
        return limit_response(
            request,
            status=503,
            title=_("Request took too long"),
            detail=_("This request took too long to answer and was stopped: narrow it, or try again later."),
            retry_after=RETRY_AFTER_SECONDS,
            code="statement_timeout",
        )
