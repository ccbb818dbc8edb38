"""Request bodies capped before Django parses them: 413 before the upload is received, not after.

`UPLOAD_PATH_LIMITS` in settings is the table of upload endpoints: (path regex, name of the setting that holds
the largest file accepted there), e.g. the documents of a file -> `DOCUMENTS_MAX_UPLOAD_BYTES`. A request to
one of them may carry one such file plus `DATA_UPLOAD_MAX_MEMORY_SIZE` of other fields; any other request at
most `REQUEST_MAX_BODY_BYTES` in all. `BodyLimitMiddleware` (before the CSRF middleware, which would parse a
form to find its token):

1. refuses a request whose `Content-Length` is over its cap with 413, before a byte of the body is read;
2. puts an upload handler first (`gis_core.documents.uploads.DocumentUploadLimitHandler`) that counts each file
   while the body streams in and stops past the file cap, whatever the body said of its length (a chunked body
   under ASGI; under WSGI Django reads nothing past `Content-Length`);
3. parses a multipart body itself, before the CSRF middleware, for the views that the CSRF middleware would
   parse it for, so that a refusal while streaming is its clean 413 (or 400 for too many files,
   `DATA_UPLOAD_MAX_NUMBER_FILES`) rather than an error inside another middleware; csrf-exempt views (the API)
   parse it themselves and their refusals reach `process_exception` or DRF's problem handler.
"""

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from gis_core.documents.errors import DocumentTooLarge
from gis_core.documents.uploads import DocumentUploadLimitHandler
from gis_core.limits.responses import limit_response

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def file_cap_for(path: str) -> int | None:
    """The largest file an upload endpoint takes (None: not an upload endpoint)."""
    for pattern, setting_name in settings.UPLOAD_PATH_LIMITS:
        if _compiled(pattern).match(path):
            return int(getattr(settings, setting_name))
    return None


def body_cap_for(path: str) -> tuple[int, int]:
    """(largest body, largest file) a request to `path` may send."""
    file_cap = file_cap_for(path)
    if file_cap is None:
        return settings.REQUEST_MAX_BODY_BYTES, settings.REQUEST_MAX_BODY_BYTES
    return file_cap + settings.DATA_UPLOAD_MAX_MEMORY_SIZE, file_cap


def too_large(request: HttpRequest, max_bytes: int) -> HttpResponse:
    return limit_response(
        request,
        status=413,
        title=_("Too large"),
        detail=_("What you sent is larger than the limit of %(size)s here.") % {"size": filesizeformat(max_bytes)},
        code="request_too_large",
        max_bytes=max_bytes,
    )


def too_many_files(request: HttpRequest) -> HttpResponse:
    return limit_response(
        request,
        status=400,
        title=_("Too many files"),
        detail=_("Send at most %(count)d files at once.") % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES},
        code="too_many_files",
    )


def refusal_for(request: HttpRequest, error: Exception) -> HttpResponse | None:
    """The answer to an error raised while the body was read; None for any other error."""
    if isinstance(error, DocumentTooLarge):
        return too_large(request, int(error.extra.get("max_bytes") or body_cap_for(request.path)[1]))
    if isinstance(error, RequestDataTooBig):
        return too_large(request, body_cap_for(request.path)[0])
    if isinstance(error, TooManyFilesSent):
        return too_many_files(request)
    return None


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class BodyLimitMiddleware:
    """Caps on request bodies (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in BODY_METHODS:
            body_cap, file_cap = body_cap_for(request.path)
            if _content_length(request) > body_cap:
                return too_large(request, body_cap)
            request.upload_handlers.insert(0, DocumentUploadLimitHandler(request, file_cap))
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> Any:
        if request.method != "POST" or getattr(view, "csrf_exempt", False):
            return None
        if not (request.content_type or "").startswith("multipart/"):
            return None
        try:
            request.FILES  # noqa: B018 - parsed here, as the CSRF middleware would, with the limit handler first
        except (DocumentTooLarge, RequestDataTooBig, TooManyFilesSent) as error:
            return refusal_for(request, error)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return refusal_for(request, exception)
