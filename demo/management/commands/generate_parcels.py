"""`manage.py generate_parcels --count N --commune CODE`: synthetic parcels for scale, into PostGIS or a GeoPackage."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import shapely
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.synthetic import (
    DEFAULT_CHUNK_SIZE,
    CommuneTooSmall,
    UnknownCommune,
    commune_by_code,
    parcels_generate_into_database,
    parcels_generate_to_geopackage,
)


class Command(BaseCommand):
    help = (
        "Generate realistic synthetic parcels (street blocks cut into lots of 100-2,000 m², 5-50 vertices) over a "
        "commune's real geometry: upserted into the database by COPY in one transaction, or written to a GeoPackage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="number of parcels")
        parser.add_argument("--commune", required=True, metavar="CODE", help="code of a territory of level commune")
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same parcels")
        parser.add_argument("--output", type=Path, metavar="FILE.gpkg", help="write a GeoPackage instead")
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="parcels per chunk")

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["count"]
        if count <= 0:
            raise CommandError("--count must be a positive number")
        if options["chunk_size"] <= 0:
            raise CommandError("--chunk-size must be a positive number")
        output = Path(options["output"]) if options["output"] is not None else None
        if output is not None and output.suffix.lower() != ".gpkg":
            raise CommandError(f"--output {output}: a GeoPackage file name ending in .gpkg is expected")
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"--output {output}: the directory {output.parent} does not exist")
        try:
            commune = commune_by_code(options["commune"])
        except UnknownCommune as error:
            raise CommandError(str(error)) from error

        started = time.monotonic()
        done = 0
        interactive = sys.stdout.isatty()

        def progress(parcels: int) -> None:
            nonlocal done
            done += parcels
            if interactive:
                rate = done / max(time.monotonic() - started, 1e-9)
                self.stdout.write(f"\r{done:>12,} / {count:,} parcels ({rate:,.0f}/s)", ending="")
                self.stdout.flush()

        try:
            if output is None:
                inserted, updated = parcels_generate_into_database(
                    commune=commune,
                    count=count,
                    seed=options["seed"],
                    chunk_size=options["chunk_size"],
                    progress=progress,
                )
                outcome = f"{inserted:,} inserted, {updated:,} updated in {commune}"
            else:
                written = parcels_generate_to_geopackage(
                    commune_code=commune.code,
                    commune_geometry=shapely.from_wkb(bytes(commune.geom.wkb)),
                    count=count,
                    seed=options["seed"],
                    path=output,
                    chunk_size=options["chunk_size"],
                    progress=progress,
                )
                outcome = f"{written:,} written to {output} (layer parcels, EPSG:4326) over {commune}"
        except CommuneTooSmall as error:
            raise CommandError(f"{commune}: {error}") from error
        if interactive:
            self.stdout.write("")
        self.stdout.write(f"Generated {count:,} synthetic parcels: {outcome} in {time.monotonic() - started:.1f} s")
