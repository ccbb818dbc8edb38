"""URLs of the WMS/WMTS face, mounted at `/ows/` by config.urls: every path goes to MapProxy."""

from django.urls import re_path

from ogc_services.wms import views

app_name = "wms"
urlpatterns = [re_path(r"^(?P<path>.*)$", views.ows, name="ows")]
