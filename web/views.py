"""The parcel map page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def parcel_map(request: HttpRequest) -> HttpResponse:
    return render(request, "web/parcel_map.html")
