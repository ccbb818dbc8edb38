"""Routes of OGC API Features, mounted at /ogc (config.urls). A trailing slash is optional on every route,
like pygeoapi's own apps with `strict_slashes` off: `/ogc/collections` and `/ogc/collections/` are the same.
The landing page is `/ogc` (its self link) as well as `/ogc/`, without a redirect: Django's APPEND_SLASH would
answer `/ogc` with a relative `Location`, which QGIS 3.22 cannot follow."""

from django.urls import include, path, re_path

from ogc_services import views

app_name = "ogc"

ID = r"(?P<collection_id>[A-Za-z0-9_-]+)"

routes = [
    re_path(r"^$", views.landing_page, name="landing-page"),
    re_path(r"^openapi/?$", views.openapi, name="openapi"),
    re_path(r"^conformance/?$", views.conformance, name="conformance"),
    re_path(r"^collections/?$", views.collections, name="collections"),
    re_path(rf"^collections/{ID}/?$", views.collections, name="collection"),
    re_path(rf"^collections/{ID}/schema/?$", views.collection_schema, name="collection-schema"),
    re_path(rf"^collections/{ID}/queryables/?$", views.collection_queryables, name="collection-queryables"),
    re_path(rf"^collections/{ID}/items/?$", views.collection_items, name="collection-items"),
    re_path(rf"^collections/{ID}/items/(?P<item_id>[^/]+)/?$", views.collection_item, name="collection-item"),
    re_path(r"^static/(?P<path>.+)$", views.static, name="static"),
]
urlpatterns = [path("", views.landing_page), path("/", include(routes))]
