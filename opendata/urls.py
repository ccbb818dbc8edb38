"""URLs of the open-data face, mounted at `/opendata/` by config.urls."""

from django.urls import path

from opendata.downloads import views as downloads

app_name = "opendata"
urlpatterns = [
    path(
        "datasets/authorised-projects.<str:extension>",
        downloads.authorised_projects,
        name="authorised-projects-download",
    ),
    path("datasets/indicators/<str:indicator>.<str:extension>", downloads.indicator_history, name="indicator-history"),
    path("datasets/<slug:family>/<str:period>.<str:extension>", downloads.indicator_table, name="indicator-table"),
]
