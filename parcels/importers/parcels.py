"""The `parcels` import target: cadastral parcels upserted by (commune, reference), other fields kept as JSON.

Two ways in, with the same results (the tests of `tests/importing` run both):

- the staging path (any import): the pipeline stages the batches, then the commune is set or located, repeated
  references are reduced to their last feature, and `parcels_upsert.sql` inserts or updates by reference;
- the bulk path (`ParcelsBulkLoad`), for a first load: with `--commune`, when the commune has no parcels yet and
  the file holds at least `GIS_IMPORT_BULK_MIN_FEATURES` features and 30% of the table. It is the recipe of
  PostgreSQL's "Populating a Database": inside the import's transaction it locks the table, drops its secondary
  indexes, unique constraints and foreign keys, COPYs the rows straight into `parcels_parcel`, removes the
  earlier features of a repeated reference, then rebuilds what it dropped (same names and definitions, read from
  the catalogue) and validates the foreign keys in one pass each. Every row is an insert. The table is locked
  (ACCESS EXCLUSIVE) until the import commits: readers of parcels wait for a first load, which is the price of
  building the indexes once instead of maintaining them row by row; a failure rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from psycopg import Cursor, sql
from psycopg.copy import QueuedLibpqWriter
from psycopg.errors import ObjectInUse

from gis_core.importing import FieldKind, ImportRequest, Target, TargetField, UpsertCounts
from gis_core.importing.prepared import (
    COPY_HEADER,
    COPY_TRAILER,
    ColumnType,
    PreparedBatch,
    constant_column,
    copy_rows,
    encode_bigint,
    encode_column,
    encode_timestamptz,
)
from gis_core.importing.staging import EMPTY_JSON_OBJECT, IssueLog, Staging
from gis_core.importing.targets import DirectLoad
from gis_core.sql_files import run_sql
from parcels.importers.common import assign_commune, commune_from_options, upsert_counts
from parcels.models import Parcel

BULK_MIN_SHARE_OF_TABLE = 0.3
BULK_MAINTENANCE_WORK_MEM = "256MB"
BULK_COLUMNS = (
    "commune_id",
    "reference",
    "land_title",
    "official_area_m2",
    "area_m2",
    "geom",
    "attributes",
    "updated_at",
)


class ParcelsTarget(Target):
    name = "parcels"
    reference_field = "reference"
    keep_attributes = True
    option_names = ("commune",)
    fields = (
        TargetField(
            "reference",
            required=True,
            sources=("ref", "id", "ml", "parcel_id", "idu", "numero_parcelle", "map_lot"),
            help="cadastral reference, unique within its commune",
        ),
        TargetField("land_title", sources=("titre", "titre_foncier", "title", "tf"), help="land-title number"),
        TargetField(
            "official_area_m2",
            kind=FieldKind.FLOAT,
            sources=("official_area", "contenance", "superficie", "surface"),
            help="area stated by the land registry (m2)",
        ),
    )

    def check_options(self, request: ImportRequest) -> None:
        commune_from_options(request)

    def direct_load(
        self, *, request: ImportRequest, cursor: Cursor[Any], feature_count: int | None
    ) -> DirectLoad | None:
        commune = commune_from_options(request)
        minimum = settings.GIS_IMPORT_BULK_MIN_FEATURES
        if commune is None or feature_count is None or feature_count < minimum:
            return None
        return ParcelsBulkLoad.start(cursor, commune_id=commune.pk, feature_count=feature_count)

    def apply(self, *, staging: Staging, request: ImportRequest) -> UpsertCounts:
        assign_commune(staging, request)
        staging.dedupe(["commune_id", "reference"], "reference")
        run_sql(staging.cursor, "parcels", "parcels_upsert", staging=staging.table, parcel=Parcel._meta.db_table)
        return upsert_counts(staging)


@dataclass(frozen=True)
class _SchemaItem:
    kind: str  # 'constraint', 'index' or 'flush'
    name: str
    definition: str
    deferrable: bool
    deferred: bool


class ParcelsBulkLoad:
    """The bulk path of a first load of a commune (see the module docstring); made by `start`."""

    def __init__(self, cursor: Cursor[Any], *, commune_id: int, schema: list[_SchemaItem]) -> None:
        self.cursor = cursor
        self.commune_id = commune_id
        self.schema = schema
        self.table = Parcel._meta.db_table
        self.copied = 0
        self.references: list[pa.Array] = []  # compact Arrow strings: ~20 MB for a million references
        self.fids: list[np.ndarray] = []
        cursor.execute("SELECT now()")
        row = cursor.fetchone()
        assert row is not None
        self.updated_at = encode_timestamptz(row[0])

    @classmethod
    def start(cls, cursor: Cursor[Any], *, commune_id: int, feature_count: int) -> ParcelsBulkLoad | None:
        """Lock the table and drop what will be rebuilt, or None when the bulk path does not apply."""
        table = Parcel._meta.db_table
        cursor.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
        run_sql(cursor, "parcels", "parcels_bulk_check", {"commune_id": commune_id, "table": table}, parcel=table)
        row = cursor.fetchone()
        assert row is not None
        estimated_rows, commune_has_parcels = int(row[0]), bool(row[1])
        if commune_has_parcels or feature_count < BULK_MIN_SHARE_OF_TABLE * estimated_rows:
            return None
        run_sql(cursor, "parcels", "parcels_bulk_schema", {"table": table})
        schema = [_SchemaItem(*item) for item in cursor.fetchall()]
        cursor.execute("SAVEPOINT parcels_bulk_load")
        try:
            flush = [item.name for item in schema if item.kind == "flush"]
            if flush:  # fire now the checks that earlier statements of the transaction left pending
                cursor.execute(sql.SQL("SET CONSTRAINTS {} IMMEDIATE").format(_identifiers(flush)))
            for item in schema:
                if item.kind == "constraint":
                    cursor.execute(
                        sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                            sql.Identifier(table), sql.Identifier(item.name)
                        )
                    )
                elif item.kind == "index":
                    cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(item.name)))
        except ObjectInUse:  # still pending trigger events (from outside these tables' keys): the staging path
            cursor.execute("ROLLBACK TO SAVEPOINT parcels_bulk_load")
            return None
        finally:
            cursor.execute("RELEASE SAVEPOINT parcels_bulk_load")
        return cls(cursor, commune_id=commune_id, schema=schema)

    @contextmanager
    def copy(self) -> Iterator[Callable[[PreparedBatch], None]]:
        """One binary COPY straight into the parcels table: `send(batch)` for every prepared batch."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(self.table), _identifiers(BULK_COLUMNS)
        )
        commune = encode_bigint(self.commune_id)
        with self.cursor.copy(statement, writer=QueuedLibpqWriter(self.cursor)) as copy:
            copy.write(COPY_HEADER)

            def send(batch: PreparedBatch) -> None:
                count = len(batch)
                references = batch.fields["reference"]
                columns = [
                    constant_column(count, commune),
                    encode_column(references, ColumnType.TEXT),
                    encode_column(pc.fill_null(batch.fields["land_title"], ""), ColumnType.TEXT),
                    encode_column(batch.fields["official_area_m2"], ColumnType.FLOAT),
                    encode_column(batch.area_m2, ColumnType.FLOAT),
                    encode_column(batch.geometry_wkb, ColumnType.GEOMETRY),
                    constant_column(count, EMPTY_JSON_OBJECT)
                    if batch.attributes is None
                    else encode_column(batch.attributes, ColumnType.JSONB),
                    constant_column(count, self.updated_at),
                ]
                copy.write(memoryview(copy_rows(count, columns)))
                self.copied += count
                self.references.append(references)
                self.fids.append(batch.feature_fid)

            yield send
            copy.write(COPY_TRAILER)

    def finish(self, log: IssueLog) -> UpsertCounts:
        """Remove repeated references, rebuild the dropped indexes and constraints; every row is an insert."""
        removed = self._dedupe(log)
        self.cursor.execute(
            sql.SQL("SET LOCAL maintenance_work_mem = {}").format(sql.Literal(BULK_MAINTENANCE_WORK_MEM))
        )
        for item in self.schema:
            if item.kind == "index":
                self.cursor.execute(sql.SQL(item.definition))
        for item in sorted(self.schema, key=lambda item: item.definition.startswith("FOREIGN KEY")):
            if item.kind == "constraint":
                self.cursor.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                        sql.Identifier(self.table), sql.Identifier(item.name), sql.SQL(item.definition)
                    )
                )
        restore = [item.name for item in self.schema if item.kind == "flush" and item.deferred]
        if restore:
            self.cursor.execute(sql.SQL("SET CONSTRAINTS {} DEFERRED").format(_identifiers(restore)))
        return UpsertCounts(inserted=self.copied - removed, updated=0)

    def _dedupe(self, log: IssueLog) -> int:
        if not self.references:
            return 0
        references = pa.chunked_array(self.references)
        if len(pc.unique(references)) == len(references):
            return 0  # no repeated reference
        fids = np.concatenate(self.fids)
        run_sql(self.cursor, "parcels", "parcels_bulk_dedupe", {"commune_id": self.commune_id}, parcel=self.table)
        removed = sorted(self.cursor.fetchall())
        for position, reference, kept_position in removed:
            kept_fid = int(fids[kept_position - 1])
            log.add(
                "rejected",
                int(fids[position - 1]),
                reference,
                f"reference {reference} repeated in the file: feature {kept_fid} is kept",
            )
        return len(removed)


def _identifiers(names: tuple[str, ...] | list[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(name) for name in names)
