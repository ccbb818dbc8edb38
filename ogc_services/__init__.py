"""The geoportal face: the `geoportal` schema of public views, OGC API Features and WMS/WMTS over them."""
