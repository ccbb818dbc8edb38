"""What a committed import tells the rest of the platform: one `LayerImported` event per successful run, on the
platform's bus (`gis_core.events`), which this module declares it publishes.

The pipeline publishes the event inside the import's transaction; the faces (tiles, WMS/WMTS, OGC API) subscribe
from their `subscribers.py` in the in-transaction phase and write an outbox row each (`gis_core.outbox`), done
after the commit and retried until it succeeds, so a failed or dry run (rolled back) leaves no work behind and a
Redis or broker outage loses none. gis_core never imports them.

    from gis_core import events
    from gis_core.importing.events import LayerImported

    @events.subscriber("layer.imported")
    def forget_tiles(event: LayerImported) -> None: ...

`bbox` is the lon/lat box of the features the source brought (after the checks, before the target's own
rejections). It bounds every change of the run when nothing was updated (an update may move a feature from
elsewhere) and the target stores the geometries as read (an overlay grows by its buffer): a subscriber that
forgets cached renderings over an area uses it only then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gis_core.events import Event, event_declare

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class LayerImported(Event):
    name: str = field(default="layer.imported", init=False)
    target: str  # the import target: territories, parcels, zones, overlays
    run_id: int  # its `ImportRun`
    inserted: int
    updated: int
    bbox: BBox | None  # see the module docstring; None when the run kept no feature

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


event_declare(event_type=LayerImported)


def bbox_union(first: BBox | None, second: BBox | None) -> BBox | None:
    if first is None or second is None:
        return first or second
    return (min(first[0], second[0]), min(first[1], second[1]), max(first[2], second[2]), max(first[3], second[3]))
