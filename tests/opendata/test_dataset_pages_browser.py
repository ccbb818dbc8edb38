"""The dataset pages in Chromium, on a phone (360 by 740 pixels) and a desktop, in French and in Arabic: no serious
or critical axe-core violation, nothing that scrolls sideways, no tap target under 24 pixels, no console error or
Content-Security-Policy violation. Set `WEB_SCREENSHOT_DIR` to keep a screenshot of each."""

import pytest
from playwright.sync_api import ViewportSize
from pytest_django.live_server_helper import LiveServer

from tests.permits.factories import DossierFactory, commune_tree
from tests.web.accessibility import axe_violations, blocking, horizontal_overflow, small_targets
from tests.web.browser import chromium, screenshot, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])]
PAGES = {
    "list": "/opendata/datasets/",
    "detail": "/opendata/datasets/authorised-projects/",
    "indicators": "/opendata/datasets/processing-times/",
}
VIEWPORTS: dict[str, ViewportSize] = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def test_the_dataset_pages_work_on_a_phone_and_a_desktop_in_french_and_arabic(live_server: LiveServer) -> None:
    commune = commune_tree("CASA-ANFA")
    DossierFactory.create(published=True, commune=commune)
    problems = []
    with chromium() as browser:
        for language in ("fr", "ar"):
            page, watch = watched_page(browser, live_server.url, locale=language)
            for device, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                for name, path in PAGES.items():
                    page.goto(f"{live_server.url}{path}")
                    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
                    assert page.locator("h1").is_visible()
                    screenshot(page, f"opendata-{name}-{language}-{device}", full_page=True)
                    where = f"{name} {language} {device}"
                    problems += [f"{where}: {violation}" for violation in blocking(axe_violations(page))]
                    overflow = horizontal_overflow(page)
                    if overflow:
                        problems.append(f"{where}: {overflow}")
                    if device == "phone":
                        problems += [f"{where}: small target {target}" for target in small_targets(page)]
            watch.assert_clean()
    assert not problems, "\n".join(problems)
