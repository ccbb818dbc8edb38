"""Serving stored documents: streamed by Django (`FileResponse`), handed to nginx (X-Accel-Redirect) or redirected
to a short-lived presigned URL (S3), chosen by `settings.DOCUMENTS_DOWNLOAD`.

Range requests (a PDF viewer shows the first page of a large plan before the rest arrives): streamed by Django, a
single `Range` gets 206 with `Content-Range`, several get 206 `multipart/byteranges` (`ranges.py`: sorted and
coalesced, `If-Range` honoured, 416 when none can be satisfied); with X-Accel-Redirect nginx answers the ranges
itself from the file, and S3 answers a single range sent to the presigned URL (and the whole object for several).
Every mode says `Accept-Ranges: bytes`, except the redirect, whose target says it.

`document_response` performs no permission check: faces call it after their own checks, e.g.
`return document_response(selectors.document_get(document_id=...), request=request)`.
"""

import secrets
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from gis_core.documents.models import StoredDocument
from gis_core.documents.ranges import ByteRange, RangeNotSatisfiable, requested_ranges
from gis_core.documents.selectors import document_open
from gis_core.documents.services import documents_storage
from gis_core.problems import problem_response

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
    a matching `If-None-Match` gives 304 (versions never change, so the hash is a strong validator), and a
    `Range` gives 206 or 416 when streamed (see the module's docstring).
    """
    mode = mode or settings.DOCUMENTS_DOWNLOAD
    etag = document_etag(document)
    if request is not None and etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified

    response: HttpResponseBase
    if mode == STREAM and request is not None:
        partial = _range_answer(document, request, etag=etag, as_attachment=as_attachment)
        if partial is not None:
            return partial
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

    return _headers(response, etag, length=None if mode == REDIRECT else document.size_bytes)


def _headers(response: HttpResponseBase, etag: str, *, length: int | None) -> HttpResponseBase:
    if length is not None:
        response["Content-Length"] = str(length)
        response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600, immutable"
    return response


def _range_answer(
    document: StoredDocument, request: HttpRequest, *, etag: str, as_attachment: bool
) -> HttpResponseBase | None:
    """206 for a range taken, 416 for one past the end, None to send the whole document."""
    if request.method not in ("GET", "HEAD"):
        return None
    try:
        ranges = requested_ranges(
            range_header=request.headers.get("Range"),
            if_range=request.headers.get("If-Range"),
            etag=etag,
            size=document.size_bytes,
        )
    except RangeNotSatisfiable as error:
        refused = problem_response(416, "Range not satisfiable", str(error), size_bytes=error.size)
        refused["Content-Range"] = f"bytes */{error.size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    if ranges is None:
        return None
    if len(ranges) == 1:
        partial = _partial_response(document, ranges[0], as_attachment=as_attachment)
        return _headers(partial, etag, length=ranges[0].length)
    multipart = _multipart_response(document, ranges)
    return _headers(multipart, etag, length=multipart.length)


def _byte_chunks(file: IO[Any], byte_range: ByteRange, block_size: int) -> Iterator[bytes]:
    """The range's bytes, read `block_size` at a time; the file is closed when the response is."""
    try:
        file.seek(byte_range.start)
        remaining = byte_range.length
        while remaining > 0:
            chunk = file.read(min(block_size, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
    finally:
        file.close()


def _partial_response(document: StoredDocument, byte_range: ByteRange, *, as_attachment: bool) -> StreamingHttpResponse:
    """206 with the range's bytes (streamed by Django: a server's sendfile would send the file to its end)."""
    chunks = _byte_chunks(document_open(document=document), byte_range, DocumentFileResponse.block_size)
    response = StreamingHttpResponse(chunks, status=206, content_type=document.content_type)
    response["Content-Range"] = byte_range.content_range
    disposition = content_disposition_header(as_attachment, document.original_filename)
    if disposition:
        response["Content-Disposition"] = disposition
    return response


class MultipartRangesResponse(StreamingHttpResponse):
    """206 `multipart/byteranges`: each range a part with its `Content-Type` and `Content-Range` (RFC 9110 §14.6);
    `length` is the exact body size, sent as Content-Length."""

    length: int


def _multipart_response(document: StoredDocument, ranges: list[ByteRange]) -> MultipartRangesResponse:
    boundary = secrets.token_hex(16)
    heads = [
        (
            f"--{boundary}\r\nContent-Type: {document.content_type}\r\n"
            f"Content-Range: {byte_range.content_range}\r\n\r\n"
        ).encode("ascii")
        for byte_range in ranges
    ]
    tail = f"\r\n--{boundary}--\r\n".encode("ascii")
    separators = [b""] + [b"\r\n"] * (len(ranges) - 1)

    def body() -> Iterator[bytes]:
        with document_open(document=document) as file:
            for separator, head, byte_range in zip(separators, heads, ranges, strict=True):
                yield separator + head
                file.seek(byte_range.start)
                remaining = byte_range.length
                while remaining > 0:
                    chunk = file.read(min(DocumentFileResponse.block_size, remaining))
                    if not chunk:
                        return
                    remaining -= len(chunk)
                    yield chunk
            yield tail

    response = MultipartRangesResponse(body(), status=206, content_type=f"multipart/byteranges; boundary={boundary}")
    response.length = (
        sum(len(separator) + len(head) + byte_range.length
            for separator, head, byte_range in zip(separators, heads, ranges, strict=True))
        + len(tail)
    )  # fmt: skip
    return response
