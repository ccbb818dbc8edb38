"""URLs of the tiles face, mounted at `/tiles/` by config.urls."""

from django.urls import path, re_path

from tiles import views

app_name = "tiles"
urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^(?P<layer>[A-Za-z0-9_-]+)\.json$", views.tilejson, name="tilejson"),
    re_path(
        r"^(?P<layer>[A-Za-z0-9_-]+)/(?P<z>-?\d{1,6})/(?P<x>-?\d{1,12})/(?P<y>-?\d{1,12})\.pbf$",
        views.tile,
        name="tile",
    ),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
