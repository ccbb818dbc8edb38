"""`manage.py import_layer TARGET PATH`: import a vector layer into territories, parcels, zones or overlays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_core.importing import ImportAborted, ImportInputError, ImportRequest, import_layer
from gis_core.models import TerritoryLevel
from parcels.importers import TARGETS


def parse_pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """`target=value` pairs of a repeated option; a malformed pair is a CommandError."""
    pairs: dict[str, str] = {}
    for value in values or []:
        name, separator, text = value.partition("=")
        if not separator or not name.strip():
            raise CommandError(f"{option} {value!r}: expected target_field=value")
        pairs[name.strip()] = text.strip()
    return pairs


class Command(BaseCommand):
    help = (
        "Import a vector layer (GeoPackage, GeoJSON, TopoJSON, Shapefile, GML, CSV with WKT or lon/lat) into "
        "territories, parcels, zones or overlays, in one transaction, with validation, repair and a summary."
    )
    # A data command: it needs neither the URL configuration nor the admin, whose system checks import the whole
    # project (5-10 s on a busy machine, longer than many imports); `manage.py check` and the tests still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", choices=sorted(TARGETS))
        parser.add_argument("path", type=Path)
        parser.add_argument("--layer", help="layer to read when the source has several")
        parser.add_argument("--srid", type=int, help="EPSG code of the source when it declares none (or to override)")
        parser.add_argument(
            "--map", action="append", metavar="TARGET=SOURCE", help="take a target field from a source field"
        )
        parser.add_argument(
            "--set", action="append", metavar="TARGET=VALUE", help="give a target field one value for every feature"
        )
        parser.add_argument("--commune", metavar="CODE", help="commune of every feature (else found spatially)")
        parser.add_argument("--level", choices=TerritoryLevel.values, help="territories: level of the features")
        parser.add_argument("--plan", metavar="NAME", help="zones: the zoning plan (created when missing)")
        parser.add_argument("--rules", type=Path, metavar="CSV", help="zones: rules per zone code")
        parser.add_argument("--dry-run", action="store_true", help="run everything, then roll back")
        parser.add_argument("--issues", type=int, default=20, help="how many repairs/rejections to print")

    def handle(self, *args: Any, **options: Any) -> None:
        target = TARGETS[options["target"]]
        if options["srid"] is not None and options["srid"] <= 0:
            raise CommandError(f"--srid {options['srid']}: an EPSG code is a positive number")
        request = ImportRequest(
            target=target.name,
            path=options["path"],
            layer=options["layer"],
            srid=options["srid"],
            mapping=parse_pairs(options["map"], "--map"),
            constants=parse_pairs(options["set"], "--set"),
            options={name: str(options[name]) if options[name] is not None else None for name in target.option_names},
            dry_run=options["dry_run"],
        )
        for name in ("commune", "level", "plan", "rules"):
            if options[name] is not None and name not in target.option_names:
                raise CommandError(f"--{name} does not apply to {target.name}")
        try:
            summary = import_layer(request, TARGETS)
        except (ImportInputError, ImportAborted) as error:
            raise CommandError(str(error)) from error
        for line in summary.lines(issues=options["issues"]):
            self.stdout.write(line)
