"""The OGC API face: pygeoapi over the geoportal views; `ready` subscribes its handler (`ogc_services.subscribers`:
the layers' extents follow imports) to the event bus."""

from django.apps import AppConfig


class OgcServicesConfig(AppConfig):
    name = "ogc_services"
    verbose_name = "Geoportal: OGC services over the public views"

    def ready(self) -> None:
        from ogc_services import subscribers  # noqa: F401  (its decorator subscribes the handler)
