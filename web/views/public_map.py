"""The public map of authorised projects: MapLibre GL JS over our vector tiles, with filters, pop-ups, zoning and
overlay layers that can be switched on, and a search by file or parcel reference.

Everything the page shows is public: the options of its filters (procedures and communes that have authorised
projects) and the labels of the uses are read from the `geoportal` views through the read-only connection, the map
reads the tiles of the geoportal views, the search reads the OGC API Features and the public parcels API. A
project's pop-up links to the public verification page of its decision (`/verify/<token>/`) when the decision
carries a verification token. The strings the script shows are translated here and handed to it as a JSON
catalogue, as on the parcel map.
"""

from typing import Any

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from gis_core.public_reader import PUBLIC_DATABASE
from parcels.models import OverlayKind
from web.views.parcel_map import FALLBACK_BOUNDS, parcel_extent

PUBLIC_MAP_CACHE_KEY = "web:public-map-facets"
PUBLIC_MAP_CACHE_SECONDS = 60
# Where the projects are drawn as footprints rather than points (the tiles turn small footprints into points).
PROJECTS_MIN_ZOOM = 8
ZONES_MIN_ZOOM = 10

FACETS_SQL = """
SELECT 'procedure' AS facet, procedure AS code, max(procedure_name_fr), max(procedure_name_ar),
       max(procedure_name_en), count(*)
FROM geoportal.authorised_projects GROUP BY procedure
UNION ALL
SELECT 'commune', commune_code, max(commune_name_fr), max(commune_name_ar), NULL, count(*)
FROM geoportal.authorised_projects GROUP BY commune_code
"""
EXTENT_SQL = "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM {}) AS x"
USES_SQL = 'SELECT code, label_fr, label_ar, label_en FROM geoportal.uses ORDER BY "order", code'


def _facets() -> dict[str, Any]:
    """The procedures and communes that have authorised projects, the projects' extent and the labels of the uses
    (cached a minute), read through the public read-only connection."""
    cached = cache.get(PUBLIC_MAP_CACHE_KEY)
    if cached is not None:
        return dict(cached)
    procedures: list[dict[str, Any]] = []
    communes: list[dict[str, Any]] = []
    with connections[PUBLIC_DATABASE].cursor() as cursor:
        cursor.execute(FACETS_SQL)
        for facet, code, name_fr, name_ar, name_en, count in cursor.fetchall():
            row = {"code": code, "name_fr": name_fr or code, "name_ar": name_ar or "", "count": count}
            if facet == "procedure":
                procedures.append({**row, "name_en": name_en or ""})
            else:
                communes.append(row)
        cursor.execute(EXTENT_SQL.format("geoportal.authorised_projects"))
        extent = cursor.fetchone()
        cursor.execute(USES_SQL)
        uses = [{"code": code, "name_fr": fr, "name_ar": ar, "name_en": en} for code, fr, ar, en in cursor.fetchall()]
    facets = {
        "procedures": procedures,
        "communes": communes,
        "uses": uses,
        "extent": list(extent) if extent and extent[0] is not None else None,
    }
    cache.set(PUBLIC_MAP_CACHE_KEY, facets, PUBLIC_MAP_CACHE_SECONDS)
    return facets


def _local(row: dict[str, Any], language: str) -> str:
    return str(row.get(f"name_{language}") or row.get("name_fr") or row["code"])


def _sorted_options(rows: list[dict[str, Any]], language: str) -> list[dict[str, str]]:
    options = [{"code": row["code"], "label": _local(row, language)} for row in rows]
    return sorted(options, key=lambda option: option["label"].casefold())


def script_catalogue() -> dict[str, str]:
    """The strings the public map script shows, translated into the active language."""
    return {
        "mapUnavailable": _("The map cannot be shown in this browser (WebGL is unavailable)."),
        "searching": _("Searching…"),
        "emptySearch": _("Type a file or parcel reference to search."),
        "projectNotFound": _("No authorised project has the reference “%(reference)s”."),
        "parcelNotFound": _("No parcel has the reference “%(reference)s”."),
        "apiError": _("The service did not answer as expected: %(detail)s"),
        "networkError": _("The service cannot be reached. Check your connection and try again."),
        "projectFound": _("Authorised project %(reference)s"),
        "parcelFound": _("Parcel %(reference)s"),
        "shownProjects": _("%(count)s authorised projects in view"),
        "noProjectShown": _("No authorised project in view matches the filters."),
        "authorisedProject": _("Authorised project"),
        "reference": _("Reference"),
        "procedure": _("Procedure"),
        "decisionDate": _("Decision date"),
        "use": _("Use"),
        "height": _("Height"),
        "floors": _("Floors"),
        "floorArea": _("Floor area"),
        "units": _("Units"),
        "commune": _("Commune"),
        "verifyDecision": _("Verify the decision"),
        "zone": _("Zone"),
        "plan": _("Zoning plan"),
        "maxHeight": _("Maximum height"),
        "maxFloors": _("Maximum floors"),
        "overlay": _("Overlay or servitude"),
        "agencyToConsult": _("Agency to consult:"),
        "metres": _("%(value)s m"),
        "squareMetres": _("%(value)s m²"),
        "close": _("Close"),
    }


def overlay_kinds() -> list[dict[str, str]]:
    """The kinds of overlays (styled one colour each on the map and in the legend), translated."""
    return [{"code": str(kind.value), "label": str(kind.label)} for kind in OverlayKind]


def public_map(request: HttpRequest) -> HttpResponse:
    """The map page, in the active language (French by default, Arabic right-to-left, English)."""
    language = (get_language() or "fr")[:2]
    facets = _facets()
    bounds = facets["extent"] or parcel_extent() or FALLBACK_BOUNDS
    config: dict[str, Any] = {
        "language": language,
        "rtl": get_language_bidi(),
        "bounds": list(bounds),
        "hasProjects": facets["extent"] is not None,
        "projectsMinZoom": PROJECTS_MIN_ZOOM,
        "zonesMinZoom": ZONES_MIN_ZOOM,
        "overlayKinds": overlay_kinds(),
        "uses": {row["code"]: _local(row, language) for row in facets["uses"]},  # a project's use is one of these codes
        "tiles": {
            layer: reverse("tiles:tilejson", kwargs={"layer": layer})
            for layer in ("authorised_projects", "zones", "overlays")
        },
        "api": {
            "projects": "/ogc/collections/authorised_projects/items",
            "parcels": "/api/parcels/",
            "verify": reverse("signing:verify", kwargs={"token": "TOKEN"}).replace("TOKEN", "{token}"),
        },
    }
    context = {
        "map_config": config,
        "map_strings": script_catalogue(),
        "procedures": _sorted_options(facets["procedures"], language),
        "communes": _sorted_options(facets["communes"], language),
        "overlay_kinds": config["overlayKinds"],
    }
    return render(request, "web/public_map.html", context)
