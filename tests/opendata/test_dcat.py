"""The DCAT-AP 3 catalogue, read as a harvester reads it: rdflib parses every serialisation to the same graph,
pyshacl validates it against SEMIC's DCAT-AP 3.0.1 shapes (fixtures/dcat-ap-3.0.1, with their licence), every
distribution it advertises answers 200 with the advertised media type, and `/opendata/catalog` negotiates.

The catalogue reads through the `geoportal` alias, which sees committed rows only: the tests are transactional.
"""

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.gis.db.models import Extent
from django.core.management import call_command
from django.test import Client
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH, XSD

from gis_core.models import Territory
from permits.models import Dossier
from tests.permits.factories import DossierFactory, commune_tree

GEOPORTAL_DB = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
SHAPES = Path(__file__).parent / "fixtures" / "dcat-ap-3.0.1"
DCATAP = Namespace("http://data.europa.eu/r5r/")
BASE = "http://testserver"
DATASET = URIRef(f"{BASE}/opendata/datasets/authorised-projects/#dataset")
MEDIA_TYPES = {
    "jsonld": ("application/ld+json", "json-ld"),
    "ttl": ("text/turtle", "turtle"),
    "rdf": ("application/rdf+xml", "xml"),
}
# The shapes' recommendations we do not follow, and why (docs/opendata.md): a new warning fails the test.
DOCUMENTED_WARNINGS = {
    (DCAT.Distribution, DCTERMS.description),  # the title says it all (format of the dataset)
    (DCAT.Distribution, DCTERMS["format"]),  # FlatGeobuf has no code in the EU file-type table yet
    (DCAT.Catalog, DCTERMS.issued),  # no first-publication date is kept
    (DCAT.Catalog, DCTERMS.spatial),  # each dataset has its own
    (DCAT.Catalog, DCTERMS.publisher),  # the municipality is not in the EU's corporate-body table
    (DCAT.Dataset, DCTERMS.publisher),
    (DCAT.Dataset, DCTERMS.spatial),  # a box (a blank dct:Location), not a place of the EU's geographic tables
    (DCAT.DataService, DCTERMS.publisher),
    (DCAT.DataService, DCAT.keyword),  # the services are described by their standard (dct:conformsTo)
}


@pytest.fixture
def projects() -> list[Dossier]:
    commune = commune_tree("CASA-ANFA")
    first, last = (DossierFactory.create(published=True, commune=commune) for _ in range(2))
    assert first.decided_at is not None
    Dossier.objects.filter(pk=first.pk).update(decided_at=first.decided_at - timedelta(days=40))
    projects = list(Dossier.objects.filter(pk__in=[first.pk, last.pk]).order_by("decided_at"))
    for dossier in projects:  # the indicators' refreshes: the indicator datasets' period
        assert dossier.decided_at is not None
        call_command("opendata_refresh", "--date", dossier.decided_at.date().isoformat())
    return projects


def catalogue(extension: str, **headers: str) -> Any:
    return Client().get(f"/opendata/catalog.{extension}", headers=headers)


def parsed(extension: str) -> Graph:
    response = catalogue(extension)
    assert response.status_code == 200, response.content[:300]
    media_type, rdflib_format = MEDIA_TYPES[extension]
    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    return Graph().parse(data=response.content, format=rdflib_format)


def literals(graph: Graph, subject: URIRef, predicate: URIRef) -> list[Literal]:
    values = list(graph.objects(subject, predicate))
    assert all(isinstance(value, Literal) for value in values)
    return values  # type: ignore[return-value]


