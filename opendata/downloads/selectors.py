"""The authorised projects dataset, read through the public `geoportal` alias (role `geoportal_reader`).

Reads are keyset batches of `BATCH_ROWS` rows, each its own statement: memory stays flat whatever the size of the
dataset, and no transaction is held open while a client downloads slowly (nor on a replica).
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
from django.db import connections

from gis_core.public_reader import PUBLIC_DATABASE
from gis_core.sql_files import sql_text

BATCH_ROWS = 2000
GEOMETRY = "geometry"
GEOMETRY_TYPE = "MultiPolygon"  # permits.Dossier.footprint
SRID = 4326
# Bumped when the columns or their encoding change, so that a client's cached copy is not taken as current.
SCHEMA_VERSION = 1

# The published columns, in order, and their Arrow types (the geometry, WKB, comes last).
FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("id", pa.int64()),
    ("reference", pa.string()),
    ("procedure", pa.string()),
    ("procedure_name_fr", pa.string()),
    ("procedure_name_ar", pa.string()),
    ("procedure_name_en", pa.string()),
    ("decision", pa.string()),
    ("decision_date", pa.date32()),
    ("published_at", pa.timestamp("us", tz="UTC")),
    ("use", pa.string()),
    ("activity", pa.string()),
    ("height_m", pa.float64()),
    ("floors", pa.int32()),
    ("gross_floor_area_m2", pa.float64()),
    ("units", pa.int32()),
    ("commune_code", pa.string()),
    ("commune_name_fr", pa.string()),
    ("commune_name_ar", pa.string()),
)
SCHEMA = pa.schema([pa.field(name, kind) for name, kind in FIELDS] + [pa.field(GEOMETRY, pa.binary())])


@dataclass(frozen=True)
class DatasetVersion:
    rows: int
    identity: str  # changes whenever a project is published or leaves the view
    last_published: datetime | None


def projects_version(*, using: str = PUBLIC_DATABASE) -> DatasetVersion:
    """The dataset's size and latest publication, and a digest that changes with its content."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql_text("opendata.downloads", "authorised_projects_version"))
        rows, id_sum, last_published = cursor.fetchone()
    stamp = last_published.isoformat() if last_published else ""
    digest = hashlib.sha256(f"{SCHEMA_VERSION}:{rows}:{id_sum}:{stamp}".encode()).hexdigest()[:32]
    return DatasetVersion(rows=int(rows), identity=digest, last_published=last_published)


def projects_batches(*, using: str = PUBLIC_DATABASE, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """The authorised projects in id order, `batch_rows` at a time, as Arrow batches of `SCHEMA`."""
    query = sql_text("opendata.downloads", "authorised_projects_batch")
    after = 0
    while True:
        with connections[using].cursor() as cursor:
            cursor.execute(query, {"after": after, "limit": batch_rows})
            rows = cursor.fetchall()
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        yield pa.RecordBatch.from_arrays(
            [pa.array(column, type=field.type) for column, field in zip(columns, SCHEMA, strict=True)], schema=SCHEMA
        )
        if len(rows) < batch_rows:
            return
        after = rows[-1][0]
