"""The WMS/WMTS face as its own small app: management commands; `ready` subscribes its handlers
(`ogc_services.wms.subscribers`: publications, imports) to the event bus."""

from django.apps import AppConfig


class WmsConfig(AppConfig):
    name = "ogc_services.wms"
    label = "ogc_wms"
    verbose_name = "Geoportal: WMS and WMTS (MapProxy + MapServer)"

    def ready(self) -> None:
        from ogc_services.wms import subscribers  # noqa: F401  (its decorators subscribe the handlers)
