"""`manage.py raster_prepare SRC [--name N] [--hillshade [--z-factor 5]] [--crs EPSG:3857]`: a COG WMS layer."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ogc_services.wms.conf import wms_settings
from ogc_services.wms.configuration import configuration_write
from ogc_services.wms.raster import CogError, raster_prepare


class Command(BaseCommand):
    help = "Prepare a raster (or a DEM's hillshade) as a Cloud-Optimised GeoTIFF layer of the WMS/WMTS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path)
        parser.add_argument("--name", help="layer name (default: the source's file stem, or 'hillshade')")
        parser.add_argument("--hillshade", action="store_true", help="the source is a DEM: serve its hillshade")
        parser.add_argument("--z-factor", type=float, default=1.0, help="hillshade vertical exaggeration")
        parser.add_argument("--crs", default="EPSG:3857", help="serving CRS (default EPSG:3857)")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["source"]
        if not source.exists():
            raise CommandError(f"{source} does not exist")
        name = options["name"] or ("hillshade" if options["hillshade"] else source.stem)
        if not name.replace("_", "").isalnum():
            raise CommandError("the layer name may hold letters, digits and underscores only")
        config = wms_settings()
        try:
            report = raster_prepare(
                source=source,
                destination=config.raster_directory / f"{name}.tif",
                crs=options["crs"],
                make_hillshade=options["hillshade"],
                z_factor=options["z_factor"],
            )
        except CogError as error:
            raise CommandError(str(error)) from error
        configuration_write(config)
        self.stdout.write(
            f"{report.path}: valid COG, {report.width}x{report.height} {report.crs}, "
            f"blocks {report.block_size}, overviews {report.overviews}; layer '{name}' in the WMS/WMTS"
        )
