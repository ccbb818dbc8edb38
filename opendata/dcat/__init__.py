"""The DCAT-AP 3 catalogue of the open-data portal, for harvesters (CKAN's ckanext-dcat, data.europa.eu...).

- `graph`: the catalogue as an rdflib graph, built from the dataset registry (`opendata.catalogue`), the
  publisher's settings (`OPENDATA_PUBLISHER_*`) and the feeds served as data services (OGC API Features, WMS,
  WMTS, vector tiles), with absolute links and every literal in French, Arabic and English;
- `views`: `/opendata/catalog.jsonld`, `.ttl`, `.rdf` and `/opendata/catalog` (content negotiation), with
  `ETag` and `Last-Modified`.
"""
