"""Serving stored documents: streamed by Django (`FileResponse`), handed to nginx (X-Accel-Redirect) or redirected
to a short-lived presigned URL (S3), chosen by `settings.DOCUMENTS_DOWNLOAD`.

`document_response` performs no permission check: faces call it after their own checks, e.g.
`return document_response(selectors.document_get(document_id=...), request=request)`.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from gis_core.documents.models import StoredDocument
from gis_core.documents.selectors import document_open
from gis_core.documents.services import documents_storage

STREAM = "stream"
X_ACCEL = "x-accel"
REDIRECT = "redirect"


class DocumentFileResponse(FileResponse):
    block_size = 256 * 1024  # FileResponse reads 4 KiB at a time by default: many iterations for plans of 100 MB


def document_etag(document: StoredDocument) -> str:
    return f'"{document.sha256}"'


def document_response(
    document: StoredDocument,
    *,
    request: HttpRequest | None = None,
    as_attachment: bool = True,
    mode: str | None = None,
) -> HttpResponseBase:
    """A response that delivers `document`'s content with its detected type, size, filename and SHA-256 ETag.

    `mode` overrides `settings.DOCUMENTS_DOWNLOAD` (`stream`, `x-accel` or `redirect`). With `request`,
    a matching `If-None-Match` gives 304 (versions never change, so the hash is a strong validator).
    """
    mode = mode or settings.DOCUMENTS_DOWNLOAD
    etag = document_etag(document)
    if request is not None and etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified

    response: HttpResponseBase
    if mode == STREAM:
        response = DocumentFileResponse(
            document_open(document=document),
            as_attachment=as_attachment,
            filename=document.original_filename,
            content_type=document.content_type,
        )
    elif mode == X_ACCEL:
        response = HttpResponse(content_type=document.content_type)
        response["X-Accel-Redirect"] = settings.DOCUMENTS_X_ACCEL_PREFIX + quote(document.storage_key)
        disposition = content_disposition_header(as_attachment, document.original_filename)
        if disposition:
            response["Content-Disposition"] = disposition
    elif mode == REDIRECT:
        url = documents_storage().url(document.storage_key)
        if not url or not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("DOCUMENTS_DOWNLOAD=redirect needs a storage with absolute URLs (S3).")
        response = HttpResponseRedirect(url)
    else:
        raise ImproperlyConfigured(f"DOCUMENTS_DOWNLOAD must be {STREAM}, {X_ACCEL} or {REDIRECT}, not {mode!r}")

    if mode != REDIRECT:
        response["Content-Length"] = str(document.size_bytes)
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600, immutable"
    return response
