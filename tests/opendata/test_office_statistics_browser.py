"""The office statistics in Chromium: reached from the back office's navigation, in French on a desktop and in
Arabic (right to left) on a 360-pixel phone, with no sideways scroll of the page, no serious or critical axe-core
violation, no control too small to tap on the phone, no console error or CSP violation, and the figures of the
hand-built set; screenshots in `WEB_SCREENSHOT_DIR`."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from gis_core.models import Territory
from permits.models import Role
from tests.opendata.office_data import hand_built_write, running_write, staff
from tests.web.accessibility import axe_source, axe_violations, blocking, horizontal_overflow, small_targets
from tests.web.browser import chromium, screenshot, watch_csp

VIEWS = (("fr", "fr-FR", {"width": 1280, "height": 900}), ("ar", "ar-MA", {"width": 360, "height": 740}))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
def test_the_statistics_in_the_browser(places: dict[str, Territory], live_server: LiveServer) -> None:
    with time_machine.travel(datetime(2026, 3, 31, 10, tzinfo=ZoneInfo("Africa/Casablanca")), tick=True):
        hand_built_write(places)
        running_write(places)
        client = Client()
        client.force_login(staff("director", places["province"], role=Role.ADMINISTRATOR))
        session = client.cookies["sessionid"].value
        host = live_server.url.split("://")[1].split(":")[0]
        axe_source()  # skips before the browser starts when npm's axe-core is absent
        with chromium() as browser:
            for language, locale, viewport in VIEWS:
                context = browser.new_context(viewport=viewport, locale=locale)  # type: ignore[arg-type]
                context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
                context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))  # type: ignore[call-overload]
                page.on(
                    "console",
                    lambda message, errors=errors: errors.append(message.text) if message.type == "error" else None,  # type: ignore[call-overload]
                )
                watch_csp(page, errors)
                page.goto(f"{live_server.url}/office/")
                page.locator(".site-nav a[href='/office/statistics/']").click()
                page.wait_for_url("**/office/statistics/")
                assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
                total = page.locator("#table-desks tbody tr").last
                assert total.locator("td").nth(2).inner_text() == "5"  # decided in the province over the 30 days
                limits = page.locator("#table-limits tbody tr")
                assert limits.count() == 4  # three over their limit (one in Maarif), one close
                assert page.locator("#table-bottlenecks tbody tr").first.locator("td").nth(2).inner_text()
                assert not horizontal_overflow(page), horizontal_overflow(page)
                assert not blocking(axe_violations(page)), blocking(axe_violations(page))
                if language == "ar":
                    assert not small_targets(page), small_targets(page)
                screenshot(page, f"office-statistics-{language}", full_page=True)
                assert not errors, errors
                context.close()
