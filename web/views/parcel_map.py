"""The public parcel map: search a parcel by reference or click one, and read its zone, rules and overlays.

The page is server-rendered (header, language switcher, search form, side panel) and a small ES module
(`web/static/web/parcel_map.js`) drives MapLibre GL JS against the parcels JSON API. The strings the
script shows are translated here, with Django's gettext, and handed to it as a JSON catalogue.
"""

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from parcels.selectors import parcels_extent

# Centre of the demo data (Cambridge, MA) when no parcel is loaded yet: [west, south, east, north].
FALLBACK_BOUNDS: tuple[float, float, float, float] = (-71.1160, 42.3660, -71.1040, 42.3740)
EXTENT_CACHE_KEY = "web:parcel-extent"
EXTENT_CACHE_SECONDS = 300
MAX_INITIAL_SPAN_DEGREES = 1.0
# Below this zoom the map does not ask the bbox endpoint for parcels (until vector tiles exist).
PARCELS_MIN_ZOOM = 15
PARCELS_PAGE_SIZE = 500
PARCELS_MAX_FEATURES = 2000


def parcel_extent() -> tuple[float, float, float, float] | None:
    """Where the map opens: the bounding box of the loaded parcels, cached for a few minutes.

    When the parcels are spread over several cities (the extent is wider than `MAX_INITIAL_SPAN_DEGREES`),
    the map opens on the commune of the first parcel loaded instead of on an ocean between them.
    """
    cached = cache.get(EXTENT_CACHE_KEY)
    if cached is not None:
        return (cached[0], cached[1], cached[2], cached[3]) if cached else None
    loaded = parcels_extent()  # through the public read-only connection
    extent = loaded.box
    if extent and max(extent[2] - extent[0], extent[3] - extent[1]) > MAX_INITIAL_SPAN_DEGREES:
        extent = parcels_extent(commune_code=loaded.first_commune_code).box
    cache.set(EXTENT_CACHE_KEY, list(extent) if extent else [], EXTENT_CACHE_SECONDS)
    return (extent[0], extent[1], extent[2], extent[3]) if extent else None


def script_catalogue() -> dict[str, str]:
    """The strings the map script shows, translated into the active language."""
    return {
        "loading": _("Loading…"),
        "mapUnavailable": _("The map cannot be shown in this browser (WebGL is unavailable)."),
        "searching": _("Searching…"),
        "zoomIn": _("Zoom in to see the parcels."),
        "tooManyParcels": _("Not every parcel is shown here: zoom in further."),
        "noParcelHere": _("No parcel here. Click inside a parcel outline."),
        "notFound": _("No parcel has the reference “%(reference)s”."),
        "emptyReference": _("Type a parcel reference to search."),
        "apiError": _("The service did not answer as expected: %(detail)s"),
        "networkError": _("The service cannot be reached. Check your connection and try again."),
        "severalParcels": _("Several parcels match. Choose one:"),
        "parcel": _("Parcel"),
        "reference": _("Reference"),
        "landTitle": _("Land title"),
        "commune": _("Commune"),
        "officialArea": _("Official area"),
        "computedArea": _("Computed area"),
        "zoning": _("Zoning"),
        "noZone": _("No zone of a zoning plan covers this parcel."),
        "plan": _("Zoning plan:"),
        "shareOfParcel": _("%(share)s of the parcel"),
        "rule": _("Rule"),
        "limit": _("Limit"),
        "maxHeight": _("Maximum height"),
        "maxFloors": _("Maximum floors"),
        "maxCoverage": _("Maximum coverage (CES)"),
        "maxFloorArea": _("Maximum floor-area ratio (COS)"),
        "setbackRoad": _("Minimum setback from the road"),
        "setbackNeighbour": _("Minimum setback from neighbours"),
        "allowedUses": _("Allowed uses"),
        "forbiddenUses": _("Forbidden uses"),
        "notSet": _("Not set"),
        "none": _("None"),
        "overlays": _("Overlays and servitudes"),
        "noOverlay": _("No overlay or servitude touches this parcel."),
        "agencyToConsult": _("Agency to consult:"),
        "noAgency": _("No agency named"),
        "agencies": _("Agencies to consult"),
        "metres": _("%(value)s m"),
        "squareMetres": _("%(value)s m²"),
        "floors": _("%(value)s floors"),
        "close": _("Close"),
        "selectedParcel": _("Selected parcel %(reference)s"),
    }


def parcel_map(request: HttpRequest) -> HttpResponse:
    """The map page, in the active language (French by default, Arabic right-to-left, English)."""
    extent = parcel_extent()
    config: dict[str, Any] = {
        "language": get_language(),
        "rtl": get_language_bidi(),
        "bounds": list(extent or FALLBACK_BOUNDS),
        "hasParcels": extent is not None,
        "minZoom": PARCELS_MIN_ZOOM,
        "pageSize": PARCELS_PAGE_SIZE,
        "maxFeatures": PARCELS_MAX_FEATURES,
        "api": {
            "parcels": "/api/parcels/",
            "parcelsAt": "/api/parcels/at/",
            "constraints": "/api/parcels/{id}/constraints/",
        },
    }
    return render(
        request,
        "web/parcel_map.html",
        {"map_config": config, "map_strings": script_catalogue()},
    )
