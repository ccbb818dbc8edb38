"""Writes of the OGC API face: the outbox of an import's extent growth (`ogc_services.models.ExtentGrowth`,
`gis_core.outbox`).

- `extent_growth_record`: the row, written in the import's transaction by `ogc_services.subscribers`;
- `extent_growth_run`: one attempt at growing the layer's known extent by the imported area
  (`extents.extent_grow`, idempotent: a union with the same box again changes nothing); an `OSError` (the extents
  file's disk) leaves the row pending with the time of its next attempt (scheduled by `ogc_services.tasks`).
"""

from gis_core.importing.events import BBox
from gis_core.outbox import OutboxOutcome, outbox_attempt
from ogc_services.extents import extent_grow
from ogc_services.models import ExtentGrowth


def extent_growth_record(*, run_id: int, layer: str, bbox: BBox) -> ExtentGrowth:
    """Write the growth of a layer's known extent in the caller's (the import's) transaction."""
    return ExtentGrowth.objects.create(run_id=run_id, layer=layer, bbox=list(bbox))


def _grow(growth: ExtentGrowth) -> str:
    west, south, east, north = growth.bbox
    extent_grow(layer_name=growth.layer, bbox=(west, south, east, north))
    return f"extent of {growth.layer} grown"


def extent_growth_run(*, growth_id: int) -> OutboxOutcome:
    """One attempt at growing the known extent (idempotent); an `OSError` leaves the row pending."""
    return outbox_attempt(model=ExtentGrowth, item_id=growth_id, work=_grow, retry_on=(OSError,))
