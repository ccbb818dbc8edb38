"""The zoning pre-check frozen on a file at filing, computed by `parcels.precheck.zoning_precheck`."""

import dataclasses
from typing import Any

import shapely
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from parcels.geometry_input import geodesic_area
from parcels.precheck import Project, zoning_precheck
from parcels.selectors import Site
from permits.models import Dossier


def dossier_site_geometry(*, dossier: Dossier) -> shapely.Geometry | None:
    """The file's ground: the union of its parcels, or its footprint when it names no parcel."""
    parcels = [shapely.from_wkb(bytes(parcel.geom.wkb)) for parcel in dossier.parcels.all()]
    if parcels:
        return shapely.union_all(parcels)
    if dossier.footprint is not None:
        return shapely.from_wkb(bytes(dossier.footprint.wkb))
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def dossier_precheck_compute(*, dossier: Dossier) -> dict[str, Any]:
    """The pre-check result as JSON, or why it could not run (missing footprint or parameters)."""
    computed_at = timezone.now().isoformat()
    missing = [
        name
        for name in ("footprint", "height_m", "floors", "gross_floor_area_m2", "use")
        if getattr(dossier, name) in (None, "")
    ]
    site_geometry = dossier_site_geometry(dossier=dossier)
    if site_geometry is None:
        missing.append("parcels")
    if missing:
        return {"status": "not_run", "reason": "missing: " + ", ".join(missing), "computed_at": computed_at}
    assert dossier.footprint is not None and site_geometry is not None
    parcel_ids = list(dossier.parcels.values_list("pk", flat=True))
    site = Site(
        geometry=site_geometry,
        area_m2=geodesic_area(site_geometry),
        parcel_id=parcel_ids[0] if len(parcel_ids) == 1 else None,
    )
    project = Project(
        footprint=shapely.from_wkb(bytes(dossier.footprint.wkb)),
        height_m=float(dossier.height_m or 0),
        floors=int(dossier.floors or 0),
        gross_floor_area_m2=float(dossier.gross_floor_area_m2 or 0),
        use=dossier.use.strip().lower(),
    )
    # The zones and neighbours are read from the geoportal views in this (filing) transaction, not the public reader.
    result = zoning_precheck(site=site, project=project, using=DEFAULT_DB_ALIAS)
    return _jsonable(
        {
            "status": "passed" if result.passed else "failed",
            "computed_at": computed_at,
            "site_area_m2": site.area_m2,
            "measures": dataclasses.asdict(result.measures),
            "zones": [
                {
                    "id": item.zone.id,
                    "plan": item.zone.plan,
                    "code": item.zone.code,
                    "share": item.zone.share,
                    "evaluated": item.evaluated,
                }
                for item in result.zones
            ],
            "checks": [{**dataclasses.asdict(check), "status": str(check.status)} for check in result.checks],
        }
    )
