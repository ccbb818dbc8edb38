"""The open-data portal (a face: it reads the domain, the domain never imports it).

- `models.py`: `IndicatorSnapshot` (one figure of one day, month or year) and `RefreshRun` (the run log).
- `indicators.py` and `sql/`: one period's snapshots from the audit trail and the files (`docs/opendata.md`).
- `tasks.py`: the nightly refresh; `management/commands/opendata_refresh.py`: any day or range, and their
  months and years.
- `dashboard/`: the public dashboard at `/opendata/` (page, `dashboard.json`, each chart's CSV and JSON).
- `downloads/`: the authorised projects with their geometry, one stable URL per format.
The catalogue of datasets and the DCAT catalogue come next.
"""
