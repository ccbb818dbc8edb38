"""URLs of the signing kernel: the public verification page, and the local TSA (development and tests)."""

from django.conf import settings
from django.urls import path

from gis_core.signing import tsa, views

app_name = "signing"

urlpatterns = [path("verify/<str:token>/", views.verify_view, name="verify")]
if settings.SIGNING_TSA_LOCAL:
    urlpatterns.append(path("tsa/", tsa.timestamp_view, name="tsa"))
