"""The open-data portal (a face: it reads the domain, the domain never imports it).

- `models.py`: `IndicatorSnapshot` (one figure of one day, month or year) and `RefreshRun` (the run log).
- `indicators.py` and `sql/`: one period's snapshots from the audit trail and the files (`docs/opendata.md`).
- `tasks.py`: the nightly refresh; `management/commands/opendata_refresh.py`: any day or range, and their
  months and years.
- `catalogue.py`: the registry of the published datasets and their distributions (pages, downloads, DCAT);
  `selectors.py`: their coverage and freshness; `licence.py`: the licence they are published under.
- `downloads/`: the files at `/opendata/datasets/` (authorised projects, indicator tables and histories).
- `dcat/`: the DCAT-AP 3 catalogue at `/opendata/catalog` (`.jsonld`, `.ttl`, `.rdf`), for harvesters.
- `pages/` and `templates/opendata/`: the datasets' pages at `/opendata/datasets/` and `/opendata/datasets/<slug>/`.
- `dashboard/`: the public dashboard at `/opendata/` (page, `dashboard.json`, each chart's CSV and JSON).
- `office/`: the administration's statistics at `/office/statistics/` (staff only; CSV and XLSX exports).
"""
