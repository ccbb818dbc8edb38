"""The indicator tables (an indicator family's figures of every month or every year) and histories (one
indicator's daily figures), read through the `geoportal` alias (`geoportal.indicator_snapshots`) in keyset
batches, each its own statement (flat memory, no transaction held), and written as CSV or JSON, streamed.

CSV is UTF-8 with a byte-order mark: Excel then reads the Arabic and French names right (without it, it takes
the file for the local ANSI code page), and pandas, R and Python's `utf-8-sig` drop the mark. JSON is one object:
the dataset, the licence, the field names, and `rows`, one object per figure with every field (null if none).
"""

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connections

from gis_core.public_reader import PUBLIC_DATABASE
from gis_core.sql_files import sql_text
from opendata.licence import LICENCE

BATCH_ROWS = 5000
# Bumped when the columns or their encoding change, so that a client's cached copy is not taken as current.
SCHEMA_VERSION = 1
FIELDS = (
    "period",
    "day",
    "indicator",
    "procedure_code",
    "procedure_name_fr",
    "procedure_name_ar",
    "procedure_name_en",
    "territory_level",
    "territory_code",
    "territory_name_fr",
    "territory_name_ar",
    "territory_name_en",
    "breakdown_code",
    "breakdown_name_fr",
    "breakdown_name_ar",
    "breakdown_name_en",
    "count",
    "value",
    "median",
    "p90",
)
NATION = "nation"  # the territory filter's value for the national figures
ALL_PROCEDURES = "all"  # the procedure filter's value for the figures of all procedures together


@dataclass(frozen=True)
class SnapshotQuery:
    """Which figures: one period, some indicators, and optionally one territory (a code, or `NATION`) and one
    procedure (a code, or `ALL_PROCEDURES`)."""

    period: str
    indicators: tuple[str, ...]
    territory: str | None = None
    procedure: str | None = None


def unknown_filters(*, territory: str | None, procedure: str | None, using: str = PUBLIC_DATABASE) -> list[str]:
    """The names of the filters whose code is not a published one (the nation is a territory)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            sql_text("opendata.downloads", "indicator_filter_codes"), {"territory": territory, "procedure": procedure}
        )
        territory_known, procedure_known = cursor.fetchone()
    unknown = []
    if territory is not None and territory != NATION and not territory_known:
        unknown.append("territory")
    if procedure is not None and procedure != ALL_PROCEDURES and not procedure_known:
        unknown.append("procedure")
    return unknown


def snapshot_rows(
    query: SnapshotQuery, *, using: str = PUBLIC_DATABASE, batch_rows: int = BATCH_ROWS
) -> Iterator[list[tuple[Any, ...]]]:
    """The figures in (day, id) order, `batch_rows` at a time, each row the `FIELDS` in order."""
    statement = sql_text("opendata.downloads", "indicator_snapshots_batch")
    parameters: dict[str, Any] = {
        "period": query.period,
        "indicators": list(query.indicators),
        "territory": query.territory,
        "procedure": "" if query.procedure == ALL_PROCEDURES else query.procedure,
        "limit": batch_rows,
    }
    after_day, after_id = date.min, 0
    while True:
        with connections[using].cursor() as cursor:
            cursor.execute(statement, {**parameters, "after_day": after_day, "after_id": after_id})
            rows = cursor.fetchall()
        if rows:
            yield [row[1:] for row in rows]
        if len(rows) < batch_rows:
            return
        after_id, after_day = rows[-1][0], rows[-1][2]


def version_tag(*, extension: str, refreshed_at: object, address: str) -> str:
    """A weak ETag that changes with every successful refresh, the columns and the representation."""
    digest = hashlib.sha256(f"{SCHEMA_VERSION}:{refreshed_at}:{address}".encode()).hexdigest()[:32]
    return f'W/"{extension}-{digest}"'


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def csv_stream(batches: Iterator[list[tuple[Any, ...]]]) -> Iterator[bytes]:
    chunk = io.StringIO()
    chunk.write("\ufeff")
    writer = csv.writer(chunk, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for rows in batches:
        writer.writerows([_plain(value) for value in row] for row in rows)
        yield chunk.getvalue().encode()
        chunk.seek(0)
        chunk.truncate()
    yield chunk.getvalue().encode()


def json_stream(batches: Iterator[list[tuple[Any, ...]]], *, dataset: str) -> Iterator[bytes]:
    head = {"dataset": dataset, "license": LICENCE.url, "fields": list(FIELDS)}
    yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "rows": ['
    separator = ""
    for rows in batches:
        chunk = io.StringIO()
        for row in rows:
            record = dict(zip(FIELDS, (_plain(value) for value in row), strict=True))
            chunk.write(separator + json.dumps(record, ensure_ascii=False))
            separator = ",\n"
        yield chunk.getvalue().encode()
    yield b"]}\n"
