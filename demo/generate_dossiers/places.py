"""What generated files are drawn over, read once: the catalogue's uses, economic activities and agencies, points
inside each commune (where footprints are put), and each commune's commission (made when it has none)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from gis_core.models import Territory
from parcels.models import Agency
from permits.commissions.models import Commission
from permits.models import ProcedureFamily
from permits.selectors import economic_activities, project_use_codes

POINTS_PER_COMMUNE = 2_000
# A commune's points, drawn by PostGIS from the seed (the same seed gives the same points), kept 20 m inside it.
POINTS_SQL = """
SELECT ST_X(point.geom), ST_Y(point.geom)
FROM gis_core_territory t,
     LATERAL ST_Dump(ST_GeneratePoints(
         coalesce(nullif(ST_Buffer(t.geom::geography, -20)::geometry, 'POLYGON EMPTY'::geometry), t.geom),
         %(count)s, %(seed)s)) AS point
WHERE t.id = %(commune)s
ORDER BY point.path
"""


@dataclass(frozen=True)
class Places:
    uses: list[str]
    activities: list[tuple[str, str]]  # (activity code, its use)
    agency_ids: list[int]
    points: dict[int, list[tuple[float, float]]]  # commune id -> (longitude, latitude)
    commissions: dict[int, int]  # commune id -> commission id


def _commission_of(commune: Territory) -> int:
    """The first active commission of the commune, or of its province or region; one made for it otherwise."""
    territory: Territory | None = commune
    while territory is not None:
        found = Commission.objects.filter(territory=territory, active=True).order_by("id").first()
        if found is not None:
            return found.pk
        territory = territory.parent
    made, _created = Commission.objects.get_or_create(
        territory=commune, family=ProcedureFamily.URBANISM, name_fr=f"Commission générée {commune.code}"
    )
    return made.pk


def places_read(*, communes: Sequence[Territory], seed: int) -> Places:
    points: dict[int, list[tuple[float, float]]] = {}
    with connection.cursor() as cursor:
        for commune in communes:
            cursor.execute(POINTS_SQL, {"count": POINTS_PER_COMMUNE, "seed": seed + 1, "commune": commune.pk})
            points[commune.pk] = [(float(x), float(y)) for x, y in cursor.fetchall()]
    return Places(
        uses=sorted(project_use_codes()),
        activities=[(activity.code, activity.use) for activity in economic_activities().order_by("code")],
        agency_ids=list(Agency.objects.order_by("code").values_list("id", flat=True)),
        points=points,
        commissions={commune.pk: _commission_of(commune) for commune in communes},
    )
