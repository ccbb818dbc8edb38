"""The open-data downloads: the authorised projects with their geometry at stable URLs, one per format.

A map of the package:
- `selectors`: the dataset read through the public `geoportal` alias (the published projects' view, public
  columns only), in Arrow record batches of bounded size, and its version (ETag, Last-Modified);
- `formats`: one writer per format, a table keyed by extension: GeoJSON and CSV streamed batch by batch,
  GeoPackage and FlatGeobuf written by GDAL (pyogrio) and GeoParquet by pyarrow to a temporary file, then streamed;
- `views`: the HTTP face (`/opendata/datasets/authorised-projects.<extension>`): conditional requests, media
  type, `Content-Disposition` and the licence (Licence Ouverte 2.0) in a `Link` header.
"""
