"""Extents of the geoportal layers for the generated config, without making a request wait for a full scan.

`ST_Extent` over a million parcels takes seconds. The config build asks for each extent with a short timeout
(`OGC_EXTENT_TIMEOUT_MS`); a layer that does not answer in time gets its last known extent (kept in
`OGC_CONFIG_DIR/extents.json`, shared by every process) or, the very first time, the whole world, while a
background thread computes it without a timeout, stores it and moves `extents_generation()`: the configuration
built before is rebuilt on the next request.

After an import commits (`ogc_services.subscribers`), the known extent of the imported layer grows by the
imported area (`extent_grow`: imports never delete, so that bounds the data again without a full scan); a layer
never measured yet is measured by the next build, as always.

Every change of `extents.json` is a read-modify-write under an exclusive `fcntl` lock on `extents.lock` beside it
(and this process's own lock between its threads), written to a temporary file of its own (pid and thread) and
renamed over the old one: readers see the old file or the new one, never half of one, and no concurrent growth,
from another thread or process, is lost.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def _stored(extent: Extent) -> dict[str, Any]:
    return {
        "bbox": list(extent.bbox) if extent.bbox else None,
        "begin": extent.begin.isoformat() if extent.begin else None,
        "end": extent.end.isoformat() if extent.end else None,
    }


def _extent(value: dict[str, Any] | None) -> Extent | None:
    if not value:
        return None
    bbox = tuple(value["bbox"]) if value.get("bbox") else None
    begin = dt.datetime.fromisoformat(value["begin"]) if value.get("begin") else None
    end = dt.datetime.fromisoformat(value["end"]) if value.get("end") else None
    return Extent(bbox=bbox, begin=begin, end=end)


@contextmanager
def _file_locked() -> Iterator[None]:
    """This process's threads one at a time, and one process at a time (`flock` on `extents.lock`)."""
    directory = settings.OGC_CONFIG_DIR
    directory.mkdir(parents=True, exist_ok=True)
    with _LOCK, open(directory / "extents.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _file_update(key: str, change: Callable[[Extent | None], Extent | None]) -> None:
    """Replace the known extent of `key` by `change(known)` (None: leave it), atomically (module docstring)."""
    with _file_locked():
        stored = _file_read()
        changed = change(_extent(stored.get(key)))
        if changed is None:
            return
        value = _stored(changed)
        if stored.get(key) == value:
            return  # unchanged: the file's time tells every process that an extent moved (config.py)
        stored[key] = value
        path = settings.OGC_CONFIG_DIR / "extents.json"
        temporary = path.with_name(f"extents.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with open(temporary, "w") as file:
                file.write(json.dumps(stored, indent=1))
                file.flush()
                os.fsync(file.fileno())
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)


def _file_store(key: str, extent: Extent) -> None:
    _file_update(key, lambda _known: extent)


def _from_file(key: str) -> Extent | None:
    return _extent(_file_read().get(key))


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

    def grown(known: Extent | None) -> Extent | None:
        if known is None or known.bbox is None:
            return None
        return Extent(bbox=bbox_union(known.bbox, bbox), begin=known.begin, end=known.end)

    _file_update(_key(layer_name, using), grown)
    _extents_changed()  # this process's configuration, if it built one, is rebuilt on its next request
