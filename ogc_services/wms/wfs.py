"""WFS 2.0 and 1.1 at `/ows`: MapServer's CGI binary run on the generated WFS mapfile (`geoportal_wfs.map`: the
geoportal views through the read-only role, public attributes and geometry; GML 3.2 / 3.1 and GeoJSON; paging with
STARTINDEX/COUNT; `srsName` in every CRS of the geoportal).

The request's query (or POSTed XML) is handed to `mapserv` as a CGI request; its `map=` is ours, never the
client's. MapServer writes the mapfile's placeholder online resource in capabilities: it becomes the address the
client used (`/ows?`), so GDAL, OWSLib and QGIS follow links back here whatever the host name.
"""

import os
import subprocess
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse

from gis_core.problems import problem_response
from ogc_services.wms.configuration import ONLINE_RESOURCE, configuration_ensure

MAPSERV_TIMEOUT_SECONDS = 60
XML_TYPES = ("text/xml", "application/xml", "application/gml+xml")


def _query(request: HttpRequest, mapfile: str) -> str:
    """The client's parameters, without any `map` of theirs, then ours."""
    pairs = [(key, value) for key, values in request.GET.lists() for value in values if key.lower() != "map"]
    return urlencode([("map", mapfile), *pairs])


def _cgi_answer(output: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a CGI answer (headers end at the first blank line)."""
    head, separator, body = output.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = output.partition(b"\n\n")
    headers: dict[str, str] = {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    status = int(headers.pop("status", "200").split()[0])
    return status, headers, body


def wfs_response(request: HttpRequest) -> HttpResponse:
    config = configuration_ensure()
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "MAPSERVER_CONFIG_FILE": str(config.mapserver_config),
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REQUEST_METHOD": "POST" if request.method == "POST" else "GET",
        "QUERY_STRING": _query(request, str(config.wfs_mapfile)),
        "SERVER_NAME": request.get_host().split(":")[0],
        "SERVER_PORT": str(request.get_port()),
    }
    body = request.body if request.method == "POST" else b""
    if body:
        environment |= {"CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": request.content_type or "text/xml"}
    try:
        completed = subprocess.run(
            [str(config.mapserv_binary)],
            input=body,
            env=environment,
            capture_output=True,
            timeout=MAPSERV_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return problem_response(503, "WFS request too long", "The request took too long; ask for fewer features.")
    status, headers, content = _cgi_answer(completed.stdout)
    content_type = headers.get("content-type", "application/octet-stream")
    if content_type.split(";")[0].strip() in XML_TYPES:
        own_address = request.build_absolute_uri(request.path.rstrip("/")) + "?"
        content = content.replace(ONLINE_RESOURCE.encode(), own_address.encode("utf-8"))
    response = HttpResponse(content, status=status, content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response
