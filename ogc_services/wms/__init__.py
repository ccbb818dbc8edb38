"""WMS 1.3.0 and WMTS of the geoportal: MapServer renders the `geoportal` views, MapProxy caches and serves.

Everything is generated from settings under `WMS_DIR` (var/wms by default): the MapServer mapfile, the
MapServer 8 config file (`MS_MAP_PATTERN`) and MapProxy's YAML. MapProxy's WSGI app is mounted at `/ows/`
through a thin Django view (docs/adr/0003-wms-wmts-mapproxy.md). A published decision removes the WMTS
tiles it affects (`wms_cache_invalidate`) after the publishing transaction commits, through an outbox row written in
it (`models`, `services`, `tasks`: tried again until it succeeds); cached tiles also expire after
`WMS_CACHE_MAX_AGE_SECONDS` (`mapproxy_config`).
"""
