"""What every download answers with, whatever the dataset: a conditional request's 304 (weak `ETag`,
`Last-Modified`), revalidation on every use, the licence as a `Link: <...>; rel="license"` header, open CORS, and
a streamed body with a stable file name."""

from collections.abc import Iterator
from datetime import datetime

from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from opendata.licence import LICENCE


def not_modified(request: HttpRequest, *, etag: str, last_modified: datetime | None) -> HttpResponseBase | None:
    """The 304 (or 412) a conditional request gets when the client's copy is current, else None."""
    stamp = int(last_modified.timestamp()) if last_modified else None
    answer = get_conditional_response(request, etag=etag, last_modified=stamp)
    return download_headers(answer, etag=etag, last_modified=last_modified) if answer is not None else None


def download_headers(response: HttpResponseBase, *, etag: str, last_modified: datetime | None) -> HttpResponseBase:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    response["Link"] = f'<{LICENCE.url}>; rel="license"; title="{LICENCE.name}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def streamed(chunks: Iterator[bytes], *, media_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
