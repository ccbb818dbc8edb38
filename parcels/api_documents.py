"""JSON documents of the parcel API, built straight from the selectors' dataclasses (the look-ups' hot path).

The output serializers of `parcels.api` stay the documentation of these documents (drf-spectacular reads them);
these functions produce the very same dicts (same keys, order, rounding and nulls) without instantiating a
serializer per request: DRF deep-copies every declared field on each instantiation, which cost more than the
look-up itself. `tests/parcels/test_api.py` checks that both give identical output.
"""

from typing import Any

from parcels.precheck import EvaluatedZone, Measures, PrecheckResult, Verdict
from parcels.selectors import AgencyRef, OverlayShare, ParcelSummary, Site, SiteConstraints, ZoneRules, ZoneShare


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)


def parcel_feature_document(parcel: ParcelSummary) -> dict[str, Any]:
    """`ParcelFeatureOutputSerializer`: a GeoJSON Feature with the parcel's public properties."""
    commune = parcel.commune
    return {
        "type": "Feature",
        "id": parcel.id,
        "geometry": parcel.geometry,
        "properties": {
            "id": parcel.id,
            "reference": parcel.reference,
            "land_title": parcel.land_title,
            "commune": {"code": commune.code, "name_fr": commune.name_fr, "name_ar": commune.name_ar},
            "official_area_m2": _optional_float(parcel.official_area_m2),
            "area_m2": round(float(parcel.area_m2), 2),
        },
    }


def parcel_collection_document(parcels: list[ParcelSummary], next_url: str | None = None) -> dict[str, Any]:
    """`ParcelCollectionOutputSerializer`: a GeoJSON FeatureCollection with the OGC `numberReturned`."""
    return {
        "type": "FeatureCollection",
        "features": [parcel_feature_document(parcel) for parcel in parcels],
        "numberReturned": len(parcels),
        "next": next_url,
    }


def _rules_document(rules: ZoneRules) -> dict[str, Any]:
    max_floors = rules.max_floors
    return {
        "max_height_m": _optional_float(rules.max_height_m),
        "max_floors": None if max_floors is None else int(max_floors),
        "max_coverage_ratio": _optional_float(rules.max_coverage_ratio),
        "max_floor_area_ratio": _optional_float(rules.max_floor_area_ratio),
        "min_setback_road_m": _optional_float(rules.min_setback_road_m),
        "min_setback_neighbour_m": _optional_float(rules.min_setback_neighbour_m),
        "allowed_uses": list(rules.allowed_uses),
        "forbidden_uses": list(rules.forbidden_uses),
    }


def _zone_document(zone: ZoneShare) -> dict[str, Any]:
    return {
        "id": zone.id,
        "plan": zone.plan,
        "code": zone.code,
        "label": zone.label,
        "area_m2": round(float(zone.area_m2), 2),
        "share": round(float(zone.share), 6),
        "rules": _rules_document(zone.rules),
    }


def _agency_document(agency: AgencyRef | None) -> dict[str, Any] | None:
    if agency is None:
        return None
    return {"code": agency.code, "name_fr": agency.name_fr, "name_ar": agency.name_ar}


def _overlay_document(overlay: OverlayShare) -> dict[str, Any]:
    return {
        "id": overlay.id,
        "reference": overlay.reference,
        "kind": overlay.kind,
        "kind_label": str(overlay.kind_label),
        "name": overlay.name,
        "area_m2": round(float(overlay.area_m2), 2),
        "share": round(float(overlay.share), 6),
        "agency": _agency_document(overlay.agency),
    }


def _site_document(site: Site) -> dict[str, Any]:
    return {"area_m2": round(float(site.area_m2), 2), "parcel": site.parcel_id}


def constraints_document(constraints: SiteConstraints) -> dict[str, Any]:
    """`ConstraintsOutputSerializer`: the site, its zones and overlays with shares, and the agencies."""
    return {
        "site": _site_document(constraints.site),
        "zones": [_zone_document(zone) for zone in constraints.zones],
        "overlays": [_overlay_document(overlay) for overlay in constraints.overlays],
        "agencies": [_agency_document(agency) for agency in constraints.agencies],
    }


def _evaluated_zone_document(item: EvaluatedZone) -> dict[str, Any]:
    document = _zone_document(item.zone)
    document["evaluated"] = bool(item.evaluated)
    return document


def _measures_document(measures: Measures) -> dict[str, Any]:
    return {
        "metric_srid": int(measures.metric_srid),
        "footprint_area_m2": round(float(measures.footprint_area_m2), 2),
        "coverage_ratio": round(float(measures.coverage_ratio), 6),
        "floor_area_ratio": round(float(measures.floor_area_ratio), 6),
        "setback_road_m": _optional_float(measures.setback_road_m),
        "setback_neighbour_m": _optional_float(measures.setback_neighbour_m),
        "road_side_length_m": round(float(measures.road_side_length_m), 2),
        "neighbour_side_length_m": round(float(measures.neighbour_side_length_m), 2),
        "footprint_outside_m2": round(float(measures.footprint_outside_m2), 2),
    }


def _verdict_document(verdict: Verdict) -> dict[str, Any]:
    return {
        "rule": verdict.rule,
        "zone": verdict.zone_code,
        "value": verdict.value,
        "limit": verdict.limit,
        "unit": verdict.unit,
        "status": verdict.status.value,
        "message": str(verdict.message),
    }


def precheck_document(result: PrecheckResult) -> dict[str, Any]:
    """`PrecheckApi.PrecheckOutputSerializer`: evaluated zones, measures, one verdict per rule and zone."""
    return {
        "site": _site_document(result.site),
        "zones": [_evaluated_zone_document(item) for item in result.zones],
        "measures": _measures_document(result.measures),
        "checks": [_verdict_document(verdict) for verdict in result.checks],
        "passed": bool(result.passed),
    }
