"""The `parcels` import target: cadastral parcels upserted by (commune, reference), other fields kept as JSON."""

from __future__ import annotations

from gis_core.importing import FieldKind, ImportRequest, Target, TargetField, UpsertCounts
from gis_core.importing.staging import Staging
from gis_core.sql_files import run_sql
from parcels.importers.common import assign_commune, commune_from_options, upsert_counts
from parcels.models import Parcel


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

    def apply(self, *, staging: Staging, request: ImportRequest) -> UpsertCounts:
        assign_commune(staging, request)
        staging.dedupe(["commune_id", "reference"], "reference")
        run_sql(staging.cursor, "parcels", "parcels_upsert", staging=staging.table, parcel=Parcel._meta.db_table)
        return upsert_counts(staging)
