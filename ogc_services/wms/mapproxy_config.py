"""MapProxy's configuration as a dict (dumped to YAML): one MapServer source and one cache per layer.

Each layer has its own `type: mapserver` source (MapServer's CGI binary run per request, reading the generated
mapfile) and its own file cache on three grids: Web Mercator, WGS84 and Morocco's Lambert Nord (EPSG:26191).
WMS 1.3.0 serves every SRS of `conf.SRS_CODES` (reprojecting cached tiles when needed); WMTS serves the grids,
KVP and REST. A cache per layer lets `wms_cache_invalidate` remove the tiles of one layer only.

Cached tiles expire: one older than `WMS_CACHE_MAX_AGE_SECONDS` (the file's modification time) is rendered again
when asked for (MapProxy's `refresh_before`), so a publication whose invalidation was missed shows on the map within
that time at the latest.
"""

from typing import Any

from pyproj import CRS, Transformer

from ogc_services.wms.conf import SRS_CODES, WmsSettings
from ogc_services.wms.layers import VECTOR_LAYERS

GRIDS = ("webmercator", "wgs84", "lambert_nord")
LAMBERT_NORD = 26191


def _lambert_grid() -> dict[str, Any]:
    """A grid over EPSG:26191's area of use, origin north-west, 18 levels from ~1 km pixels."""
    west, south, east, north = CRS.from_epsg(LAMBERT_NORD).area_of_use.bounds  # type: ignore[union-attr]
    transformer = Transformer.from_crs(4326, LAMBERT_NORD, always_xy=True)
    minx, miny, maxx, maxy = transformer.transform_bounds(west, south, east, north)
    return {
        "srs": f"EPSG:{LAMBERT_NORD}",
        "bbox": [round(minx, -3) - 1000, round(miny, -3) - 1000, round(maxx, -3) + 1000, round(maxy, -3) + 1000],
        "bbox_srs": f"EPSG:{LAMBERT_NORD}",
        "origin": "nw",
        "res": [4000 / 2**level for level in range(18)],
        "tile_size": [256, 256],
    }


def cache_name(layer: str) -> str:
    return f"{layer}_cache"


def mapproxy_config(config: WmsSettings) -> dict[str, Any]:
    srs = [f"EPSG:{code}" for code in SRS_CODES]
    mapserver = {"binary": str(config.mapserv_binary), "working_dir": str(config.directory)}
    layers: list[dict[str, Any]] = []
    caches: dict[str, Any] = {}
    sources: dict[str, Any] = {}

    def add(name: str, title: str, queryable: bool, format_: str) -> None:
        sources[f"{name}_mapserver"] = {
            "type": "mapserver",
            "req": {"map": str(config.mapfile), "layers": name, "transparent": True},
            "supported_srs": srs,
            "wms_opts": {"version": "1.3.0", "featureinfo": queryable, "legendgraphic": True},
            "mapserver": mapserver,
            "coverage": {"bbox": [-180, -85, 180, 85], "srs": "EPSG:4326"},
        }
        caches[cache_name(name)] = {
            "grids": list(GRIDS),
            "sources": [f"{name}_mapserver"],
            "format": format_,
            "meta_size": [4, 4],
            "meta_buffer": 32,
            "cache": {"type": "file", "directory_layout": "tc"},
            **({"refresh_before": {"seconds": config.cache_max_age}} if config.cache_max_age > 0 else {}),
        }
        layers.append({"name": name, "title": title, "sources": [cache_name(name)]})

    for raster_name in config.rasters:
        add(raster_name, raster_name.replace("_", " ").capitalize(), False, "image/png")
    for layer in VECTOR_LAYERS:
        add(layer.name, layer.title, True, "image/png")

    metadata = {
        "title": config.title,
        "abstract": "Zoning, overlays, parcels, territories and authorised projects (public data only).",
        "access_constraints": "Public data of the municipality.",
        "fees": "none",
    }
    return {
        "services": {
            **({"demo": None} if config.demo else {}),
            "wms": {
                "versions": ["1.3.0", "1.1.1"],
                "srs": srs,
                "bbox_srs": ["EPSG:4326", "EPSG:3857"],
                "image_formats": ["image/png", "image/jpeg"],
                "featureinfo_types": ["text", "json"],  # text/plain and GeoJSON, both from MapServer
                "md": metadata,
            },
            "wmts": {"restful": True, "kvp": True, "md": metadata},
        },
        "layers": layers,
        "caches": caches,
        "sources": sources,
        "grids": {
            "webmercator": {"base": "GLOBAL_WEBMERCATOR"},
            "wgs84": {"base": "GLOBAL_GEODETIC", "origin": "nw"},
            "lambert_nord": _lambert_grid(),
        },
        "globals": {
            "cache": {
                "base_dir": str(config.cache_directory),
                "lock_dir": str(config.cache_directory / "locks"),
                "tile_lock_dir": str(config.cache_directory / "tile_locks"),
            },
            "image": {"resampling_method": "bilinear", "paletted": False},
            "mapserver": mapserver,
        },
    }
