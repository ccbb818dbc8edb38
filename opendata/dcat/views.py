"""The catalogue's HTTP face: `/opendata/catalog.jsonld`, `.ttl` and `.rdf`, and `/opendata/catalog`, which answers
in the serialisation the `Accept` header prefers: JSON-LD (also for `application/json` and for no header or
`*/*`), Turtle or RDF/XML; a browser (`text/html` first) is sent to the datasets' page (303); anything else gets
406 with the list of what is served. Public and anonymous, with a strong `ETag` (a digest of the bytes) and
`Last-Modified` (the latest change of a dataset), so a harvester's next visit costs a 304.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from gis_core.problems import problem_response
from opendata.dcat.graph import PREFIXES, catalogue_graph


@dataclass(frozen=True)
class Serialisation:
    rdflib_format: str
    media_type: str


SERIALISATIONS = {
    "jsonld": Serialisation("json-ld", "application/ld+json"),
    "ttl": Serialisation("turtle", "text/turtle"),
    "rdf": Serialisation("pretty-xml", "application/rdf+xml"),
}
# What `/opendata/catalog` offers, in its order of preference when a client accepts several equally.
NEGOTIATED = {
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "text/turtle": "ttl",
    "application/rdf+xml": "rdf",
    "text/html": None,  # a person: the datasets' page
}


def _base_url(request: HttpRequest) -> str:
    return settings.OPENDATA_BASE_URL or request.build_absolute_uri("/")


def _catalogue_response(request: HttpRequest, extension: str) -> HttpResponseBase:
    serialisation = SERIALISATIONS[extension]
    graph, modified = catalogue_graph(base_url=_base_url(request))
    # JSON-LD compacted with the usual prefixes (`dcat:Dataset`), as people and harvesters expect to read it
    options: dict[str, Any] = {}
    if extension == "jsonld":
        options = {"context": {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}, "auto_compact": True}
    body = graph.serialize(format=serialisation.rdflib_format, encoding="utf-8", **options)
    etag = f'"{extension}-{hashlib.sha256(body).hexdigest()[:32]}"'
    last_modified = int(modified.timestamp()) if modified else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(body, content_type=f"{serialisation.media_type}; charset=utf-8")
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def catalog_file(request: HttpRequest, extension: str) -> HttpResponseBase:
    if extension not in SERIALISATIONS:
        known = ", ".join(f"catalog.{name}" for name in SERIALISATIONS)
        return problem_response(404, "Unknown serialisation", f"The catalogue is published as: {known}.")
    return _catalogue_response(request, extension)


@require_safe
def catalog(request: HttpRequest) -> HttpResponseBase:
    preferred = request.get_preferred_type(list(NEGOTIATED))
    extension = NEGOTIATED.get(preferred) if preferred else None
    response: HttpResponseBase
    if preferred is None:
        response = problem_response(406, "Not acceptable", f"The catalogue is served as: {', '.join(NEGOTIATED)}.")
    elif extension is None:
        response = HttpResponseRedirect(reverse("opendata:dataset-list"), status=303)
    else:
        response = _catalogue_response(request, extension)
    patch_vary_headers(response, ["Accept"])
    return response
