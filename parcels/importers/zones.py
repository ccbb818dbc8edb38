"""The `zones` import target: zoning districts of a plan, merged by code, with rules from fields or a CSV.

`--plan NAME` names the plan (created when missing, linked to the communes of its zones). Features with the
same code in one commune become one zone (ST_Union). Rules come from mapped fields and/or `--rules CSV`
(columns `code,label,max_height_m,...,allowed_uses,forbidden_uses`, uses separated by `;`, `#` comment lines).
The pieces of every upserted zone (`ZonePiece`, what the look-ups intersect) are cut again in the same transaction.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from psycopg import sql

from gis_core.importing import FieldKind, ImportInputError, ImportRequest, Target, TargetField, UpsertCounts
from gis_core.importing.pipeline import typed_value
from gis_core.importing.staging import Staging
from gis_core.sql_files import run_sql
from parcels.importers.common import assign_commune, commune_from_options, upsert_counts_and_ids
from parcels.importers.pieces import refresh_zone_pieces_on
from parcels.models import Zone, ZoningPlan

RULE_FIELDS = (
    TargetField("label", sources=("libelle", "name", "district_name"), help="label of the zone"),
    TargetField("max_height_m", kind=FieldKind.FLOAT, sources=("hauteur_max",), help="maximum height (m)"),
    TargetField("max_floors", kind=FieldKind.INTEGER, sources=("niveaux_max",), help="maximum floors"),
    TargetField("max_coverage_ratio", kind=FieldKind.FLOAT, sources=("ces",), help="CES: footprint / parcel"),
    TargetField("max_floor_area_ratio", kind=FieldKind.FLOAT, sources=("cos", "far"), help="COS: floor area / parcel"),
    TargetField("min_setback_road_m", kind=FieldKind.FLOAT, sources=("recul_voie",), help="setback from road (m)"),
    TargetField("min_setback_neighbour_m", kind=FieldKind.FLOAT, sources=("recul_limite",), help="from neighbours (m)"),
    TargetField("allowed_uses", sources=("usages_autorises",), help="allowed uses separated by ;"),
    TargetField("forbidden_uses", sources=("usages_interdits",), help="forbidden uses separated by ;"),
)
RULE_COLUMNS = ["code", *(rule.name for rule in RULE_FIELDS)]


def read_rules(path: Path) -> list[tuple[Any, ...]]:
    """Rows of a rules CSV in `RULE_COLUMNS` order, checked; lines starting with '#' are comments."""
    if not path.is_file():
        raise ImportInputError(f"--rules {path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in RULE_COLUMNS]
    if "code" not in header or unknown:
        raise ImportInputError(
            f"--rules {path}: the columns must be among {', '.join(RULE_COLUMNS)} with 'code' "
            f"(unknown: {', '.join(unknown) or 'none'})"
        )
    kinds = {rule.name: rule.kind for rule in RULE_FIELDS}
    rows: dict[str, tuple[Any, ...]] = {}
    for line_number, record in enumerate(reader, start=2):
        code = (record.get("code") or "").strip()
        if not code:
            raise ImportInputError(f"--rules {path}: row {line_number} has no code")
        values: list[Any] = [code]
        for name in RULE_COLUMNS[1:]:
            try:
                values.append(typed_value(record.get(name), kinds[name]))
            except ValueError as error:
                raise ImportInputError(f"--rules {path}: row {line_number} ({code}), {name}: {error}") from error
        rows[code] = tuple(values)
    return list(rows.values())


class ZonesTarget(Target):
    name = "zones"
    reference_field = "code"
    option_names = ("plan", "commune", "rules")
    fields = (
        TargetField(
            "code",
            required=True,
            sources=("zone", "zone_code", "zone_type", "zonage", "zoning"),
            help="zone code; features with the same code are merged",
        ),
        *RULE_FIELDS,
    )

    def check_options(self, request: ImportRequest) -> None:
        if not request.options.get("plan"):
            raise ImportInputError("zones need --plan NAME (the zoning plan, created when missing)")
        commune_from_options(request)
        if request.options.get("rules"):
            read_rules(Path(request.options["rules"]))

    def apply(self, *, staging: Staging, request: ImportRequest) -> UpsertCounts:
        plan, _ = ZoningPlan.objects.get_or_create(name=request.options["plan"])
        assign_commune(staging, request)
        if request.options.get("rules"):
            rules_table = f"{staging.table}_rules"
            run_sql(staging.cursor, "parcels", "zones_create_rules", rules=rules_table)
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(rules_table), sql.SQL(", ").join(sql.Identifier(name) for name in RULE_COLUMNS)
            )
            with staging.cursor.copy(statement) as copy:
                for row in read_rules(Path(request.options["rules"])):
                    copy.write_row(row)
            run_sql(staging.cursor, "parcels", "zones_apply_rules", staging=staging.table, rules=rules_table)
        run_sql(
            staging.cursor,
            "parcels",
            "zones_upsert",
            {"plan_id": plan.pk},
            staging=staging.table,
            zone=Zone._meta.db_table,
        )
        counts, zone_ids = upsert_counts_and_ids(staging)
        refresh_zone_pieces_on(staging.cursor, zone_ids)
        staging.cursor.execute(sql.SQL("SELECT DISTINCT commune_id FROM {}").format(sql.Identifier(staging.table)))
        plan.communes.add(*[row[0] for row in staging.cursor.fetchall()])
        return counts
