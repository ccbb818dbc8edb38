"""The staging table of a run: created per run as a TEMP table, filled by COPY, then resolved by the target.

It holds `feature_index` (order in the file), `feature_fid`, `feature_reference`, `geom` (WGS84), `attributes`
(JSON of unmapped source fields), `area_m2` (geodesic area of `geom`) and one typed column per target field.
It is filled by one binary COPY (`Staging.copy`), written by a background thread. `Staging` also keeps the run's
issue log (repairs and rejections, counted exactly, listed up to a cap).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from psycopg import Cursor, sql
from psycopg.copy import QueuedLibpqWriter

from gis_core.importing.fields import FieldKind, TargetField
from gis_core.importing.prepared import (
    COPY_HEADER,
    COPY_TRAILER,
    ColumnType,
    PreparedBatch,
    constant_column,
    copy_rows,
    encode_column,
)
from gis_core.sql_files import run_sql

FIELD_COLUMN_TYPES = {
    FieldKind.TEXT: ColumnType.TEXT,
    FieldKind.FLOAT: ColumnType.FLOAT,
    FieldKind.INTEGER: ColumnType.BIGINT,
}
EMPTY_JSON_OBJECT = b"\x01{}"

ISSUES_CAP = 1000


@dataclass
class IssueLog:
    """Repairs and rejections: exact counts, and the first `ISSUES_CAP` issues with their feature and reason."""

    repaired: int = 0
    rejected: int = 0
    issues: list[dict[str, Any]] = field(default_factory=list)

    def add(self, action: str, fid: int, reference: str | None, reason: str) -> None:
        if action == "repaired":
            self.repaired += 1
        elif action == "rejected":
            self.rejected += 1
        if len(self.issues) < ISSUES_CAP:
            issue: dict[str, Any] = {"feature": int(fid), "action": action, "reason": reason}
            if reference:
                issue["reference"] = reference
            self.issues.append(issue)


class Staging:
    """One run's staging table and its issue log; SQL runs on the raw psycopg cursor of Django's connection."""

    def __init__(self, cursor: Cursor[Any], fields: Sequence[TargetField], log: IssueLog) -> None:
        self.cursor = cursor
        self.fields = list(fields)
        self.log = log
        self.table = f"import_staging_{uuid.uuid4().hex[:12]}"
        self.columns = ["feature_index", "feature_fid", "feature_reference", "geom", "attributes", "area_m2"] + [
            target_field.name for target_field in self.fields
        ]

    def create(self) -> None:
        extra = sql.SQL(",\n    area_m2 double precision") + sql.SQL("").join(
            sql.SQL(",\n    {} {}").format(sql.Identifier(target_field.name), sql.SQL(target_field.kind.sql_type))
            for target_field in self.fields
        )
        run_sql(self.cursor, "gis_core", "staging_create", staging=self.table, columns=extra)

    @contextmanager
    def copy(self) -> Iterator[Callable[[PreparedBatch], None]]:
        """One binary COPY into the staging table for the whole run: `send(batch)` for every prepared batch."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(self.table), sql.SQL(", ").join(sql.Identifier(name) for name in self.columns)
        )
        with self.cursor.copy(statement, writer=QueuedLibpqWriter(self.cursor)) as copy:
            copy.write(COPY_HEADER)

            def send(batch: PreparedBatch) -> None:
                count = len(batch)
                columns = [
                    encode_column(batch.feature_index, ColumnType.BIGINT),
                    encode_column(batch.feature_fid, ColumnType.BIGINT),
                    encode_column(batch.feature_reference, ColumnType.TEXT),
                    encode_column(batch.geometry_wkb, ColumnType.GEOMETRY),
                    constant_column(count, EMPTY_JSON_OBJECT)
                    if batch.attributes is None
                    else encode_column(batch.attributes, ColumnType.JSONB),
                    encode_column(batch.area_m2, ColumnType.FLOAT),
                ]
                columns.extend(
                    encode_column(batch.fields[target_field.name], FIELD_COLUMN_TYPES[target_field.kind])
                    for target_field in self.fields
                )
                copy.write(memoryview(copy_rows(count, columns)))

            yield send
            copy.write(COPY_TRAILER)

    def copy_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        """COPY rows (in `self.columns` order; `geom` as hex EWKB, `attributes` as JSON text)."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.table), sql.SQL(", ").join(sql.Identifier(name) for name in self.columns)
        )
        with self.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def add_column(self, name: str, sql_type: str) -> None:
        self.cursor.execute(
            sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                sql.Identifier(self.table), sql.Identifier(name), sql.SQL(sql_type)
            )
        )

    def analyze(self) -> None:
        self.cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(self.table)))

    def count(self) -> int:
        self.cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(self.table)))
        row = self.cursor.fetchone()
        return int(row[0]) if row else 0

    def record_rejections(self) -> int:
        """Log the rows returned by the last statement, `(fid, reference, reason)` each, as rejected."""
        count = 0
        while rows := self.cursor.fetchmany(10_000):
            for fid, reference, reason in rows:
                self.log.add("rejected", fid, reference, reason)
                count += 1
        return count

    def reject(self, package: str, name: str, params: dict[str, Any] | None = None, **identifiers: Any) -> int:
        """Run a `DELETE ... RETURNING fid, reference, reason` SQL file and log what it removed."""
        run_sql(self.cursor, package, name, params, staging=self.table, **identifiers)
        return self.record_rejections()

    def dedupe(self, keys: Sequence[str], label: str) -> int:
        """Keep the last feature of each key; the others are rejected with the key and the kept feature."""
        key_list = sql.SQL(", ").join(sql.Identifier(key) for key in keys)
        run_sql(self.cursor, "gis_core", "staging_dedupe", {"label": label}, staging=self.table, keys=key_list)
        return self.record_rejections()

    def drop(self) -> None:
        self.cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(self.table)))
