"""The plan review's events on the bus (`gis_core.events`): `DossierEvent`s (`permits.events`) whose `data` is the
payload of the audit event of the same name, written in the same transaction. Listed in ADR 0004.

| event | payload |
|---|---|
| plan.annotation_created | `annotation`, `document`, `page`, `kind`, `remark` |
| plan.annotation_updated | `annotation`, `document`, `changed` (field names), `status`, `remark` |
| plan.annotation_withdrawn | `annotation`, `document` |
| plan.calibration_set | `document`, `page`, `method`, `metres_per_point`, `annotations_measured` |
| plan.annotations_carried_forward | `from_document`, `document`, `annotations`, `calibrations` (counts) |
"""

from gis_core.events import event_declare
from permits.events import DossierEvent

PLAN_EVENT_NAMES = (
    "plan.annotation_created",
    "plan.annotation_updated",
    "plan.annotation_withdrawn",
    "plan.calibration_set",
    "plan.annotations_carried_forward",
)

event_declare(event_type=DossierEvent, names=PLAN_EVENT_NAMES)
