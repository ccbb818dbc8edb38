"""The OGC API face: pygeoapi over the geoportal views; keeps the layers' extents true to imports."""

from django.apps import AppConfig


class OgcServicesConfig(AppConfig):
    name = "ogc_services"
    verbose_name = "Geoportal: OGC services over the public views"

    def ready(self) -> None:
        from gis_core.importing.events import import_subscribe
        from ogc_services.extents import extents_on_layer_imported

        import_subscribe(handler=extents_on_layer_imported)
