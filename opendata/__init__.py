"""The open-data portal (a face: it reads the domain, the domain never imports it).

- `models.py`: `IndicatorSnapshot` (one figure of one day) and `RefreshRun` (the run log).
- `indicators.py` and `sql/`: one day's snapshots from the audit trail and the files (`docs/opendata.md`).
- `tasks.py`: the nightly refresh; `management/commands/opendata_refresh.py`: any day or range.
- `downloads/`: the authorised projects' dataset; `office/`: the administration's statistics (`/office/statistics/`).
The portal's pages and DCAT catalogue come next.
"""
