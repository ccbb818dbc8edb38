"""Which agencies a file goes to: the permanent members of its commission, plus the occasional members that its
geometry (overlays whose effective geometry touches the footprint or a parcel), parameters and the answers to the
procedure's own form (`answer_in`: an advertising display by the roadside goes to the road authority) call for.

The rules are rows (`OccasionalMemberRule`), evaluated by a table of small predicates, one per rule kind.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSGeometry

from parcels.models import Agency, Overlay
from permits.models import Dossier, OccasionalMemberRule, RuleKind


@dataclass
class DispatchTarget:
    agency: Agency
    permanent: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)


def dossier_ground(*, dossier: Dossier) -> GEOSGeometry | None:
    """Footprint and parcels together, as one geometry for overlay look-ups."""
    parts: list[GEOSGeometry] = [parcel.geom for parcel in dossier.parcels.all()]
    if dossier.footprint is not None:
        parts.append(dossier.footprint)
    if not parts:
        return None
    ground = parts[0]
    for part in parts[1:]:
        ground = ground.union(part)
    ground.srid = 4326
    return ground


def _above(value: float | None, threshold: float | None) -> bool:
    return value is not None and threshold is not None and value > threshold


ParameterPredicate = Callable[[Dossier, OccasionalMemberRule], bool]

PARAMETER_RULES: dict[str, ParameterPredicate] = {
    RuleKind.GROSS_FLOOR_AREA_ABOVE: lambda d, r: _above(d.gross_floor_area_m2, r.threshold),
    RuleKind.HEIGHT_ABOVE: lambda d, r: _above(d.height_m, r.threshold),
    RuleKind.FLOORS_ABOVE: lambda d, r: _above(d.floors, r.threshold),
    RuleKind.USE_IN: lambda d, r: bool(d.use) and d.use.strip().lower() in {v.lower() for v in r.values},
    RuleKind.ESTABLISHMENT_CLASS_IN: lambda d, r: str(d.establishment_class) in r.values,
    RuleKind.ANSWER_IN: lambda d, r: _answer_in(d, r),
}


def _answer_in(dossier: Dossier, rule: OccasionalMemberRule) -> bool:
    value = (dossier.answers or {}).get(rule.answer_field)
    return value is not None and str(value) in rule.values


def _overlay_targets(rule: OccasionalMemberRule, ground: GEOSGeometry | None) -> list[tuple[Agency, dict[str, Any]]]:
    if ground is None:
        return []
    overlays = Overlay.objects.filter(effective_geom__intersects=ground).select_related("agency")
    if rule.overlay_kind:
        overlays = overlays.filter(kind=rule.overlay_kind)
    targets = []
    for overlay in overlays.order_by("kind", "reference"):
        agency = overlay.agency or rule.agency
        if agency is not None:
            reason = {"rule": "overlay", "kind": overlay.kind, "overlay": overlay.reference, "name": overlay.name}
            targets.append((agency, reason))
    return targets


def dispatch_targets(*, dossier: Dossier) -> list[DispatchTarget]:
    """Every agency to consult, once each, with the reasons it is consulted (permanent first, then by code)."""
    targets: dict[int, DispatchTarget] = {}
    procedure = dossier.procedure
    for member in procedure.permanent_members.select_related("agency"):
        target = targets.setdefault(member.agency_id, DispatchTarget(member.agency, True))
        target.reasons.append({"rule": "permanent", "role": member.role_label})
    ground = dossier_ground(dossier=dossier)
    for rule in procedure.occasional_rules.select_related("agency").order_by("pk"):
        found: list[tuple[Agency, dict[str, Any]]] = []
        if rule.kind == RuleKind.OVERLAY:
            found = _overlay_targets(rule, ground)
        elif rule.agency is not None and PARAMETER_RULES[rule.kind](dossier, rule):
            reason = {"rule": rule.kind, "threshold": rule.threshold, "values": rule.values}
            if rule.kind == RuleKind.ANSWER_IN:
                reason["field"] = rule.answer_field
            found = [(rule.agency, reason)]
        for agency, reason in found:
            target = targets.setdefault(agency.pk, DispatchTarget(agency, False))
            target.reasons.append(reason)
    return sorted(targets.values(), key=lambda target: (not target.permanent, target.agency.code))
