"""URLs of the office statistics, mounted at `/office/statistics/` by config.urls."""

from django.urls import path

from opendata.office import views

app_name = "office-statistics"
urlpatterns = [
    path("", views.statistics_page, name="page"),
    path("<slug:table>.<str:extension>", views.statistics_export, name="export"),
]
