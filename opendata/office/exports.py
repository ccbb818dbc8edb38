"""One table of the office statistics as a download: CSV (UTF-8 with a byte-order mark, so that spreadsheet
programs read the accents and the Arabic; comma-separated, ISO dates) or XLSX (openpyxl, one sheet). The header row
is the columns' stable keys (the page shows their translated labels); the values are the page's."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook

from opendata.office.tables import Table

SHEET_TITLE_LENGTH = 31  # the longest sheet name Excel accepts


def table_csv(table: Table) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(table.keys)
    writer.writerows(["" if value is None else value for value in row] for row in table.rows)
    return text.getvalue().encode("utf-8-sig")


def table_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.key[:SHEET_TITLE_LENGTH])
    sheet.append(table.keys)
    for row in table.rows:
        sheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@dataclass(frozen=True)
class ExportFormat:
    media_type: str
    write: Callable[[Table], bytes]


EXPORT_FORMATS = {
    "csv": ExportFormat("text/csv; charset=utf-8", table_csv),
    "xlsx": ExportFormat("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", table_xlsx),
}
