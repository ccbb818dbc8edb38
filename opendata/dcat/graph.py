"""The DCAT-AP 3 catalogue as an rdflib graph.

One `dcat:Catalog` with the publisher (a `foaf:Agent` from the `OPENDATA_PUBLISHER_*` settings) and its contact
point (a `vcard:Kind`); one `dcat:Dataset` per registered dataset (`opendata.catalogue`) with its distributions;
the feeds that serve the datasets live (OGC API Features, WMS, WMTS, vector tiles) as `dcat:DataService`s. Every
link is absolute (`base_url`), every text literal is given in French, Arabic and English, and every node a
property points to is typed with the class DCAT-AP expects there (its SHACL range shapes check them).

What ckanext-dcat reads: datasets by `rdf:type dcat:Dataset`, the licence from each distribution's
`dct:license`, the resource URL from `dcat:downloadURL` (else `dcat:accessURL`), the media type from
`dcat:mediaType`, the box from a `dct:Location` node's `dcat:bbox` (a `gsp:wktLiteral`), the period from
`dcat:startDate`/`dcat:endDate`, the contact from `vcard:fn`/`vcard:hasEmail`, the publisher from `foaf:name`.
`dcat:byteSize` is left out: every file is written from the live data when it is asked for, so its size is not
known without writing it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from opendata.catalogue import Dataset, Distribution, datasets
from opendata.dcat import vocabularies
from opendata.dcat.vocabularies import LANGUAGES
from opendata.licence import LICENCE, Licence

GSP = Namespace("http://www.opengis.net/ont/geosparql#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "dcatap": DCATAP,
    "foaf": FOAF,
    "vcard": VCARD,
    "skos": SKOS,
    "gsp": GSP,
    "rdfs": RDFS,
}

CATALOGUE_TITLE = _("Open data of the urban planning platform")
CATALOGUE_DESCRIPTION = _(
    "Datasets published by the urban planning platform, refreshed every day under an open licence: the authorised "
    "projects with their footprint and the indicators of the permit service. No personal data."
)


@dataclass(frozen=True)
class Feed:
    """A live service that serves datasets of the catalogue (a `dcat:DataService`)."""

    key: str
    title: Promise
    description: Promise
    endpoint: str  # URL name of its endpoint (reversed) ...
    endpoint_kwargs: tuple[tuple[str, str], ...]
    described_by: str  # ... and of the document describing it, with its query
    described_kwargs: tuple[tuple[str, str], ...]
    described_query: str
    conforms_to: str
    serves: tuple[str, ...]  # dataset slugs


FEEDS = (
    Feed(
        key="ogc-api-features",
        title=_("OGC API Features"),
        description=_("The published layers as GeoJSON features, queried by area, time and attributes."),
        endpoint="ogc:landing-page",
        endpoint_kwargs=(),
        described_by="ogc:openapi",
        described_kwargs=(),
        described_query="?f=json",
        conforms_to="http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        serves=("authorised-projects",),
    ),
    Feed(
        key="wms",
        title=_("WMS map service"),
        description=_("Maps of the published layers as images (WMS 1.3.0)."),
        endpoint="ows-root",
        endpoint_kwargs=(),
        described_by="ows-root",
        described_kwargs=(),
        described_query="?SERVICE=WMS&REQUEST=GetCapabilities",
        conforms_to="http://www.opengis.net/def/serviceType/ogc/wms",
        serves=("authorised-projects",),
    ),
    Feed(
        key="wfs",
        title=_("WFS feature service"),
        description=_("The published layers as features, GML or GeoJSON, in the geoportal's projections (WFS 2.0)."),
        endpoint="ows-root",
        endpoint_kwargs=(),
        described_by="ows-root",
        described_kwargs=(),
        described_query="?SERVICE=WFS&REQUEST=GetCapabilities",
        conforms_to="http://www.opengis.net/def/serviceType/ogc/wfs",
        serves=("authorised-projects",),
    ),
    Feed(
        key="wmts",
        title=_("WMTS tile service"),
        description=_("Cached map tiles of the published layers (WMTS 1.0.0)."),
        endpoint="ows-root",
        endpoint_kwargs=(),
        described_by="ows-root",
        described_kwargs=(),
        described_query="?SERVICE=WMTS&REQUEST=GetCapabilities",
        conforms_to="http://www.opengis.net/def/serviceType/ogc/wmts",
        serves=("authorised-projects",),
    ),
    Feed(
        key="vector-tiles",
        title=_("Vector tiles"),
        description=_("Mapbox Vector Tiles of the published layers, described by TileJSON documents."),
        endpoint="tiles:index",
        endpoint_kwargs=(),
        described_by="tiles:tilejson",
        described_kwargs=(("layer", "authorised_projects"),),
        described_query="",
        conforms_to="https://github.com/mapbox/vector-tile-spec/tree/master/2.1",
        serves=("authorised-projects",),
    ),
)


def _texts(text: str | Promise) -> list[Literal]:
    """The text in each of the portal's languages, as language-tagged literals."""
    literals = []
    for language in LANGUAGES:
        with translation.override(language):
            literals.append(Literal(str(text), lang=language))
    return literals