def shapes() -> Graph:
    graph = Graph()
    for path in sorted(SHAPES.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@GEOPORTAL_DB
def test_every_serialisation_is_the_same_graph_and_conforms_to_dcat_ap_3(projects: list[Dossier]) -> None:
    graphs = {extension: parsed(extension) for extension in MEDIA_TYPES}
    assert isomorphic(graphs["jsonld"], graphs["ttl"])
    assert isomorphic(graphs["ttl"], graphs["rdf"])

    data = graphs["jsonld"]
    conforms, report, text = validate(data, shacl_graph=shapes(), allow_warnings=True)
    assert conforms, text
    warnings = set()
    for result in report.objects(None, SH.result):
        assert report.value(result, SH.resultSeverity) == SH.Warning, text
        focus = report.value(result, SH.focusNode)
        warnings.add((data.value(focus, RDF.type), report.value(result, SH.resultPath)))
    assert warnings <= DOCUMENTED_WARNINGS, warnings - DOCUMENTED_WARNINGS


@GEOPORTAL_DB
def test_the_catalogue_describes_the_dataset_as_harvesters_read_it(projects: list[Dossier], settings: Any) -> None:
    settings.OPENDATA_PUBLISHER_NAME_FR = "Commune d'Anfa"
    settings.OPENDATA_PUBLISHER_EMAIL = "donnees@anfa.example.org"
    graph = parsed("ttl")

    assert (DATASET, RDF.type, DCAT.Dataset) in graph
    titles = {literal.language: str(literal) for literal in literals(graph, DATASET, DCTERMS.title)}
    assert titles == {"en": "Authorised projects", "fr": "Projets autorisés", "ar": "المشاريع المرخصة"}
    themes = set(graph.objects(DATASET, DCAT.theme))
    authority = "http://publications.europa.eu/resource/authority/"
    assert themes == {URIRef(f"{authority}data-theme/REGI")}
    assert graph.value(DATASET, DCTERMS.accrualPeriodicity) == URIRef(f"{authority}frequency/DAILY")

    publisher = graph.value(DATASET, DCTERMS.publisher)
    assert Literal("Commune d'Anfa", lang="fr") in set(graph.objects(publisher, FOAF.name))
    contact = graph.value(DATASET, DCAT.contactPoint)
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    assert graph.value(contact, vcard.hasEmail) == URIRef("mailto:donnees@anfa.example.org")

    west, south, east, north = Territory.objects.aggregate(extent=Extent("geom"))["extent"]
    bbox = graph.value(graph.value(DATASET, DCTERMS.spatial), DCAT.bbox)
    assert isinstance(bbox, Literal)
    assert bbox.datatype == URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
    assert str(bbox) == f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))"
    period = graph.value(DATASET, DCTERMS.temporal)
    first, last = (dossier.decided_at.astimezone(UTC).date() for dossier in projects if dossier.decided_at)
    assert first < last
    assert graph.value(period, DCAT.startDate) == Literal(first, datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal(last, datatype=XSD.date)
    latest = max(dossier.published_at for dossier in projects if dossier.published_at)
    modified = graph.value(DATASET, DCTERMS.modified)
    assert isinstance(modified, Literal) and modified.toPython() == latest

    distributions = list(graph.objects(DATASET, DCAT.distribution))
    assert len(distributions) == 5
    for distribution in distributions:
        assert str(graph.value(distribution, DCAT.downloadURL)).startswith(f"{BASE}/opendata/datasets/")
        assert graph.value(distribution, DCTERMS.license) == URIRef(
            "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
        )
        assert str(graph.value(distribution, DCAT.mediaType)).startswith(
            "https://www.iana.org/assignments/media-types/"
        )

    services = set(graph.subjects(DCAT.servesDataset, DATASET))
    endpoints = {str(graph.value(service, DCAT.endpointURL)) for service in services}
    assert endpoints == {f"{BASE}/ogc/", f"{BASE}/ows", f"{BASE}/tiles/"}  # /ows: WMS, WMTS and WFS
    descriptions = {str(graph.value(service, DCAT.endpointDescription)) for service in services}
    for service in ("WMS", "WMTS", "WFS"):
        assert f"{BASE}/ows?SERVICE={service}&REQUEST=GetCapabilities" in descriptions
    assert f"{BASE}/tiles/authorised_projects.json" in descriptions


@GEOPORTAL_DB
def test_every_distribution_answers_200_with_the_advertised_media_type(projects: list[Dossier], settings: Any) -> None:
    settings.THROTTLE_ENABLED = False  # more downloads than a minute's allowance of the `datasets` scope
    graph = parsed("jsonld")
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    assert distributions
    for distribution in distributions:
        url = str(graph.value(distribution, DCAT.downloadURL))
        assert str(graph.value(distribution, DCAT.accessURL)) == url
        response = Client().get(url.removeprefix(BASE))
        assert response.status_code == 200, url
        served = response["Content-Type"].split(";", 1)[0]
        assert (
            str(graph.value(distribution, DCAT.mediaType)) == f"https://www.iana.org/assignments/media-types/{served}"
        )


@GEOPORTAL_DB
@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/ld+json", "application/ld+json"),
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/json", "application/ld+json"),
        ("text/turtle;q=0.9, application/rdf+xml", "application/rdf+xml"),
        ("*/*", "application/ld+json"),
        ("", "application/ld+json"),
    ],
)
def test_the_catalogue_negotiates_its_serialisation(accept: str, media_type: str) -> None:
    response = Client().get("/opendata/catalog", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    assert "Accept" in response["Vary"]


@GEOPORTAL_DB
def test_a_browser_is_sent_to_the_pages_and_an_unknown_type_gets_406() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = Client().get("/opendata/catalog", headers={"Accept": browser})
    assert response.status_code == 303 and response["Location"] == "/opendata/datasets/"

    refused = Client().get("/opendata/catalog", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert refused["Content-Type"] == "application/problem+json"
    assert "text/turtle" in refused.json()["detail"]

    unknown = catalogue("xlsx")
    assert unknown.status_code == 404 and "catalog.ttl" in unknown.json()["detail"]


@GEOPORTAL_DB
@pytest.mark.parametrize("extension", list(MEDIA_TYPES))
def test_a_harvester_revisiting_gets_304(projects: list[Dossier], extension: str) -> None:
    first = catalogue(extension)
    assert first["ETag"].startswith(f'"{extension}-') and first["Last-Modified"].endswith("GMT")
    assert catalogue(extension)["ETag"] == first["ETag"]  # the same content, the same bytes
    assert catalogue(extension, **{"If-None-Match": first["ETag"]}).status_code == 304
    assert catalogue(extension, **{"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    DossierFactory.create(published=True, commune=projects[0].commune)
    assert catalogue(extension, **{"If-None-Match": first["ETag"]}).status_code == 200
