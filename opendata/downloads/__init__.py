"""The open-data downloads: the authorised projects with their geometry at stable URLs, one per format, and the
indicator tables (per month, per year) and daily histories as CSV and JSON.

A map of the package:
- `selectors`: the dataset read through the public `geoportal` alias (the published projects' view, public
  columns only), in Arrow record batches of bounded size, and its version (ETag, Last-Modified);
- `formats`: one writer per format, a table keyed by extension: GeoJSON and CSV streamed batch by batch,
  GeoPackage and FlatGeobuf written by GDAL (pyogrio) and GeoParquet by pyarrow to a temporary file, then streamed;
- `indicators`: the indicator figures read through `geoportal.indicator_snapshots` in keyset batches, and their
  CSV (UTF-8 with a byte-order mark) and JSON writers, streamed;
- `http`: what every download answers with: conditional requests (weak `ETag`, `Last-Modified`), the licence
  (Licence Ouverte 2.0) in a `Link` header, a streamed body with a stable file name;
- `views`: the HTTP face (`/opendata/datasets/...`): the dataset, format and filters checked (problems otherwise).
"""
