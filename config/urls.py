"""Top-level URL map: each face mounts its own urls module."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from ogc_services.wms.views import ows_root

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi-schema"),
    path(
        "api/docs/",
        SpectacularRedocView.as_view(url_name="openapi-schema", template_name="api_docs/redoc.html"),
        name="api-docs",
    ),
    path("api/", include("parcels.urls")),
    path("api/", include("permits.api.urls")),  # files, workflow, opinions, remarks (authenticated)
    path("ogc", include("ogc_services.urls")),  # /ogc and /ogc/...: the landing page has no slash
    path("i18n/", include("django.conf.urls.i18n")),
    re_path(r"^ows/?$", ows_root, name="ows-root"),  # WMS, WMTS and WFS by their SERVICE parameter
    path("ows/", include("ogc_services.wms.urls")),  # MapProxy's own paths: /ows/service, /ows/wms, /ows/wmts/...
    path("tiles/", include("tiles.urls")),  # vector tiles (MVT) and TileJSON
    path("opendata/", include("opendata.urls")),  # open data: dataset downloads
    path("office/statistics/", include("opendata.office.urls")),  # the administration's statistics (staff)
    path("", include("gis_core.signing.urls")),  # /verify/<token>/ (public), /tsa/ (local TSA, development)
    path("", include("web.commission_urls")),  # slot booking, commission sessions, signatures (web pages)
    path("", include("web.urls")),
    path("accounts/", include("allauth.urls")),  # allauth: verification, reset, e-mail, 2FA, sessions (fr/ar/en)
]

handler404 = "gis_core.problems.not_found_view"
handler500 = "gis_core.problems.server_error_view"
