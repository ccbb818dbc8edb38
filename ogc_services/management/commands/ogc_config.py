"""`manage.py ogc_config [--base-url URL]`: generate pygeoapi's config and OpenAPI document from the geoportal
views now (as the first request would) and write them to PYGEOAPI_CONFIG_PATH / PYGEOAPI_OPENAPI_PATH."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ogc_services.config import build


class Command(BaseCommand):
    help = "Generate the OGC API config and OpenAPI document from the geoportal views."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default=settings.OGC_BASE_URL or "http://127.0.0.1:8000/ogc")

    def handle(self, *args: Any, **options: Any) -> None:
        built = build(base_url=options["base_url"])
        collections = ", ".join(sorted(built.config["resources"]))
        self.stdout.write(f"collections: {collections}")
        self.stdout.write(f"config: {settings.PYGEOAPI_CONFIG_PATH}")
        self.stdout.write(f"openapi: {settings.PYGEOAPI_OPENAPI_PATH} ({len(built.openapi['paths'])} paths)")
