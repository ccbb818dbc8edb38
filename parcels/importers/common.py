"""What the parcel-domain import targets share: the commune of each feature, upsert counts and upserted ids."""

from __future__ import annotations

from gis_core.importing import ImportInputError, ImportRequest, UpsertCounts
from gis_core.importing.staging import Staging
from gis_core.models import Territory, TerritoryLevel
from gis_core.sql_files import run_sql


def commune_from_options(request: ImportRequest) -> Territory | None:
    """The commune given with --commune CODE, checked; None when features are located spatially."""
    code = request.options.get("commune")
    if not code:
        return None
    commune = Territory.objects.filter(code=code).first()
    if commune is None:
        raise ImportInputError(f"--commune {code}: no territory has this code")
    if commune.level != TerritoryLevel.COMMUNE:
        raise ImportInputError(f"--commune {code}: {commune} is a {commune.level}, not a commune")
    return commune


def assign_commune(staging: Staging, request: ImportRequest) -> None:
    """Fill `commune_id`: the --commune given, or the commune containing each point-on-surface; reject the rest."""
    staging.add_column("commune_id", "bigint")
    commune = commune_from_options(request)
    if commune is not None:
        run_sql(staging.cursor, "parcels", "import_set_commune", {"commune_id": commune.pk}, staging=staging.table)
    else:
        run_sql(
            staging.cursor,
            "parcels",
            "import_locate_commune",
            staging=staging.table,
            territory=Territory._meta.db_table,
        )
    staging.reject("parcels", "import_reject_outside_commune")


def upsert_counts(staging: Staging) -> UpsertCounts:
    """Counts returned by an upsert file's final `SELECT inserted, updated`."""
    row = staging.cursor.fetchone()
    return UpsertCounts(inserted=int(row[0]), updated=int(row[1])) if row else UpsertCounts()


def upsert_counts_and_ids(staging: Staging) -> tuple[UpsertCounts, list[int]]:
    """Counts and ids returned by an upsert file's final `SELECT inserted, updated, ids`."""
    row = staging.cursor.fetchone()
    if not row:
        return UpsertCounts(), []
    return UpsertCounts(inserted=int(row[0]), updated=int(row[1])), [int(value) for value in row[2]]
