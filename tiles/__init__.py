"""Vector tiles from PostGIS: Mapbox Vector Tiles of the geoportal layers, TileJSON, a Redis tile cache.

A map of the package:
- `layers`: the whitelist of tile layers (one per geoportal view) with their zoom ranges and generalisation;
- `grid`: Web Mercator tile arithmetic (validation, the tiles a bounding box touches at each zoom);
- `db`: the read-only connection (role `geoportal_reader`) the tiles are rendered through;
- `pieces`: the subdivided, Web-Mercator copies of the large-polygon layers (zones, overlays, territories);
- `selectors`: tile rendering, layer fields and extents, TileJSON documents;
- `cache`: the Redis tile cache with per-layer generations and a race-free store, failing open when Redis is down;
- `services`: invalidation (a published decision, an import), called by `subscribers` (its event bus handlers)
  through the outbox rows of `models` (`TileInvalidation`, `TileImportInvalidation`), run and retried by `tasks`;
- `views` / `urls`: the HTTP face (`/tiles/`, `/tiles/{layer}.json`, `/tiles/{layer}/{z}/{x}/{y}.pbf`).
"""
