"""URLs of the open-data face, mounted at `/opendata/` by config.urls."""

from django.urls import path

from opendata.dashboard import views as dashboard
from opendata.downloads import views as downloads

app_name = "opendata"
urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("dashboard.json", dashboard.dashboard_json, name="dashboard-json"),
    path("dashboard/<str:chart>.<str:extension>", dashboard.chart_download, name="chart-download"),
    path(
        "datasets/authorised-projects.<str:extension>",
        downloads.authorised_projects,
        name="authorised-projects-download",
    ),
]
