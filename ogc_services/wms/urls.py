"""URLs of the OWS face, mounted at `/ows` by config.urls: `/ows` and `/ows/` answer every service by its
`SERVICE` parameter; every other path goes to MapProxy (`/ows/service`, `/ows/wms`, `/ows/wmts/...`)."""

from django.urls import re_path

from ogc_services.wms import views

app_name = "wms"
urlpatterns = [
    re_path(r"^/?$", views.ows_root, name="ows-root"),
    re_path(r"^/(?P<path>.+)$", views.ows, name="ows"),
]
