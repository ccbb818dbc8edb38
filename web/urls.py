from django.urls import path

from web import views

app_name = "web"
urlpatterns = [path("", views.parcel_map, name="parcel-map")]
