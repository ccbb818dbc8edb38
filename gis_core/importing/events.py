"""What a committed import tells the rest of the platform: one `LayerImported` event per successful run.

The pipeline publishes the event inside the import's transaction; every subscriber is called after the commit,
each as its own `transaction.on_commit(..., robust=True)` callback. So a failed or dry run (rolled back)
announces nothing, and a failing subscriber is logged by Django without stopping the others. The faces (tiles,
WMS/WMTS, OGC API) subscribe from their `AppConfig.ready()`: gis_core never imports them.

    from gis_core.importing import events

    def forget_tiles(event: events.LayerImported) -> None: ...

    events.import_subscribe(handler=forget_tiles)

`bbox` is the lon/lat box of the features the source brought (after the checks, before the target's own
rejections). It bounds every change of the run when nothing was updated (an update may move a feature from
elsewhere) and the target stores the geometries as read (an overlay grows by its buffer): a subscriber that
forgets cached renderings over an area uses it only then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class LayerImported:
    target: str  # the import target: territories, parcels, zones, overlays
    run_id: int  # its `ImportRun`
    inserted: int
    updated: int
    bbox: BBox | None  # see the module docstring; None when the run kept no feature

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


Handler = Callable[[LayerImported], None]

_handlers: list[Handler] = []


def import_subscribe(*, handler: Handler) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def import_unsubscribe(*, handler: Handler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def _delivery(handler: Handler, event: LayerImported) -> Callable[[], None]:
    def deliver() -> None:
        handler(event)

    deliver.__qualname__ = f"{getattr(handler, '__qualname__', repr(handler))}(import {event.run_id})"
    return deliver


def import_publish(*, event: LayerImported) -> None:
    """Schedule every subscriber for when the current transaction commits (nothing happens on a rollback)."""
    for handler in list(_handlers):
        transaction.on_commit(_delivery(handler, event), robust=True)


def bbox_union(first: BBox | None, second: BBox | None) -> BBox | None:
    if first is None or second is None:
        return first or second
    return (min(first[0], second[0]), min(first[1], second[1]), max(first[2], second[2]), max(first[3], second[3]))
