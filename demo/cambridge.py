"""The demo data set: a real extract of Cambridge (MA) open data (PDDL 1.0), loaded through the import pipeline.

`demo_load()` is idempotent (every step is an upsert): the Massachusetts > Middlesex > Cambridge territories from
the city boundary, the agencies, the zoning plan with zones and rules, the overlay and historic districts, and
about 1,500 parcels between Harvard Square and Central Square (`demo/fixtures/cambridge/`, cut by
`scripts/make_demo_extract.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gis_core.importing import ImportRequest, ImportSummary, import_layer
from parcels.importers import TARGETS
from parcels.importers.agencies import agencies_load

DEMO_DIR = Path(__file__).resolve().parent / "fixtures" / "cambridge"
DEMO_COMMUNE = "US-MA-CAMBRIDGE"
# The same plan as the full shared data, so that loading both upserts the same zones instead of doubling them.
DEMO_PLAN = "Cambridge Zoning Ordinance"

TERRITORIES = (
    ("region", {"code": "US-MA", "name_fr": "Massachusetts", "name_ar": "ماساتشوستس", "name_en": "Massachusetts"}),
    (
        "province",
        {
            "code": "US-MA-MIDDLESEX",
            "name_fr": "Comté de Middlesex",
            "name_ar": "مقاطعة ميدلسكس",
            "name_en": "Middlesex County",
            "parent_code": "US-MA",
        },
    ),
    (
        "commune",
        {
            "code": DEMO_COMMUNE,
            "name_fr": "Cambridge",
            "name_ar": "كامبريدج",
            "name_en": "Cambridge",
            "parent_code": "US-MA-MIDDLESEX",
        },
    ),
)


def demo_requests(directory: Path = DEMO_DIR) -> list[ImportRequest]:
    """The import runs of the demo, in order (territories first: everything else hangs on the commune)."""
    boundary = directory / "cambridge_city_boundary.geojson"
    requests = [
        ImportRequest(target="territories", path=boundary, constants=constants, options={"level": level})
        for level, constants in TERRITORIES
    ]
    commune = {"commune": DEMO_COMMUNE}
    requests += [
        ImportRequest(
            target="zones",
            path=directory / "cambridge_zoning_districts.geojson",
            mapping={"code": "ZONE_TYPE"},
            options={**commune, "plan": DEMO_PLAN, "rules": str(directory / "cambridge_zone_rules.csv")},
        ),
        ImportRequest(
            target="overlays",
            path=directory / "cambridge_overlay_districts.geojson",
            mapping={"reference": "GlobalID", "name": "Name"},
            constants={"kind": "special_district"},
            options=commune,
        ),
        ImportRequest(
            target="overlays",
            path=directory / "cambridge_historic_districts.geojson",
            mapping={"reference": "GlobalID", "name": "NAME"},
            constants={"kind": "heritage"},
            options=commune,
        ),
        ImportRequest(
            target="parcels",
            path=directory / "cambridge_parcels.geojson",
            mapping={"reference": "ML"},
            options=commune,
        ),
    ]
    return requests


def demo_load(*, report: Callable[[str], None] = lambda line: None, progress: bool = False) -> list[ImportSummary]:
    """Load the demo (idempotent); `report` receives one line per step."""
    created, updated = agencies_load()
    report(f"agencies: {created} created, {updated} updated")
    summaries = []
    for request in demo_requests():
        request.progress = progress
        summary = import_layer(request, TARGETS)
        report(summary.lines(issues=0)[0])
        summaries.append(summary)
    return summaries
