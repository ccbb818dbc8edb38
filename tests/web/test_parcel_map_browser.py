"""The parcel map in a real browser (Debian's Chromium, headless, software WebGL) against the live server.

A person searches a parcel by reference with the keyboard, reads its zone, rules and overlay; clicks another
parcel on the map; clicks where there is no parcel; switches to Arabic and gets a right-to-left page.
Set `WEB_SCREENSHOT_DIR` to keep a screenshot of each step.
"""

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from parcels.models import OverlayKind
from tests.factories import (
    AgencyFactory,
    OverlayFactory,
    ParcelFactory,
    TerritoryFactory,
    ZoneFactory,
    ZoningPlanFactory,
    box,
)
from tests.web.browser import chromium, click_map_at, screenshot, watched_page
from web.views import EXTENT_CACHE_KEY

# The map has drawn the parcels of the view: MapLibre is loaded, still, and its canvas shows both parcels.
MAP_SHOWS_PARCELS = """() => {
  const map = window.parcelMap;
  return document.documentElement.dataset.mapReady === "true" && map.loaded() && !map.isMoving()
    && map.queryRenderedFeatures({ layers: ["parcels-fill"] }).length >= 2;
}"""

# The tiles of the map are read through the `geoportal` alias (the read-only role), a test mirror of default.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])]


@pytest.fixture
def cambridge() -> dict[str, object]:
    """Two neighbouring parcels in one residential zone; a heritage district over the first one only."""
    cache.delete(EXTENT_CACHE_KEY)
    commune = TerritoryFactory(code="TEST-CAMBRIDGE", name_fr="Cambridge", name_ar="كامبريدج")
    first = ParcelFactory(
        commune=commune, reference="160-43", land_title="T1234/C", geom=box(-71.1200, 42.3700, -71.1190, 42.3707)
    )
    second = ParcelFactory(
        commune=commune, reference="160-44", land_title="T1235/C", geom=box(-71.1190, 42.3700, -71.1180, 42.3707)
    )
    zone = ZoneFactory(
        commune=commune,
        plan=ZoningPlanFactory(name="Cambridge Zoning Ordinance"),
        code="C-1",
        label="Residence C-1",
        max_height_m=10.5,
        max_floors=3,
        max_coverage_ratio=0.6,
        max_floor_area_ratio=0.75,
        min_setback_road_m=3.0,
        min_setback_neighbour_m=2.5,
        allowed_uses=["residential"],
        forbidden_uses=["industrial"],
        geom=box(-71.13, 42.36, -71.11, 42.38),
    )
    overlay = OverlayFactory(
        commune=commune,
        reference="HD-1",
        kind=OverlayKind.HERITAGE,
        name="Harvard Square Historic District",
        agency=AgencyFactory(code="CHC", name_fr="Commission historique de Cambridge", name_ar="اللجنة التاريخية"),
        geom=box(-71.1201, 42.3699, -71.1195, 42.3710),
    )
    return {"first": first, "second": second, "zone": zone, "overlay": overlay}


@pytest.fixture
def browser(live_server: LiveServer, cambridge: dict[str, object]) -> Iterator[Browser]:
    """Chromium, started after the data and the live server: the sync API runs an event loop in this thread,
    and Django refuses database calls while one runs (so the database is set up before and flushed after)."""
    with chromium() as browser:
        yield browser


def test_search_click_and_switch_to_arabic(browser: Browser, live_server: LiveServer) -> None:
    page, watch = watched_page(browser, live_server.url)

    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.wait_for_function(MAP_SHOWS_PARCELS, timeout=30_000)
    screenshot(page, "1-map")

    # Search by reference, with the keyboard only.
    page.get_by_label("Référence de la parcelle").fill("160-43")
    page.keyboard.press("Enter")
    details = page.locator("#parcel-details")
    zone = details.locator('.zone[data-zone-code="C-1"]')
    expect(zone).to_be_visible()
    expect(details.locator(".parcel-reference")).to_have_text("160-43")
    expect(details).to_contain_text("T1234/C")
    expect(details).to_contain_text("Cambridge")
    expect(zone).to_contain_text("Residence C-1")
    expect(zone).to_contain_text("Cambridge Zoning Ordinance")
    rules = zone.locator("table.rules")
    expect(rules.locator("tr", has_text="Hauteur maximale")).to_contain_text("10,5 m")
    expect(rules.locator("tr", has_text="Nombre maximal de niveaux")).to_contain_text("3 niveaux")
    expect(rules.locator("tr", has_text="(CES)")).to_contain_text("60")
    expect(rules.locator("tr", has_text="(COS)")).to_contain_text("0,75")
    expect(rules.locator("tr", has_text="Recul minimal par rapport à la voie")).to_contain_text("3 m")
    expect(rules.locator("tr", has_text="Usages autorisés")).to_contain_text("residential")
    expect(rules.locator("tr", has_text="Usages interdits")).to_contain_text("industrial")
    overlay = details.locator('.overlay[data-overlay-reference="HD-1"]')
    expect(overlay).to_contain_text("Harvard Square Historic District")
    expect(overlay).to_contain_text("Patrimoine")
    expect(overlay).to_contain_text("Organisme à consulter : Commission historique de Cambridge")
    assert "reference=160-43" in page.url
    page.wait_for_function(MAP_SHOWS_PARCELS, timeout=30_000)
    highlighted = page.evaluate(
        "() => [...new Set(window.parcelMap.queryRenderedFeatures({ layers: ['selected-fill'] })"
        ".map((feature) => feature.properties.reference))]"
    )
    assert highlighted == ["160-43"], "the selected parcel is highlighted on the map"
    screenshot(page, "2-searched")

    # A reference that does not exist.
    page.get_by_label("Référence de la parcelle").fill("999-999")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#parcel-status")).to_contain_text("Aucune parcelle ne porte la référence « 999-999 »")

    # Click on the second parcel: it has the zone but not the heritage district.
    click_map_at(page, -71.1185, 42.37035, map_variable="parcelMap")
    expect(details.locator(".parcel-reference")).to_have_text("160-44")
    expect(details.locator('.zone[data-zone-code="C-1"]')).to_be_visible()
    expect(details).to_contain_text("Aucune servitude ni aucun périmètre ne touche cette parcelle.")
    expect(page.locator("#parcel-status")).to_be_hidden()
    screenshot(page, "3-clicked")

    # Click where there is no parcel (inside the commune).
    click_map_at(page, -71.1185, 42.3698, map_variable="parcelMap")
    expect(page.locator("#parcel-status")).to_contain_text("Aucune parcelle ici")

    # Switch to Arabic: the page comes back right-to-left, on the same parcel.
    page.get_by_role("button", name="العربيّة").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_label("مرجع القطعة الأرضية")).to_have_value("160-44")
    expect(details.locator('.zone[data-zone-code="C-1"]')).to_contain_text("العلو الأقصى")
    expect(details).to_contain_text("الجماعة")
    expect(details).to_contain_text("كامبريدج")
    page.wait_for_function(MAP_SHOWS_PARCELS, timeout=30_000)
    screenshot(page, "4-arabic")

    watch.assert_clean()
    page.context.close()
