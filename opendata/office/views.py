"""The office statistics' page and downloads (`/office/statistics/`, `/office/statistics/<table>.<csv|xlsx>`).

Anonymous visitors are sent to sign in; a signed-in user without a back-office role (an applicant, an architect, a
commission member only) gets a 403. The period is the query's `period` (empty: the last 30 days; `YYYY-MM`;
`YYYY`): a bad one is a form error on the page and a 400 problem document for a download.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gis_core.problems import problem_response
from opendata.office.exports import EXPORT_FORMATS
from opendata.office.period import PeriodError, period_choices, period_parse
from opendata.office.selectors import TABLE_KEYS, StaffScope, office_scope, office_statistics, office_table


def _scope(request: HttpRequest) -> StaffScope:
    scope = office_scope(user=request.user)
    if scope is None:
        raise PermissionDenied("the statistics are for the back office")
    return scope


@require_safe
@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    today = timezone.localdate()
    key = request.GET.get("period", "")
    context: dict[str, Any] = {
        "scope": scope,
        "choices": period_choices(today),
        "period_key": key,
        "today": today,
    }
    try:
        period = period_parse(key, today=today)
    except PeriodError as error:
        return render(request, "opendata/office_statistics.html", context | {"error": str(error)}, status=400)
    tables = office_statistics(user=request.user, scope=scope, period=period, today=today)
    return render(request, "opendata/office_statistics.html", context | {"period": period, "tables": tables})


@require_safe
@login_required
def statistics_export(request: HttpRequest, table: str, extension: str) -> HttpResponse:
    scope = _scope(request)
    export = EXPORT_FORMATS.get(extension)
    if export is None or table not in TABLE_KEYS:
        detail = _("The tables are %(tables)s, each as %(formats)s.") % {
            "tables": ", ".join(TABLE_KEYS),
            "formats": ", ".join(EXPORT_FORMATS),
        }
        return problem_response(404, _("Unknown table or format"), detail)
    today = timezone.localdate()
    try:
        period = period_parse(request.GET.get("period", ""), today=today)
    except PeriodError as error:
        return problem_response(400, _("Invalid period"), str(error))
    found = office_table(key=table, user=request.user, scope=scope, period=period, today=today)
    response = HttpResponse(export.write(found), content_type=export.media_type)
    suffix = f"-{period.key}" if period.key else ""
    response["Content-Disposition"] = f'attachment; filename="statistics-{table}{suffix}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response
