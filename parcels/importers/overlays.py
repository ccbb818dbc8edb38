"""The `overlays` import target: servitudes (heritage, flood risk, airport, road, utility...) and their agency.

The kind is a mapped field or `--set kind=heritage` (checked against `OverlayKind`); the agency is a mapped or
set agency code, else the agency the shipped fixture names for that kind. `effective_geom` is the geometry grown
by `buffer_m` metres; a point or line overlay (e.g. an airport reference point) needs a buffer. The pieces of every
upserted overlay (`OverlayPiece`, what the look-ups intersect) are cut again in the same transaction.
"""

from __future__ import annotations

from gis_core.importing import FieldKind, ImportInputError, ImportRequest, Target, TargetField, UpsertCounts
from gis_core.importing.staging import Staging
from gis_core.sql_files import run_sql
from parcels.importers.common import assign_commune, commune_from_options, upsert_counts_and_ids
from parcels.importers.pieces import refresh_overlay_pieces_on
from parcels.models import Agency, Overlay, OverlayKind


class OverlaysTarget(Target):
    name = "overlays"
    reference_field = "reference"
    keep_attributes = True
    keep_non_polygonal = True
    option_names = ("commune",)
    fields = (
        TargetField(
            "reference",
            required=True,
            sources=("ref", "id", "code", "globalid", "objectid"),
            help="reference, unique within its commune",
        ),
        TargetField(
            "kind", required=True, sources=("overlay_kind", "servitude"), help="one of " + ", ".join(OverlayKind.values)
        ),
        TargetField("name", sources=("nom", "label", "libelle"), help="name shown to planners"),
        TargetField("buffer_m", kind=FieldKind.FLOAT, sources=("buffer", "distance_m"), help="buffer (m)"),
        TargetField("agency", sources=("agency_code", "organisme"), help="code of the agency to consult"),
    )

    def check_options(self, request: ImportRequest) -> None:
        commune_from_options(request)
        kind = request.constants.get("kind")
        if kind is not None and kind not in OverlayKind.values:
            raise ImportInputError(
                f"--set kind={kind}: unknown overlay kind; choose one of: {', '.join(OverlayKind.values)}"
            )
        agency = request.constants.get("agency")
        if agency is not None and not Agency.objects.filter(code=agency).exists():
            known = ", ".join(Agency.objects.order_by("code").values_list("code", flat=True)) or "none loaded"
            raise ImportInputError(f"--set agency={agency}: no agency has this code (known: {known})")

    def apply(self, *, staging: Staging, request: ImportRequest) -> UpsertCounts:
        assign_commune(staging, request)
        staging.reject("parcels", "overlays_reject_invalid", {"kinds": list(OverlayKind.values)})
        staging.add_column("agency_id", "bigint")
        run_sql(staging.cursor, "parcels", "overlays_agency", staging=staging.table, agency_table=Agency._meta.db_table)
        staging.reject("parcels", "overlays_reject_unknown_agency")
        staging.dedupe(["commune_id", "reference"], "reference")
        run_sql(staging.cursor, "parcels", "overlays_upsert", staging=staging.table, overlay=Overlay._meta.db_table)
        counts, overlay_ids = upsert_counts_and_ids(staging)
        refresh_overlay_pieces_on(staging.cursor, overlay_ids)
        return counts
