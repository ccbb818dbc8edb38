"""URLs of the OWS face under `/ows/`: every path goes to MapProxy (`/ows/service`, `/ows/wms`, `/ows/wmts/...`);
`/ows` and `/ows/` themselves answer every service by its `SERVICE` parameter (`views.ows_root`, in config.urls)."""

from django.urls import re_path

from ogc_services.wms import views

app_name = "wms"
urlpatterns = [re_path(r"^(?P<path>.+)$", views.ows, name="ows")]
