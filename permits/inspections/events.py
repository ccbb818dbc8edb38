"""The site inspections' events on the bus (`gis_core.events`): `DossierEvent`s (`permits.events`) whose `data` is
the payload of the audit event of the same name, written in the same transaction. Listed in ADR 0004.

| event | payload (besides `inspection`, `starts_at`) |
|---|---|
| inspection.proposed | `inspector` (or None), `duration_minutes` |
| inspection.confirmed | |
| inspection.other_date_asked | `message` (the applicant's availability) |
| inspection.rescheduled | `previous_starts_at`, `reason` |
| inspection.cancelled | `reason` |
| inspection.report_saved | `answered`, `verdict` |
| inspection.photo_added | `document`, `sha256`, `exif_position`, `browser_position` |
| inspection.closed | `verdict`, `report` (document id), `report_sha256` |
| inspection.report_signed | `report` (signed version id), `sha256`, `signer`, `certificate_sha256` |
"""

from gis_core.events import event_declare
from permits.events import DossierEvent

INSPECTION_EVENT_NAMES = (
    "inspection.proposed",
    "inspection.confirmed",
    "inspection.other_date_asked",
    "inspection.rescheduled",
    "inspection.cancelled",
    "inspection.report_saved",
    "inspection.photo_added",
    "inspection.closed",
    "inspection.report_signed",
)

event_declare(event_type=DossierEvent, names=INSPECTION_EVENT_NAMES)
