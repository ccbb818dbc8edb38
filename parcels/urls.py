"""URLs of the parcel look-ups, site constraints and zoning pre-check API (mounted at /api/)."""

from django.urls import path

from parcels import api

app_name = "parcels"
urlpatterns = [
    path("parcels/", api.ParcelListApi.as_view(), name="parcel-list"),
    path("parcels/at/", api.ParcelsAtPointApi.as_view(), name="parcels-at-point"),
    path("parcels/<int:parcel_id>/", api.ParcelDetailApi.as_view(), name="parcel-detail"),
    path("parcels/<int:parcel_id>/constraints/", api.ParcelConstraintsApi.as_view(), name="parcel-constraints"),
    path("constraints/", api.ConstraintsApi.as_view(), name="constraints"),
    path("precheck/", api.PrecheckApi.as_view(), name="precheck"),
]
