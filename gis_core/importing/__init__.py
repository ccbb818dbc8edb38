"""The generic streaming import pipeline (pyogrio -> checks and repair -> COPY -> target upsert).

It knows nothing of parcels: domain apps register their own `Target`s next to `TERRITORIES`. A committed run
announces itself to whoever subscribed (`events.LayerImported`): the faces keep their caches true to the data.
"""

from gis_core.importing.errors import ImportAborted, ImportInputError
from gis_core.importing.fields import FieldKind, TargetField
from gis_core.importing.pipeline import ImportSummary, import_layer
from gis_core.importing.targets import ImportRequest, Target, UpsertCounts
from gis_core.importing.territories import TerritoriesTarget

__all__ = [
    "FieldKind",
    "ImportAborted",
    "ImportInputError",
    "ImportRequest",
    "ImportSummary",
    "Target",
    "TargetField",
    "TerritoriesTarget",
    "UpsertCounts",
    "import_layer",
]
