"""Target specifics: territories' parents, zones merged with rules, overlays' kinds and agencies, the demo."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import shapely
from django.core.management import call_command

from gis_core.importing import ImportInputError
from gis_core.models import Territory
from parcels.importers.agencies import agencies_load
from parcels.models import Overlay, OverlayKind, Parcel, Zone, ZoningPlan
from tests.importing.conftest import run, square, write_layer


def test_territory_parent_found_spatially_or_by_code(db: None, tmp_path: Path) -> None:
    regions = write_layer(
        tmp_path / "r.geojson", [shapely.box(-8, 33, -7, 34)], {"id": ["R1"], "name": ["Région"]}, driver="GeoJSON"
    )
    run("territories", regions, options={"level": "region"})
    provinces = write_layer(
        tmp_path / "p.geojson",
        [shapely.box(-7.9, 33.1, -7.5, 33.5), shapely.box(10, 10, 11, 11)],
        {"id": ["P1", "P2"], "name": ["Province de Test إقليم تجربة", "Ailleurs"], "parent_code": [None, "R9"]},
        driver="GeoJSON",
    )
    summary = run("territories", provinces, options={"level": "province"}, mapping={"parent_code": "parent_code"})
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert "parent code R9 names no region" in summary.issues[0]["reason"]
    province = Territory.objects.get(code="P1")
    assert province.parent and province.parent.code == "R1"
    assert (province.name_fr, province.name_ar) == ("Province de Test", "إقليم تجربة")
    with pytest.raises(ImportInputError, match="need --level"):
        run("territories", provinces)


def test_zones_are_merged_by_code_with_rules(commune: Territory, tmp_path: Path) -> None:
    rules = tmp_path / "rules.csv"
    rules.write_text(
        "# comment\ncode,label,max_height_m,max_floors,allowed_uses\nR1,Residential,10.5,3,residential; office\n"
    )
    path = write_layer(
        tmp_path / "z.geojson",
        [square(-71.12, 42.37, 0.01), square(-71.11, 42.37, 0.01), square(-71.1, 42.37, 0.01)],
        {"zone": ["R1", "R1", "C2"], "cos": [None, None, "2.5"]},
        driver="GeoJSON",
    )
    summary = run("zones", path, options={"plan": "Plan test", "rules": str(rules)})
    assert (summary.inserted, summary.updated) == (2, 0)
    zone = Zone.objects.get(code="R1")
    assert zone.geom.num_geom == 1  # two touching squares merged
    assert (zone.label, zone.max_height_m, zone.max_floors, zone.allowed_uses) == (
        "Residential",
        10.5,
        3,
        ["residential", "office"],
    )
    assert Zone.objects.get(code="C2").max_floor_area_ratio == 2.5
    assert list(ZoningPlan.objects.get(name="Plan test").communes.all()) == [commune]
    assert run("zones", path, options={"plan": "Plan test", "rules": str(rules)}).updated == 2
    rules.write_text("code,height\nR1,3\n")
    with pytest.raises(ImportInputError, match="unknown: height"):
        run("zones", path, options={"plan": "Plan test", "rules": str(rules)})


def test_overlays_kind_agency_and_buffer(commune: Territory, tmp_path: Path) -> None:
    agencies_load()
    path = write_layer(
        tmp_path / "o.geojson",
        [square(-71.12, 42.37), square(-71.11, 42.37), square(-71.10, 42.37)],
        {"ref": ["H1", "F1", "B1"], "kind": ["heritage", "flood_risk", "volcano"], "buffer_m": [0, 50, 0]},
        driver="GeoJSON",
    )
    summary = run("overlays", path)
    assert (summary.inserted, summary.rejected) == (2, 1)
    assert "unknown overlay kind 'volcano'" in summary.issues[0]["reason"]
    heritage = Overlay.objects.get(reference="H1")
    assert heritage.agency and heritage.agency.code == "MCULTURE"
    flood = Overlay.objects.get(reference="F1")
    assert flood.kind == OverlayKind.FLOOD_RISK and flood.agency and flood.agency.code == "ABH-BC"
    assert flood.effective_geom.area > flood.geom.area * 1.5
    with pytest.raises(ImportInputError, match="unknown overlay kind"):
        run("overlays", path, constants={"kind": "volcano"})


def test_load_demo_twice(db: None) -> None:
    call_command("load_demo")
    counts = (Parcel.objects.count(), Zone.objects.count(), Overlay.objects.count(), Territory.objects.count())
    assert counts[0] > 1400 and counts[1] > 10 and counts[2] >= 10
    call_command("load_demo", force=True)  # a forced reload upserts: nothing doubles
    assert (Parcel.objects.count(), Zone.objects.count(), Overlay.objects.count(), Territory.objects.count()) == counts
    output = StringIO()
    call_command("load_demo", stdout=output)  # what `make run` does on every start: leaves loaded data alone
    assert "already loaded" in output.getvalue()
    parcel = Parcel.objects.first()
    assert parcel and parcel.commune.code == "US-MA-CAMBRIDGE" and parcel.commune.parent
