"""pygeoapi's configuration and OpenAPI document, generated from the geoportal catalogue (never written by hand).

`api_for(base_url)` gives the pygeoapi `API` object the views use. It is built lazily, on the first request, from
the database the `geoportal` alias points at (under pytest: the test database), and rebuilt when the config is
older than `OGC_CONFIG_REFRESH_SECONDS` (extents follow the data), when `extents.json` changed (an import in
another process grew a layer's extent: the web server picks it up on its next request) or when this process measured
an extent in the background (`extents_generation`). The OpenAPI document is
regenerated only when the config changes. Both are also written to `PYGEOAPI_CONFIG_PATH` /
`PYGEOAPI_OPENAPI_PATH`, and the `PYGEOAPI_CONFIG` / `PYGEOAPI_OPENAPI` environment variables point at them, for
pygeoapi's own tools.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygeoapi
from django.conf import settings

from ogc_services import crs_cache
from ogc_services.catalogue import (
    DATABASE_ALIAS,
    SCHEMA,
    Layer,
    catalogue_cache_reset,
    catalogue_cache_set,
    catalogue_read,
)
from ogc_services.crs import CRS84, offered
from ogc_services.extents import extents_generation, layer_extent
from ogc_services.metadata import layer_metadata
from ogc_services.openapi import openapi_localise

PROVIDER = "ogc_services.provider.GeoportalProvider"
TEMPLATES = Path(__file__).resolve().parent / "templates" / "pygeoapi"
PYGEOAPI_STATIC = Path(pygeoapi.__file__).resolve().parent / "static"
LANGUAGES = ["fr-FR", "en-US"]


def _instant(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    """A temporal extent bound as pygeoapi wants it: an aware datetime."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def collection_config(layer: Layer) -> dict[str, Any]:
    """One pygeoapi collection for one geoportal view."""
    meta = layer_metadata(layer.name)
    time_column = meta.time_column if meta.time_column and layer.column(meta.time_column) else None
    extent = layer_extent(layer, time_column=time_column)
    bbox = list(extent.bbox) if extent.bbox else [-180.0, -90.0, 180.0, 90.0]
    extents: dict[str, Any] = {"spatial": {"bbox": bbox, "crs": CRS84}}
    if time_column:
        # Open-ended: a decision published after this config was built is still inside the extent (pygeoapi
        # answers 400 to a datetime outside it).
        extents["temporal"] = {"begin": _instant(extent.begin), "end": None, "trs": _GREGORIAN}
    provider: dict[str, Any] = {
        "type": "feature",
        "name": PROVIDER,
        "data": {"schema": SCHEMA, "alias": DATABASE_ALIAS},
        "table": layer.name,
        "id_field": layer.id_column,
        "geom_field": layer.geometry_column,
        "include_extra_query_parameters": True,  # every parameter reaches the provider, which rejects unknowns
        "count": False,
        "crs": list(offered()),  # OGC API Features Part 2: `crs` and `bbox-crs` (ogc_services.crs)
        "storage_crs": CRS84,
    }
    if time_column:
        provider["time_field"] = time_column
    if meta.title_column and layer.column(meta.title_column):
        provider["title_field"] = meta.title_column
    return {
        "type": "collection",
        "title": {"fr": meta.title["fr"], "en": meta.title["en"]},
        "description": {"fr": meta.description["fr"], "en": meta.description["en"]},
        "keywords": meta.keywords or {"fr": [layer.name], "en": [layer.name]},
        "links": [],
        "extents": extents,
        "providers": [provider],
    }


_GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def config_build(*, base_url: str) -> dict[str, Any]:
    """The whole pygeoapi configuration: server, metadata, and one collection per publishable view."""
    layers = catalogue_read()
    catalogue_cache_set(layers)
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": 8000},
            "url": base_url.rstrip("/"),
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "gzip": False,
            "languages": LANGUAGES,
            "pretty_print": False,
            "limits": {"default_items": 100, "max_items": settings.OGC_MAX_LIMIT, "on_exceed": "throttle"},
            "map": {
                "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                "attribution": "&copy; OpenStreetMap contributors",
            },
            "api_rules": {"strict_slashes": True},
            # our templates first (fixes), pygeoapi's for everything else
            "templates": {"path": str(TEMPLATES), "static": str(PYGEOAPI_STATIC)},
        },
        "logging": {"level": "WARNING"},
        "metadata": {
            "identification": {
                "title": {"fr": "Urbaplan — géoportail", "en": "Urbaplan — geoportal"},
                "description": {
                    "fr": "Couches publiques de la plateforme d'urbanisme : projets autorisés, zonage, servitudes, "
                    "parcelles, territoires.",
                    "en": "Public layers of the planning platform: authorised projects, zoning, overlays, parcels, "
                    "territories.",
                },
                "keywords": {"fr": ["urbanisme", "géoportail"], "en": ["planning", "geoportal"]},
                "keywords_type": "theme",
                "terms_of_service": "https://creativecommons.org/licenses/by/4.0/",
                "url": base_url,
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "Urbaplan", "url": base_url},
            "contact": {"name": "Urbaplan", "position": "Geoportal", "email": "geoportal@urbaplan.localhost"},
        },
        "resources": {name: collection_config(layer) for name, layer in sorted(layers.items())},
    }


def config_fingerprint(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Built:
    api: Any  # pygeoapi.api.API
    config: dict[str, Any]
    openapi: dict[str, Any]
    fingerprint: str
    built_at: float
    extents_stamp: int  # modification time of extents.json when built (0: none)
    extents_generation: int  # extents measured in the background when the build began


_LOCK = threading.Lock()
_BUILT: dict[str, Built] = {}


def _files_write(config: dict[str, Any], openapi: dict[str, Any]) -> None:
    from pygeoapi.util import yaml_dump

    settings.OGC_CONFIG_DIR.mkdir(parents=True, exist_ok=True)
    yaml_dump(config, str(settings.PYGEOAPI_CONFIG_PATH))
    yaml_dump(openapi, str(settings.PYGEOAPI_OPENAPI_PATH))
    os.environ["PYGEOAPI_CONFIG"] = str(settings.PYGEOAPI_CONFIG_PATH)
    os.environ["PYGEOAPI_OPENAPI"] = str(settings.PYGEOAPI_OPENAPI_PATH)


def _extents_stamp() -> int:
    try:
        return (settings.OGC_CONFIG_DIR / "extents.json").stat().st_mtime_ns
    except OSError:
        return 0


def _stale(built: Built | None) -> bool:
    if built is None or time.monotonic() - built.built_at >= settings.OGC_CONFIG_REFRESH_SECONDS:
        return True
    return built.extents_stamp != _extents_stamp() or built.extents_generation != extents_generation()


def build(*, base_url: str, previous: Built | None = None) -> Built:
    """Generate the config; regenerate the OpenAPI document only when the config changed."""
    from pygeoapi.api import API
    from pygeoapi.openapi import get_oas

    crs_cache.install()
    _quiet_pygeoapi()
    generation = extents_generation()  # before the build: an extent measured meanwhile makes it stale
    config = config_build(base_url=base_url)
    stamp = _extents_stamp()  # after the build, which may itself have stored a newly measured extent
    fingerprint = config_fingerprint(config)
    if previous is not None and previous.fingerprint == fingerprint:
        previous.built_at = time.monotonic()
        previous.extents_stamp = stamp
        previous.extents_generation = generation
        return previous
    openapi = openapi_localise(get_oas(copy.deepcopy(config)))
    _files_write(config, openapi)
    return Built(
        api=API(config, openapi),
        config=config,
        openapi=openapi,
        fingerprint=fingerprint,
        built_at=time.monotonic(),
        extents_stamp=stamp,
        extents_generation=generation,
    )


def api_for(base_url: str) -> Built:
    """The pygeoapi API for a public base URL, built on first use and refreshed when stale."""
    base_url = (settings.OGC_BASE_URL or base_url).rstrip("/")
    built = _BUILT.get(base_url)
    if built is not None and not _stale(built):
        return built
    with _LOCK:
        built = _BUILT.get(base_url)
        if built is None or _stale(built):
            built = build(base_url=base_url, previous=built)
            _BUILT[base_url] = built
        return built


def reset() -> None:
    """Forget every built API (tests, or after a migration changed the views): the next request rebuilds."""
    with _LOCK:
        _BUILT.clear()
    catalogue_cache_reset()


def _quiet_pygeoapi() -> None:
    """pygeoapi logs every client error (and its own l10n noise) at ERROR/WARNING with tracebacks."""
    import logging

    logging.getLogger("pygeoapi").setLevel(settings.OGC_PYGEOAPI_LOG_LEVEL)
