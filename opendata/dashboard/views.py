"""The HTTP face of the dashboard: the page `/opendata/`, its JSON `/opendata/dashboard.json` and each chart's data
`/opendata/dashboard/<chart>.<csv|json>`, all with the same query (`territory`, `procedure`, `period`).

A bad filter is a 400: a problem document for the JSON and the downloads, the form's error on the page. The JSON
and the downloads carry a weak `ETag` (the last successful refresh and the selection) and `Last-Modified` (that
refresh's end), so a revisit costs the filters' look-ups and one query, and gets 304.
"""

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, urlencode
from django.utils.translation import get_language, get_language_bidi
from django.views.decorators.http import require_safe

from gis_core.models import TerritoryLevel
from gis_core.problems import BadInput, problem_response
from opendata.dashboard import selectors
from opendata.dashboard.filters import DashboardFilters, filters_parse
from opendata.dashboard.page import (
    MAP_LABELS,
    chart_tables,
    headline,
    period_options,
    procedure_choices,
    script_catalogue,
    territory_groups,
)

CACHE_CONTROL = "public, max-age=60, must-revalidate"
UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_.-]")


def _conditional(
    request: HttpRequest, answer: Callable[[DashboardFilters, selectors.DashboardVersion], HttpResponse], variant: str
) -> HttpResponseBase:
    """The answer to the query's selection, or 304, or a 400 problem for a bad filter."""
    try:
        filters = filters_parse(request.GET)
    except BadInput as error:
        return problem_response(400, error.title, error.detail, **error.extra)
    version = selectors.dashboard_version()
    etag = version.etag(filters, variant=variant)
    modified = int(version.refreshed_at.timestamp()) if version.refreshed_at else None
    response = get_conditional_response(request, etag=etag, last_modified=modified) or answer(filters, version)
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = CACHE_CONTROL
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def dashboard_json(request: HttpRequest) -> HttpResponseBase:
    def answer(filters: DashboardFilters, version: selectors.DashboardVersion) -> HttpResponse:
        data = selectors.dashboard_data(filters=filters, version=version)
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})

    return _conditional(request, answer, "json")


def _csv(rows: list[dict[str, Any]], *, fields: tuple[str, ...]) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


@require_safe
def chart_download(request: HttpRequest, chart: str, extension: str) -> HttpResponseBase:
    """One chart's rows: CSV (UTF-8, a header row) or JSON (an array of objects), named after the selection."""
    if chart not in selectors.CHARTS or extension not in ("csv", "json"):
        known = ", ".join(f"{name}.csv, {name}.json" for name in selectors.CHARTS)
        return problem_response(404, "Unknown chart", f"The dashboard's charts are: {known}.")

    def answer(filters: DashboardFilters, version: selectors.DashboardVersion) -> HttpResponse:
        rows = selectors.dashboard_data(filters=filters, version=version)["charts"][chart]
        if extension == "csv":
            response = HttpResponse(
                _csv(rows, fields=selectors.CHARTS[chart]), content_type="text/csv; charset=utf-8; header=present"
            )
        else:
            response = HttpResponse(json.dumps(rows, ensure_ascii=False), content_type="application/json")
        names = [chart, *(value for value in filters.query().values() if value)]
        filename = UNSAFE_IN_FILENAME.sub("-", "_".join(names))
        response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
        return response

    return _conditional(request, answer, f"{chart}-{extension}")


@require_safe
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The dashboard page, server-rendered (figures and tables work without JavaScript); a bad filter is shown as
    the form's error, with the nation's current year below it."""
    language = (get_language() or "fr")[:2]
    error = None
    try:
        filters = filters_parse(request.GET)
    except BadInput as bad:
        error = bad
        filters = filters_parse({})
    version = selectors.dashboard_version()
    data = selectors.dashboard_data(filters=filters, version=version)
    query = urlencode({key: value for key, value in filters.query().items() if value})
    config = {
        "language": language,
        "rtl": get_language_bidi(),
        "bounds": selectors.communes_extent(),
        "api": reverse("opendata:dashboard-json"),
        "tiles": reverse("tiles:tilejson", kwargs={"layer": "territories"}),
        "communeLevel": TerritoryLevel.COMMUNE.value,
    }
    context = {
        "data": data,
        "error": error,
        "query": query,
        "refreshed_at": version.refreshed_at,
        "territories": territory_groups(selectors.territory_options(), language=language),
        "procedures": procedure_choices(selectors.procedure_options(), language=language),
        "periods": period_options(first=selectors.first_year(), today=timezone.localdate()),
        "dashboard_config": config,
        "dashboard_strings": script_catalogue(),
        "tables": chart_tables(data, language=language),
        "headline": headline(data["figures"]),
        "map_indicators": MAP_LABELS,
    }
    return render(request, "opendata/dashboard.html", context, status=400 if error else 200)
