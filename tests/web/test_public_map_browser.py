"""The public map of authorised projects in a real browser (Debian's Chromium, headless, software WebGL).

Two published, authorised files of two procedures in two communes, a zone and a heritage overlay: the map draws
the projects from the vector tiles; the procedure and date filters hide and show them; a click opens the pop-up
with the reference and the link to the decision's verification page; a search by file reference and by parcel
reference flies there; zoning and overlays are switched on; Arabic comes back right-to-left.
Set `WEB_SCREENSHOT_DIR` to keep a screenshot of each step.
"""

import datetime
import io
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from gis_core.signing.models import VerificationPurpose, VerificationToken
from parcels.models import OverlayKind
from permits.models import Dossier
from tests.factories import OverlayFactory, ParcelFactory, ZoneFactory, ZoningPlanFactory, box
from tests.permits.factories import DossierFactory, ProcedureFactory, commune_tree
from tests.web.browser import chromium, click_map_at, screenshot, watched_page
from web.views import PUBLIC_MAP_CACHE_KEY

# MapLibre is loaded and still, and the projects layer shows `count` distinct projects.
PROJECTS_SHOWN = """(count) => {
  const map = window.publicMap;
  if (!(document.documentElement.dataset.mapReady === "true" && map.loaded() && !map.isMoving())) return false;
  const shown = new Set(map.queryRenderedFeatures({ layers: ["projects-fill", "projects-points"] })
    .map((feature) => feature.properties.reference));
  return shown.size === count;
}"""
MAP_IDLE = """() => {
  const map = window.publicMap;
  return document.documentElement.dataset.mapReady === "true" && map.loaded() && !map.isMoving();
}"""
FIRST = box(-71.11995, 42.37005, -71.11955, 42.37035)
SECOND = box(-71.11875, 42.37005, -71.11835, 42.37035)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])]


@pytest.fixture
def projects() -> dict[str, Any]:
    """A building permit in Anfa (its decision has a verification token) and an occupancy permit in Maârif."""
    cache.delete(PUBLIC_MAP_CACHE_KEY)
    anfa = commune_tree("CASA-ANFA")
    maarif = commune_tree("CASA-MAARIF")
    maarif.name_fr, maarif.name_ar = "Maârif", "المعاريف"
    maarif.save(update_fields=["name_fr", "name_ar"])
    building = ProcedureFactory(
        code="building_permit", name_fr="Permis de construire", name_ar="رخصة البناء", name_en="Building permit"
    )
    occupancy = ProcedureFactory(
        code="occupancy_permit", name_fr="Permis d'habiter", name_ar="رخصة السكن", name_en="Occupancy permit"
    )
    first: Dossier = DossierFactory.create(published=True, procedure=building, commune=anfa, footprint=FIRST)
    second: Dossier = DossierFactory.create(
        published=True, procedure=occupancy, commune=maarif, footprint=SECOND, floors=5, height_m=16.5
    )
    token = VerificationToken.objects.create(
        lineage=uuid.uuid4(), reference=first.reference or "", purpose=VerificationPurpose.DECISION
    )
    ParcelFactory(commune=anfa, reference="160-43", geom=box(-71.1220, 42.3690, -71.1212, 42.3696))
    ZoneFactory(
        commune=anfa,
        plan=ZoningPlanFactory(name="Plan d'aménagement Anfa"),
        code="R+4",
        geom=box(-71.125, 42.366, -71.114, 42.374),
    )
    OverlayFactory(
        commune=anfa,
        reference="HD-1",
        kind=OverlayKind.HERITAGE,
        name="Site classé",
        geom=box(-71.1205, 42.3697, -71.1192, 42.3707),
    )
    call_command("tiles_invalidate", stdout=io.StringIO())
    return {"first": first, "second": second, "token": token.token}


@pytest.fixture
def browser(live_server: LiveServer, projects: dict[str, Any]) -> Iterator[Browser]:
    """Chromium, started after the data and the live server (the sync API runs an event loop in this thread)."""
    with chromium() as browser:
        yield browser


