"""Site inspections (récolement) of the procedures the catalogue marks `inspection: required` (occupancy permit,
certificate of conformity): a nested app (label `inspections`).

- `models.py`: the catalogue's part (`ProcedureInspection`, `ChecklistItem`), the inspection with its appointment
  and report (`Inspection`, `ChecklistAnswer`, `InspectionPhoto`);
- `lifecycles.py`: the inspection's state machine (`permits.machines`), the only writer of its status;
- `services.py`: every write (schedule, confirm, ask another slot, reschedule, cancel, report, photos, close);
- `selectors.py`: the reads of the pages; `guards.py`: what the file's workflow asks before a decision;
- `exif.py`: the GPS position in a photo's EXIF; `pdf.py`: the report as a bilingual PDF;
- `events.py`: the inspection's events on the bus; `notifications.py`: who is told (subscribers);
- `tasks.py`: the inspector's PAdES signature of the closed report, after commit.
See `README.md`.
"""
