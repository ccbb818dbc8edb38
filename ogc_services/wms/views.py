"""The `/ows` face: one address for every OGC web service, by its `SERVICE` parameter as GeoServer's `/ows`:
WMS and WMTS (KVP) to MapProxy's `/service`, WFS to MapServer (`wfs.py`); without `SERVICE`, MapProxy's own page.
The older paths under `/ows/` (`/ows/service`, `/ows/wms`, WMTS REST `/ows/wmts/...`) go to MapProxy as they are.

MapProxy is reached by a thin Django view that hands the request to its WSGI app (WSGI inside Django).

The view rebuilds a WSGI environ from the Django request (so it works under WSGI and ASGI servers), with
`SCRIPT_NAME` set to the mount point so that MapProxy writes absolute URLs under `/ows/` in its capabilities.
"""

import io
import sys
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ogc_services.wms.application import mapproxy_app
from ogc_services.wms.wfs import wfs_response

HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers", "transfer-encoding"}
)


def wsgi_environ(request: HttpRequest, path: str) -> dict[str, Any]:
    script_name = request.path[: len(request.path) - len(path)].rstrip("/")
    body = request.body
    environ: dict[str, Any] = {key: value for key, value in request.META.items() if isinstance(value, str)}
    environ.update(
        {
            "SCRIPT_NAME": script_name,
            "PATH_INFO": "/" + path,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": request.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
    )
    environ.setdefault("SERVER_NAME", request.get_host().split(":")[0])
    environ.setdefault("SERVER_PORT", request.get_port())
    return environ


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def ows(request: HttpRequest, path: str = "") -> HttpResponse:
    """WMS (`/ows/service?SERVICE=WMS`, `/ows/wms`), WMTS (KVP `/ows/service`, REST `/ows/wmts/...`), demo."""
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started["status"] = status
        started["headers"] = headers
        return lambda data: None

    result = mapproxy_app()(wsgi_environ(request, path), start_response)
    try:
        content = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    response = HttpResponse(content, status=int(started["status"].split(" ", 1)[0]))
    for name, value in started["headers"]:
        if name.lower() not in HOP_BY_HOP:
            response[name] = value
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def ows_root(request: HttpRequest) -> HttpResponse:
    """`/ows` and `/ows/`: the service its `SERVICE` parameter names (any case, as clients send it)."""
    service = next((str(value) for key, value in request.GET.items() if key.lower() == "service"), "").upper()
    if service == "WFS":
        return wfs_response(request)
    if service or any(key.lower() == "request" for key in request.GET):
        return ows(request, "service")
    return ows(request, "")
