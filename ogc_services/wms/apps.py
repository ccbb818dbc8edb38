"""The WMS/WMTS face as its own small app: management commands and the publish and import subscriptions."""

from django.apps import AppConfig


class WmsConfig(AppConfig):
    name = "ogc_services.wms"
    label = "ogc_wms"
    verbose_name = "Geoportal: WMS and WMTS (MapProxy + MapServer)"

    def ready(self) -> None:
        from ogc_services.wms import subscribers

        subscribers.subscribe()
