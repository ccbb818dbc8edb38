"""The dashboard in a real browser (Debian's Chromium, headless, software WebGL), over hand-built snapshots: the
four charts and the map of the communes render (canvases, the legend), a filter changes the headline figures and
the URL, a click on a commune selects it, the strict CSP holds and nothing comes from another host; in Arabic at
360 px the page is right to left and fits the phone's width; axe-core finds nothing serious in either.
Set `WEB_SCREENSHOT_DIR` to keep the screenshots."""

import io
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from gis_core.models import Territory
from tests.opendata.dashboard.snapshots import Dataset, dashboard_dataset
from tests.web.accessibility import axe_violations, blocking, horizontal_overflow, small_targets
from tests.web.browser import chromium, click_map_at, screenshot, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])]
CHARTS = ("flow", "steps", "opinions", "uses")
# The map is loaded and still, and draws `count` communes or more.
COMMUNES_DRAWN = """(count) => {
  const map = window.dashboardMap;
  if (!(document.documentElement.dataset.mapReady === "true" && map.loaded() && !map.isMoving())) return false;
  return new Set(map.queryRenderedFeatures({ layers: ["communes-fill"] }).map((f) => f.properties.code)).size >= count;
}"""


@pytest.fixture
def dataset(places: dict[str, Territory]) -> Dataset:
    dataset = dashboard_dataset(places)
    call_command("tiles_invalidate", stdout=io.StringIO())  # the territories' pieces, for the tiles
    return dataset


@pytest.fixture
def browser(live_server: LiveServer, dataset: Dataset) -> Iterator[Browser]:
    """Chromium, started after the data and the live server (the sync API runs an event loop in this thread)."""
    with chromium() as browser:
        yield browser


def assert_charts_and_map(page: Page) -> None:
    page.wait_for_function("() => document.documentElement.dataset.dashboardReady === 'true'", timeout=15_000)
    for chart in CHARTS:
        expect(page.locator(f"#chart-{chart} canvas").first).to_be_attached()
    page.wait_for_function(COMMUNES_DRAWN, arg=2, timeout=30_000)
    expect(page.locator("#map canvas")).to_be_attached()
    expect(page.locator("#map-legend li")).not_to_have_count(0)


def test_charts_map_and_filters(browser: Browser, live_server: LiveServer, dataset: Dataset) -> None:
    page, watch = watched_page(browser, live_server.url)
    page.goto(f"{live_server.url}/opendata/?period=2025")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    assert_charts_and_map(page)
    filed = page.locator('[data-figure="filed"]')
    expect(filed).to_have_text("24")
    # The steps chart drew its bars (ECharts's model holds the rows of the JSON).
    medians = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-steps')).getOption().series[0].data"
    )
    assert medians == [3.0, None, 18.0, None, 41.5]
    screenshot(page, "opendata-dashboard-fr-desktop", full_page=True)
    assert not blocking(axe_violations(page))

    # A filter changes the headline, the tables and the URL, without a reload.
    page.get_by_label("Territoire").select_option("CASA-ANFA")
    expect(filed).to_have_text("12")
    expect(page.locator('[data-figure="floor_area"]')).to_contain_text("1")
    assert "territory=CASA-ANFA" in page.url
    expect(page.locator('a[data-download="uses"][data-format="csv"]')).to_have_attribute(
        "href", re.compile(r"/opendata/dashboard/uses\.csv\?territory=CASA-ANFA&period=2025$")
    )
    page.get_by_label("Période").select_option("2025-03")
    expect(filed).to_have_text("0")  # Anfa has no month rows
    title = "() => echarts.getInstanceByDom(document.getElementById('chart-uses')).getOption().title?.[0]?.text"
    assert page.evaluate(title) == "Aucune donnée"  # an empty chart says so
    page.get_by_label("Territoire").select_option("")
    expect(filed).to_have_text("12")  # the nation in March

    # The map's indicator, then a click on Maârif selects it as the territory.
    page.get_by_label("Période").select_option("2025")
    expect(filed).to_have_text("24")
    page.get_by_label("Colorer les communes selon").select_option("decision_days")
    expect(page.locator("#map-legend")).to_contain_text("jours")
    page.locator("#map").scroll_into_view_if_needed()
    page.wait_for_function(COMMUNES_DRAWN, arg=2, timeout=15_000)
    click_map_at(page, -7.60, 33.585, map_variable="dashboardMap")
    expect(page.locator("#filter-territory")).to_have_value("CASA-MAARIF")
    expect(filed).to_have_text("30")
    watch.assert_clean()


def test_arabic_on_a_phone(browser: Browser, live_server: LiveServer, dataset: Dataset) -> None:
    page, watch = watched_page(browser, live_server.url, locale="ar-MA")
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/opendata/?period=2025")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_charts_and_map(page)
    assert not horizontal_overflow(page)
    assert not small_targets(page)
    page.locator("details.chart-table summary").first.click()  # a table opened, for axe to read it too
    assert not blocking(axe_violations(page))
    screenshot(page, "opendata-dashboard-ar-360", full_page=True)
    watch.assert_clean()
