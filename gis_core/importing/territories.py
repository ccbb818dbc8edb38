"""The `territories` import target: regions, provinces/prefectures and communes, upserted by official code.

The level comes from `--level`. The parent is the territory of the level above named by the mapped
`parent_code`, or else the one that contains the feature's point-on-surface. The area is geodesic.
"""

from __future__ import annotations

from gis_core.importing.errors import ImportInputError
from gis_core.importing.fields import TargetField
from gis_core.importing.staging import Staging
from gis_core.importing.targets import ImportRequest, Target, UpsertCounts
from gis_core.models import LEVEL_PARENT, Territory, TerritoryLevel
from gis_core.sql_files import run_sql


class TerritoriesTarget(Target):
    name = "territories"
    reference_field = "code"
    option_names = ("level",)
    fields = (
        TargetField(
            "code",
            required=True,
            sources=("id", "iso", "cc", "cod_com", "code_insee", "insee"),
            help="official code (ISO 3166-2, HCP, INSEE)",
        ),
        TargetField("name_fr", sources=("nom", "name", "name:fr", "com_fr", "libelle_fr"), help="French name"),
        TargetField("name_ar", sources=("nom_ar", "name:ar", "com_ar", "libelle_ar"), help="Arabic name"),
        TargetField("name_en", sources=("name:en", "name_english"), help="English name"),
        TargetField("parent_code", sources=(), help="code of the parent territory (else found spatially)"),
    )

    def check_options(self, request: ImportRequest) -> None:
        level = request.options.get("level")
        if level not in TerritoryLevel.values:
            raise ImportInputError(
                f"territories need --level, one of: {', '.join(TerritoryLevel.values)} (got {level!r})"
            )

    def apply(self, *, staging: Staging, request: ImportRequest) -> UpsertCounts:
        level = TerritoryLevel(request.options["level"])
        territory = Territory._meta.db_table
        staging.reject("gis_core", "territories_level_conflict", {"level": level.value}, territory=territory)
        staging.dedupe(["code"], "code")
        staging.add_column("parent_id", "bigint")
        parent_level = LEVEL_PARENT.get(level)
        if parent_level is not None:
            params = {"parent_level": parent_level.value}
            run_sql(
                staging.cursor,
                "gis_core",
                "territories_parent_by_code",
                params,
                staging=staging.table,
                territory=territory,
            )
            staging.reject("gis_core", "territories_parent_unknown", params)
            run_sql(
                staging.cursor,
                "gis_core",
                "territories_parent_by_location",
                params,
                staging=staging.table,
                territory=territory,
            )
            run_sql(staging.cursor, "gis_core", "territories_without_parent", params, staging=staging.table)
            for fid, reference, reason in staging.cursor.fetchall():
                staging.log.add("warning", fid, reference, reason)
        run_sql(
            staging.cursor,
            "gis_core",
            "territories_upsert",
            {"level": level.value},
            staging=staging.table,
            territory=territory,
        )
        row = staging.cursor.fetchone()
        return UpsertCounts(inserted=int(row[0]), updated=int(row[1])) if row else UpsertCounts()
