"""An upload handler that stops an HTTP upload as soon as it passes a size limit (before it is fully received).

Install it before the body is parsed, in a view that is `csrf_exempt` (CSRF middleware would parse the body
first) or a DRF view (its views are csrf-exempt; call it before touching `request.data`):

    limit_upload_size(request, max_bytes=settings.DOCUMENTS_MAX_UPLOAD_BYTES)

`document_store` checks the limit again anyway; this handler only spares receiving and spooling the rest.
`gis_core.limits.bodies.BodyLimitMiddleware` puts one first on every request with a body (the cap of its path),
and parses a form before the CSRF middleware does; a later call on a request already parsed changes nothing.
"""

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.http import HttpRequest
from django.utils.datastructures import ImmutableList

from gis_core.documents.errors import DocumentTooLarge


class DocumentUploadLimitHandler(FileUploadHandler):
    """Counts each file's bytes and raises `DocumentTooLarge` once one file is larger than `max_bytes`."""

    def __init__(self, request: HttpRequest, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self._close_partial_files()
            raise DocumentTooLarge(
                f"The file is larger than the limit of {self.max_bytes} bytes.", max_bytes=self.max_bytes
            )
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _close_partial_files(self) -> None:
        """Remove the temporary file the next handlers started for this file (it would wait for the GC)."""
        for handler in getattr(self.request, "upload_handlers", ()):
            if isinstance(handler, TemporaryFileUploadHandler) and getattr(handler, "file", None) is not None:
                handler.file.close()


def limit_upload_size(request: HttpRequest, *, max_bytes: int) -> None:
    """Put a `DocumentUploadLimitHandler` first in `request`'s upload handlers (a DRF request is unwrapped).

    A request whose body is parsed already (its handlers are then immutable) was limited by the middleware."""
    django_request = getattr(request, "_request", request)
    if isinstance(django_request.upload_handlers, ImmutableList):
        return
    django_request.upload_handlers.insert(0, DocumentUploadLimitHandler(django_request, max_bytes))
