"""`manage.py wms_config [--clear-cache]`: write the mapfile, MapServer config and MapProxy YAML under WMS_DIR."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ogc_services.wms.cache import wms_cache_clear
from ogc_services.wms.configuration import configuration_write


class Command(BaseCommand):
    help = "Generate the WMS/WMTS configuration (MapServer mapfile and config file, MapProxy YAML) from settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clear-cache", action="store_true", help="drop every cached tile (after a re-styling)")

    def handle(self, *args: Any, **options: Any) -> None:
        config = configuration_write()
        if options["clear_cache"]:
            wms_cache_clear()
        for path in (config.mapfile, config.mapserver_config, config.mapproxy_config):
            self.stdout.write(str(path))
        self.stdout.write(f"MAPSERVER_CONFIG_FILE={config.mapserver_config}")
        self.stdout.write(f"raster layers: {', '.join(config.rasters) or 'none (manage.py raster_prepare)'}")
