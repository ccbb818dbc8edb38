"""The administration's statistics (`/office/statistics/`, back-office staff only): the indicators of the user's
territory down to each desk, agency and commission for a period, the files over or close to their time limit now,
and the bottlenecks of the last 30 days, each table exportable to CSV and XLSX.

A map of the package:
- `period`: the period asked for (the last 30 days, a month, a year) and its window in the platform's time zone;
- `tables`: a table's columns and rows, as the page shows them and the exports write them;
- `selectors`: the user's scope (`permits.selectors.office_territories`) and every table, read with the daily
  indicators' facts (`opendata.indicators.file_facts_build`) and the SQL files of `sql/`, in a fixed number of
  queries whatever the number of files;
- `exports`: CSV (UTF-8) and XLSX (openpyxl) of one table;
- `views` and `urls`: the page and the downloads, mounted at `/office/statistics/` by config.urls.
"""