def _latest(values: Iterable[datetime | None]) -> datetime | None:
    known = [value for value in values if value is not None]
    return max(known) if known else None


class CatalogueGraph:
    """Builds the graph; one instance per request (the datasets' dates are read once)."""

    def __init__(self, *, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.graph = Graph()
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self.catalogue = self._url("opendata:catalog", fragment="catalogue")
        self.publisher = self._url("opendata:catalog", fragment="publisher")
        self.contact = self._url("opendata:catalog", fragment="contact-point")
        self.modified: datetime | None = None  # the latest of the datasets', once built

    # -- small helpers --------------------------------------------------------------------------------------
    def _link(self, name: str, kwargs: Iterable[tuple[str, str]] | dict[str, str] = (), *, query: str = "") -> str:
        return f"{self.base_url}{reverse(name, kwargs=dict(kwargs))}{query}"

    def _url(self, name: str, kwargs: Iterable[tuple[str, str]] = (), *, fragment: str) -> URIRef:
        return URIRef(f"{self._link(name, kwargs)}#{fragment}")

    def _add(self, subject: Node, predicate: URIRef, *objects: Node) -> None:
        for value in objects:
            self.graph.add((subject, predicate, value))

    def _typed(self, uri: str, *classes: URIRef) -> URIRef:
        node = URIRef(uri)
        self._add(node, RDF.type, *classes)
        return node

    def _term(self, uri: str, scheme: str, *classes: URIRef) -> URIRef:
        """A term of a controlled vocabulary: typed, and said to be in its scheme (what the vocabulary says)."""
        node = self._typed(uri, *classes)
        self._add(node, SKOS.inScheme, URIRef(scheme))
        return node

    def _theme(self, uri: str) -> URIRef:
        node = self._term(uri, vocabularies.THEME_SCHEME, SKOS.Concept)
        self._add(node, SKOS.prefLabel, *_texts(vocabularies.THEMES[uri]))
        return node

    def _document(self, url: str) -> URIRef:
        return self._typed(url, FOAF.Document)

    def _languages(self, subject: URIRef) -> None:
        for language in LANGUAGES:
            uri = vocabularies.language_uri(language)
            self._add(
                subject, DCTERMS.language, self._term(uri, vocabularies.LANGUAGE_SCHEME, DCTERMS.LinguisticSystem)
            )

    # -- the parts ------------------------------------------------------------------------------------------
    def build(self) -> Graph:
        catalogue = self.catalogue
        self._add(catalogue, RDF.type, DCAT.Catalog)
        self._add(catalogue, DCTERMS.title, *_texts(CATALOGUE_TITLE))
        self._add(catalogue, DCTERMS.description, *_texts(CATALOGUE_DESCRIPTION))
        self._add(catalogue, FOAF.homepage, self._document(self._link("opendata:dataset-list")))
        self._add(catalogue, DCTERMS.publisher, self._publisher())
        self._languages(catalogue)
        themes = self._typed(vocabularies.THEME_SCHEME, SKOS.ConceptScheme)
        self._add(themes, DCTERMS.title, Literal("Data theme", lang="en"))
        self._add(catalogue, DCAT.themeTaxonomy, themes)
        self._add(catalogue, DCTERMS.license, self._licence(LICENCE))  # the catalogue's own records
        modified = []
        nodes: dict[str, URIRef] = {}
        for item in datasets():
            nodes[item.slug], dataset_modified = self._dataset(item)
            self._add(catalogue, DCAT.dataset, nodes[item.slug])
            modified.append(dataset_modified)
        for feed in FEEDS:
            self._add(catalogue, DCAT.service, self._feed(feed, nodes))
        latest = _latest(modified)
        if latest is not None:
            self._add(catalogue, DCTERMS.modified, Literal(latest, datatype=XSD.dateTime))
        self.modified = latest
        return self.graph

    def _publisher(self) -> URIRef:
        publisher = self._typed(str(self.publisher), FOAF.Agent, FOAF.Organization)
        names = {"fr": settings.OPENDATA_PUBLISHER_NAME_FR, "ar": settings.OPENDATA_PUBLISHER_NAME_AR}
        names["en"] = settings.OPENDATA_PUBLISHER_NAME_EN
        self._add(publisher, FOAF.name, *(Literal(name, lang=language) for language, name in names.items() if name))
        self._add(publisher, FOAF.homepage, self._document(settings.OPENDATA_PUBLISHER_URL))
        self._add(publisher, FOAF.mbox, URIRef(f"mailto:{settings.OPENDATA_PUBLISHER_EMAIL}"))
        publisher_type = self._term(
            vocabularies.PUBLISHER_TYPE_LOCAL_AUTHORITY, vocabularies.PUBLISHER_TYPE_SCHEME, SKOS.Concept
        )
        self._add(publisher_type, SKOS.prefLabel, Literal("Local Authority", lang="en"))
        self._add(publisher, DCTERMS.type, publisher_type)
        publisher_types = self._typed(vocabularies.PUBLISHER_TYPE_SCHEME, SKOS.ConceptScheme)
        self._add(publisher_types, DCTERMS.title, Literal("Publisher type", lang="en"))
        contact = self._typed(str(self.contact), VCARD.Kind, VCARD.Organization)
        self._add(contact, VCARD.fn, *(Literal(name, lang=language) for language, name in names.items() if name))
        self._add(contact, VCARD.hasEmail, URIRef(f"mailto:{settings.OPENDATA_PUBLISHER_EMAIL}"))
        self._add(contact, VCARD.hasURL, URIRef(self._link("opendata:dataset-list")))
        return publisher

    def _licence(self, licence: Licence) -> URIRef:
        node = self._typed(licence.url, DCTERMS.LicenseDocument)
        self._add(node, DCTERMS.title, Literal(licence.name))
        kind = self._term(vocabularies.LICENCE_TYPE_ATTRIBUTION, vocabularies.LICENCE_TYPE_SCHEME, SKOS.Concept)
        self._add(kind, SKOS.prefLabel, Literal("Attribution", lang="en"))
        self._add(node, DCTERMS.type, kind)
        return node

    def _dataset(self, item: Dataset) -> tuple[URIRef, datetime | None]:
        page = self._link("opendata:dataset", (("slug", item.slug),))
        node = self._typed(f"{page}#dataset", DCAT.Dataset)
        self._add(node, DCTERMS.identifier, Literal(str(node)))
        self._add(node, DCTERMS.title, *_texts(item.title))
        self._add(node, DCTERMS.description, *_texts(item.description))
        for keyword in item.keywords:
            self._add(node, DCAT.keyword, *_texts(keyword))
        self._add(node, DCAT.theme, self._theme(item.theme))
        frequency = self._term(item.frequency, vocabularies.FREQUENCY_SCHEME, DCTERMS.Frequency)
        self._add(frequency, RDFS.label, *_texts(vocabularies.FREQUENCIES[item.frequency]))
        self._add(node, DCTERMS.accrualPeriodicity, frequency)
        self._add(node, DCAT.landingPage, self._document(page))
        self._add(node, DCTERMS.publisher, self.publisher)
        self._add(node, DCAT.contactPoint, self.contact)
        self._languages(node)
        self._spatial(node, item)
        self._temporal(node, item)
        modified = item.modified()
        if modified is not None:
            self._add(node, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime))
        licence = self._licence(item.licence)
        for distribution in item.distributions:
            self._add(node, DCAT.distribution, self._distribution(distribution, licence=licence, modified=modified))
        return node, modified

    def _spatial(self, node: URIRef, item: Dataset) -> None:
        bbox = item.spatial_coverage()
        if bbox is None:
            return
        west, south, east, north = bbox
        location = BNode(f"{item.slug}-spatial")  # named blank nodes: the same bytes, the same ETag
        self._add(location, RDF.type, DCTERMS.Location)
        wkt = f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))"
        self._add(location, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral))
        centroid = f"POINT({(west + east) / 2} {(south + north) / 2})"
        self._add(location, DCAT.centroid, Literal(centroid, datatype=GSP.wktLiteral))
        self._add(node, DCTERMS.spatial, location)

    def _temporal(self, node: URIRef, item: Dataset) -> None:
        period = item.temporal_coverage()
        if period is None:
            return
        start, end = period
        interval = BNode(f"{item.slug}-temporal")
        self._add(interval, RDF.type, DCTERMS.PeriodOfTime)
        self._add(interval, DCAT.startDate, Literal(start, datatype=XSD.date))
        self._add(interval, DCAT.endDate, Literal(end, datatype=XSD.date))
        self._add(node, DCTERMS.temporal, interval)

    def _distribution(self, distribution: Distribution, *, licence: URIRef, modified: datetime | None) -> URIRef:
        url = f"{self.base_url}{distribution.path()}"
        node = self._typed(f"{url}#distribution", DCAT.Distribution)
        self._add(node, DCTERMS.title, *_texts(distribution.title))
        self._add(node, DCAT.accessURL, self._typed(url, RDFS.Resource))
        self._add(node, DCAT.downloadURL, URIRef(url))
        media_type = self._typed(vocabularies.media_type_uri(distribution.media_type), DCTERMS.MediaType)
        self._add(node, DCAT.mediaType, media_type)
        file_type = vocabularies.file_type_uri(distribution.extension)
        if file_type is not None:
            file_type_node = self._term(file_type, vocabularies.FILE_TYPE_SCHEME, DCTERMS.MediaTypeOrExtent)
            self._add(node, DCTERMS["format"], file_type_node)
        availability = self._term(vocabularies.AVAILABILITY_STABLE, vocabularies.AVAILABILITY_SCHEME, SKOS.Concept)
        self._add(availability, SKOS.prefLabel, Literal("stable", lang="en"))
        self._add(node, DCATAP.availability, availability)
        self._add(node, DCTERMS.license, licence)
        if modified is not None:
            self._add(node, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime))
        return node

    def _feed(self, feed: Feed, datasets_by_slug: dict[str, URIRef]) -> URIRef:
        """The service, the datasets of the catalogue it serves, and their themes."""
        node = self._url("opendata:catalog", fragment=feed.key)
        self._add(node, RDF.type, DCAT.DataService)
        self._add(node, DCTERMS.title, *_texts(feed.title))
        self._add(node, DCTERMS.description, *_texts(feed.description))
        self._add(node, DCAT.endpointURL, self._typed(self._link(feed.endpoint, feed.endpoint_kwargs), RDFS.Resource))
        description = self._link(feed.described_by, feed.described_kwargs, query=feed.described_query)
        self._add(node, DCAT.endpointDescription, self._typed(description, RDFS.Resource))
        self._add(node, DCTERMS.conformsTo, self._typed(feed.conforms_to, DCTERMS.Standard))
        self._add(node, DCTERMS.publisher, self.publisher)
        self._add(node, DCAT.contactPoint, self.contact)
        for item in datasets():
            if item.slug in feed.serves:
                self._add(node, DCAT.servesDataset, datasets_by_slug[item.slug])
                self._add(node, DCAT.theme, self._theme(item.theme))
        return node


def catalogue_graph(*, base_url: str) -> tuple[Graph, datetime | None]:
    """The catalogue's graph, and the latest modification of its datasets (None when none is known)."""
    builder = CatalogueGraph(base_url=base_url)
    graph = builder.build()
    return graph, builder.modified
