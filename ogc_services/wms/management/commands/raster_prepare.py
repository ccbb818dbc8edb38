"""`manage.py raster_prepare SRC [--name N] [--hillshade [--z-factor 5]] [--crs EPSG:3857]`: a COG WMS layer.

`manage.py raster_prepare --shared [--data DIR]`: the raster layers of the shared data (`raster.SHARED_RASTERS`),
each prepared only when its COG is missing or older than its source; one line and nothing else when the shared
data folder is absent. `make demo` (hence `make run`) runs it.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ogc_services.wms.cache import wms_cache_clear
from ogc_services.wms.conf import wms_settings
from ogc_services.wms.configuration import configuration_write
from ogc_services.wms.raster import SHARED_RASTERS, CogError, CogReport, raster_is_current, raster_prepare


class Command(BaseCommand):
    help = "Prepare a raster (or a DEM's hillshade) as a Cloud-Optimised GeoTIFF layer of the WMS/WMTS."
    # A data command: no URL configuration nor admin checks (seconds at every `make run`).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, nargs="?")
        parser.add_argument("--name", help="layer name (default: the source's file stem, or 'hillshade')")
        parser.add_argument("--hillshade", action="store_true", help="the source is a DEM: serve its hillshade")
        parser.add_argument("--z-factor", type=float, default=1.0, help="hillshade vertical exaggeration")
        parser.add_argument("--crs", default="EPSG:3857", help="serving CRS (default EPSG:3857)")
        parser.add_argument(
            "--shared", action="store_true", help="prepare the shared data's raster layers that are missing or stale"
        )
        parser.add_argument("--data", type=Path, help="with --shared: the shared data folder (default: ../shared/data)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["shared"]:
            if options["source"] is not None:
                raise CommandError("give a SOURCE or --shared, not both")
            self._prepare_shared(options["data"] or Path(settings.SHARED_DATA_DIR))
            return
        if options["data"] is not None:
            raise CommandError("--data goes with --shared")
        source: Path | None = options["source"]
        if source is None:
            raise CommandError("give the SOURCE raster, or --shared for the shared data's raster layers")
        if not source.exists():
            raise CommandError(f"{source} does not exist")
        name = options["name"] or ("hillshade" if options["hillshade"] else source.stem)
        if not name.replace("_", "").isalnum():
            raise CommandError("the layer name may hold letters, digits and underscores only")
        report = self._prepare(
            source, name, crs=options["crs"], make_hillshade=options["hillshade"], z_factor=options["z_factor"]
        )
        self._serve([name])
        self._report(report, name)

    def _prepare(self, source: Path, name: str, **conversion: Any) -> CogReport:
        try:
            return raster_prepare(
                source=source, destination=wms_settings().raster_directory / f"{name}.tif", **conversion
            )
        except CogError as error:
            raise CommandError(str(error)) from error

    def _serve(self, names: list[str]) -> None:
        """Put the new COGs in the configuration and drop the tiles cached from their previous version."""
        config = configuration_write(wms_settings())
        if config.cache_directory.is_dir():  # else nothing was ever cached
            for name in names:
                wms_cache_clear(name)

    def _report(self, report: CogReport, name: str) -> None:
        self.stdout.write(
            f"{report.path}: valid COG, {report.width}x{report.height} {report.crs}, "
            f"blocks {report.block_size}, overviews {report.overviews}; layer '{name}' in the WMS/WMTS"
        )

    def _prepare_shared(self, data: Path) -> None:
        present = [raster for raster in SHARED_RASTERS if (data / raster.path).is_file()]
        if not present:
            self.stdout.write(f"Raster layers: no source raster in {data}, skipped (the WMS/WMTS serves no raster)")
            return
        prepared: list[str] = []
        for raster in present:
            source = data / raster.path
            destination = wms_settings().raster_directory / f"{raster.name}.tif"
            if raster_is_current(source=source, destination=destination):
                self.stdout.write(f"Raster layer '{raster.name}' is up to date ({destination})")
                continue
            report = self._prepare(source, raster.name, make_hillshade=raster.hillshade, z_factor=raster.z_factor)
            self._report(report, raster.name)
            prepared.append(raster.name)
        if prepared:
            self._serve(prepared)