def test_projects_filters_popup_search_and_arabic(
    browser: Browser, live_server: LiveServer, projects: dict[str, Any]
) -> None:
    first: Dossier = projects["first"]
    second: Dossier = projects["second"]
    page, watch = watched_page(browser, live_server.url)

    page.goto(f"{live_server.url}/map/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.wait_for_function(PROJECTS_SHOWN, arg=2, timeout=30_000)
    expect(page.locator("#projects-count")).to_contain_text("2")
    screenshot(page, "public-1-map")

    # Filters: a procedure, then the decision dates.
    page.get_by_label("Procédure").select_option(label="Permis d'habiter")
    page.wait_for_function(PROJECTS_SHOWN, arg=1, timeout=15_000)
    shown = page.evaluate(
        "() => [...new Set(window.publicMap.queryRenderedFeatures({ layers: ['projects-fill', 'projects-points'] })"
        ".map((feature) => feature.properties.reference))]"
    )
    assert shown == [second.reference]
    page.get_by_label("Procédure").select_option(value="")
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    page.get_by_label("Décidé à partir du").fill(tomorrow)
    page.wait_for_function(PROJECTS_SHOWN, arg=0, timeout=15_000)
    expect(page.locator("#projects-count")).to_contain_text("Aucun projet autorisé")
    page.get_by_role("button", name="Effacer les filtres").click()
    page.wait_for_function(PROJECTS_SHOWN, arg=2, timeout=15_000)
    page.get_by_label("Commune").select_option(label="Maârif")
    page.wait_for_function(PROJECTS_SHOWN, arg=1, timeout=15_000)
    page.get_by_label("Commune").select_option(value="")
    page.wait_for_function(PROJECTS_SHOWN, arg=2, timeout=15_000)

    # A click on the first project: its pop-up, with the link to the verification page of its decision.
    click_map_at(page, -71.11975, 42.3702, map_variable="publicMap")
    popup = page.locator(".maplibregl-popup .popup-project")
    expect(popup.locator(".popup-reference")).to_have_text(first.reference or "")
    expect(popup).to_contain_text("Permis de construire")
    expect(popup).to_contain_text("Commune CASA-ANFA")
    link = popup.get_by_role("link", name="Vérifier la décision")
    expect(link).to_have_attribute("href", f"/verify/{projects['token']}/")
    screenshot(page, "public-2-popup")
    # The second project has no verification token: no link.
    click_map_at(page, -71.11855, 42.3702, map_variable="publicMap")
    expect(popup.locator(".popup-reference")).to_have_text(second.reference or "")
    expect(popup).to_contain_text("16,5 m")
    expect(popup.get_by_role("link", name="Vérifier la décision")).to_have_count(0)
    page.keyboard.press("Escape")

    # Zoning and overlays switched on.
    page.get_by_label("Zonage").check()
    page.get_by_label("Servitudes et périmètres").check()
    page.wait_for_function(MAP_IDLE, timeout=15_000)
    page.wait_for_function(
        "() => window.publicMap.queryRenderedFeatures({ layers: ['zones-fill', 'overlays-fill'] }).length >= 2",
        timeout=15_000,
    )
    screenshot(page, "public-3-layers")

    # Search by parcel reference, then by file reference: the map flies there and the project's pop-up opens.
    page.get_by_label("Une parcelle").check()
    page.get_by_label("Référence du dossier ou de la parcelle").fill("160-43")
    page.keyboard.press("Enter")
    expect(page.locator("#map-status")).to_contain_text("Parcelle 160-43")
    page.wait_for_function(MAP_IDLE, timeout=15_000)
    page.get_by_label("Référence du dossier ou de la parcelle").fill("NO-SUCH-FILE")
    page.get_by_label("Un dossier").check()
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#map-status")).to_contain_text("Aucun projet autorisé ne porte la référence")
    page.evaluate("() => window.publicMap.jumpTo({ center: [-7.6, 33.58], zoom: 9 })")
    page.get_by_label("Référence du dossier ou de la parcelle").fill(second.reference or "")
    page.keyboard.press("Enter")
    expect(popup.locator(".popup-reference")).to_have_text(second.reference or "", timeout=15_000)
    center = page.evaluate("() => window.publicMap.getCenter().toArray()")
    assert abs(center[0] - -71.11855) < 0.001 and abs(center[1] - 42.3702) < 0.001, center
    assert urlencode({"q": second.reference}) in page.url
    screenshot(page, "public-4-search")

    # Arabic: right-to-left, the procedure names in Arabic, the projects drawn again.
    page.get_by_role("button", name="العربيّة").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("#filter-procedure")).to_contain_text("رخصة البناء")
    expect(page.locator("#map-status bdi[dir=ltr]")).to_have_text(second.reference or "", timeout=15_000)
    page.wait_for_function(MAP_IDLE, timeout=30_000)
    expect(page.locator(".maplibregl-popup .popup-project")).to_contain_text("رخصة السكن", timeout=15_000)
    page.wait_for_function(
        "() => window.publicMap.queryRenderedFeatures({ layers: ['projects-fill', 'projects-points'] }).length > 0",
        timeout=30_000,
    )
    screenshot(page, "public-5-arabic")

    watch.assert_clean()
    page.context.close()
