"""OGC API Features and WMS/WMTS over the geoportal views (issue 5): nothing here yet."""
