"""URLs of the open-data face, mounted at `/opendata/` by config.urls."""

from django.urls import path

from opendata.dashboard import views as dashboard
from opendata.dcat import views as dcat
from opendata.downloads import views as downloads
from opendata.pages import views as pages

app_name = "opendata"
urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("dashboard.json", dashboard.dashboard_json, name="dashboard-json"),
    path("dashboard/<str:chart>.<str:extension>", dashboard.chart_download, name="chart-download"),
    path("catalog", dcat.catalog, name="catalog"),
    path("catalog.<str:extension>", dcat.catalog_file, name="catalog-file"),
    path("datasets/", pages.dataset_list, name="dataset-list"),
    path("datasets/<slug:slug>/", pages.dataset_detail, name="dataset"),
    path(
        "datasets/authorised-projects.<str:extension>",
        downloads.authorised_projects,
        name="authorised-projects-download",
    ),
    path("datasets/indicators/<str:indicator>.<str:extension>", downloads.indicator_history, name="indicator-history"),
    path("datasets/<slug:family>/<str:period>.<str:extension>", downloads.indicator_table, name="indicator-table"),
]
