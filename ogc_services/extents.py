"""Extents of the geoportal layers for the generated config, without making a request wait for a full scan.

`ST_Extent` over a million parcels takes seconds. The config build asks for each extent with a short timeout
(`OGC_EXTENT_TIMEOUT_MS`); a layer that does not answer in time gets its last known extent (kept in
`OGC_CONFIG_DIR/extents.json`, shared by every process) or, the very first time, the whole world, while a
background thread computes it without a timeout, stores it and moves `extents_generation()`: the configuration
built before is rebuilt on the next request.

After an import commits (`ogc_services.subscribers`), the known extent of the imported layer grows by the
imported area (`extent_grow`: imports never delete, so that bounds the data again without a full scan); a layer
never measured yet is measured by the next build, as always.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from psycopg import errors

from gis_core.importing.events import BBox, bbox_union
from ogc_services.catalogue import DATABASE_ALIAS, Extent, Layer, extent_compute

LOGGER = logging.getLogger(__name__)
_RUNNING: set[str] = set()
_LOCK = threading.Lock()
_generation = 0  # known extents this process changed outside a configuration build


def _key(layer_name: str, using: str) -> str:
    return f"{connections[using].settings_dict['NAME']}:{layer_name}"


def _file_read() -> dict[str, Any]:
    path = settings.OGC_CONFIG_DIR / "extents.json"
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def _file_store(key: str, extent: Extent) -> None:
    value = {
        "bbox": list(extent.bbox) if extent.bbox else None,
        "begin": extent.begin.isoformat() if extent.begin else None,
        "end": extent.end.isoformat() if extent.end else None,
    }
    with _LOCK:
        stored = _file_read()
        if stored.get(key) == value:
            return  # unchanged: the file's time tells every process that an extent moved (config.py)
        stored[key] = value
        settings.OGC_CONFIG_DIR.mkdir(parents=True, exist_ok=True)
        path = settings.OGC_CONFIG_DIR / "extents.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(stored, indent=1))
        temporary.replace(path)


def _from_file(key: str) -> Extent | None:
    value = _file_read().get(key)
    if not value:
        return None
    bbox = tuple(value["bbox"]) if value.get("bbox") else None
    begin = dt.datetime.fromisoformat(value["begin"]) if value.get("begin") else None
    end = dt.datetime.fromisoformat(value["end"]) if value.get("end") else None
    return Extent(bbox=bbox, begin=begin, end=end)


def _compute_later(layer: Layer, time_column: str | None, using: str, key: str) -> None:
    def work() -> None:
        try:
            _file_store(key, extent_compute(layer, time_column=time_column, using=using))
            _extents_changed()  # the next request builds the config with the real extent
        except DatabaseError:
            LOGGER.exception("extent of %s", layer.name)
        finally:
            connections.close_all()
            with _LOCK:
                _RUNNING.discard(key)

    with _LOCK:
        if key in _RUNNING:
            return
        _RUNNING.add(key)
    threading.Thread(target=work, name=f"ogc-extent-{layer.name}", daemon=True).start()


def _extents_changed() -> None:
    global _generation
    with _LOCK:
        _generation += 1


def extents_generation() -> int:
    """Moves when this process changes a known extent outside a build (measured in the background, grown by an
    import): a configuration built under another generation is stale."""
    return _generation


def layer_extent(layer: Layer, *, time_column: str | None = None, using: str = DATABASE_ALIAS) -> Extent:
    """The layer's extent now if PostgreSQL answers quickly, else the last known one (and a refresh)."""
    key = _key(layer.name, using)
    try:
        extent = extent_compute(layer, time_column=time_column, timeout_ms=settings.OGC_EXTENT_TIMEOUT_MS, using=using)
    except DatabaseError as error:
        if not isinstance(error.__cause__, errors.QueryCanceled):
            raise
        _compute_later(layer, time_column, using, key)
        return _from_file(key) or Extent(bbox=None)
    _file_store(key, extent)
    return extent


def extent_grow(*, layer_name: str, bbox: BBox, using: str = DATABASE_ALIAS) -> None:
    """Grow the layer's known extent by `bbox` (nothing known yet: the next build measures it)."""
    key = _key(layer_name, using)
    known = _from_file(key)
    if known is not None and known.bbox is not None:
        _file_store(key, Extent(bbox=bbox_union(known.bbox, bbox), begin=known.begin, end=known.end))
    _extents_changed()  # this process's configuration, if it built one, is rebuilt on its next request
