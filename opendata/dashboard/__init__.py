"""The public dashboard at `/opendata/`: headline figures, charts and a map of communes for one selection.

A map of the package:
- `filters`: the selection read from the URL query (territory code, procedure code, period `YYYY` or `YYYY-MM`),
  each bad value a typed `BadInput` (a 400 problem, or the form's error on the page);
- `selectors`: the dashboard's figures read from the month and year `IndicatorSnapshot` rows in a fixed, small
  number of indexed queries, its version (the last successful `RefreshRun`) and the filters' options;
- `views`: the page (server-rendered tables, ECharts and MapLibre as enhancements), the JSON of the whole
  dashboard and each chart's data as CSV or JSON, all with `ETag` and `Last-Modified`.
"""
