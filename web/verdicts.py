"""The zoning pre-check in words: each verdict (rule, value, limit, status) as a translated sentence.

The domain's own messages are in English; the pages build theirs from the numbers so that they read in French,
Arabic or English. `static/web/dossier_precheck.js` does the same for the live pre-check.
"""

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RULE_LABELS = {
    "coverage_ratio": gettext_lazy("Coverage (CES)"),
    "floor_area_ratio": gettext_lazy("Floor-area ratio (COS)"),
    "height": gettext_lazy("Height"),
    "floors": gettext_lazy("Floors"),
    "setback_road": gettext_lazy("Setback from the road"),
    "setback_neighbour": gettext_lazy("Setback from neighbours"),
    "use": gettext_lazy("Use"),
    "footprint_inside_site": gettext_lazy("Footprint inside the site"),
    "zoning": gettext_lazy("Zoning"),
}
MINIMUM_RULES = frozenset({"setback_road", "setback_neighbour"})
STATUS_LABELS = {
    "pass": gettext_lazy("Passes"),
    "fail": gettext_lazy("Fails"),
    "not_regulated": gettext_lazy("Not regulated"),
}


def _number(value: Any, unit: str) -> str:
    text = number_format(round(float(value), 2), decimal_pos=2 if unit != "floors" else 0)
    return _("%(value)s m") % {"value": text} if unit == "m" else text


def verdict_why(check: dict[str, Any]) -> str:
    """Why a rule passes or fails, in the active language."""
    rule, status, value, limit = check.get("rule"), check.get("status"), check.get("value"), check.get("limit")
    unit = str(check.get("unit") or "")
    if rule == "footprint_inside_site":
        if status == "fail":
            return _("The footprint extends %(area)s m² beyond the site.") % {"area": _number(value or 0, "m²")}
        return _("The footprint lies inside the site.")
    if rule == "use":
        allowed = ", ".join((limit or {}).get("allowed", [])) if isinstance(limit, dict) else ""
        if status == "fail":
            return _("The use “%(use)s” is not allowed in this zone (allowed: %(allowed)s).") % {
                "use": value,
                "allowed": allowed or "—",
            }
        if status == "not_regulated":
            return _("Uses are not regulated in this zone.")
        return _("The use “%(use)s” is allowed in this zone.") % {"use": value}
    if status == "not_regulated":
        return _("This rule is not regulated in this zone.")
    if value is None or limit is None or isinstance(limit, dict):
        if status == "fail":
            return _("The footprint extends beyond the site, so the setback cannot be met.")
        return _("The site has no side of this kind; the rule does not apply.")
    numbers = {"value": _number(value, unit), "limit": _number(limit, unit)}
    if rule in MINIMUM_RULES:
        if status == "pass":
            return _("%(value)s meets the minimum of %(limit)s.") % numbers
        return _("%(value)s is less than the minimum of %(limit)s.") % numbers
    if status == "pass":
        return _("%(value)s is within the maximum of %(limit)s.") % numbers
    return _("%(value)s exceeds the maximum of %(limit)s.") % numbers


def verdict_rows(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "rule": str(RULE_LABELS.get(str(check.get("rule")), check.get("rule"))),
            "zone": check.get("zone_code") or "",
            "status": check.get("status"),
            "status_label": str(STATUS_LABELS.get(str(check.get("status")), check.get("status"))),
            "why": verdict_why(check),
        }
        for check in checks
    ]
