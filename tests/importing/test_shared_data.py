"""Imports of the real datasets in ../shared/data (skipped cleanly when the folder is absent)."""

from __future__ import annotations

from pathlib import Path

from gis_core.models import Territory, TerritoryLevel
from tests.importing.conftest import run


def test_morocco_regions_and_provinces(db: None, shared_data: Path) -> None:
    regions = run("territories", shared_data / "morocco/regions.json", options={"level": "region"})
    assert (regions.read, regions.inserted, regions.rejected) == (12, 12, 0)
    provinces = run("territories", shared_data / "morocco/provinces.json", options={"level": "province"})
    assert (provinces.read, provinces.inserted, provinces.rejected) == (75, 75, 0)
    casablanca = Territory.objects.get(code="MA-CAS")
    assert casablanca.level == TerritoryLevel.PROVINCE
    assert casablanca.name_fr == "Préfecture de Casablanca" and casablanca.name_ar
    assert casablanca.parent and casablanca.parent.code == "MA-06"
    assert 150e6 < casablanca.area_m2 < 300e6
