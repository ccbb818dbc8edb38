"""The open-data portal (a face: it reads the domain, the domain never imports it).

- `models.py`: `IndicatorSnapshot` (one figure of one day, month or year) and `RefreshRun` (the run log).
- `indicators.py` and `sql/`: one period's snapshots from the audit trail and the files (`docs/opendata.md`).
- `tasks.py`: the nightly refresh; `management/commands/opendata_refresh.py`: any day or range, and their
  months and years.
The portal's pages, downloads and DCAT catalogue come next.
"""
