"""Shared helpers of the browser tests: Debian's Chromium driven by Playwright, a page watched for console errors,
Content-Security-Policy violations and requests to other hosts, screenshots, map clicks.

The browser must start after the test data exist: Playwright's sync API runs an event loop in the test's thread,
and Django refuses database calls while one runs.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's chromium; never `playwright install` (no download here)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium; the test is skipped when the browser is not installed (apt chromium)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent (apt chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageWatch:
    """What a person must never meet on a page: errors in the console (a Content-Security-Policy violation is one,
    also reported by the page's `securitypolicyviolation` events), requests that leave the site (a CDN)."""

    site_url: str
    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def request_seen(self, url: str) -> None:
        if not url.startswith((self.site_url, "data:", "blob:")):
            self.foreign_requests.append(url)

    def assert_clean(self) -> None:
        assert not self.errors, f"errors in the browser console: {self.errors}"
        assert not self.foreign_requests, f"requests left the site (CDN?): {self.foreign_requests}"


CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (event) => window.reportCspViolation(
  `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} in ${event.documentURI}`));"""


def watch_csp(page: Page, errors: list[str]) -> None:
    """Each Content-Security-Policy violation of the page's documents (from now on) is appended to `errors`."""
    page.expose_function("reportCspViolation", lambda violation: errors.append(f"CSP violation: {violation}"))
    page.add_init_script(CSP_LISTENER)


def watched_page(browser: Browser, site_url: str, *, locale: str = "fr-FR") -> tuple[Page, PageWatch]:
    """A page in a new 1280 by 800 context whose console errors, Content-Security-Policy violations and requests to
    other hosts than `site_url` are kept."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
    page = context.new_page()
    watch = PageWatch(site_url)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("console", lambda message: watch.errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: watch.request_seen(request.url))
    watch_csp(page, watch.errors)
    return page, watch


def screenshot(page: Page, name: str, *, full_page: bool = False) -> None:
    """Saved only when WEB_SCREENSHOT_DIR is set (for a person to look at the pages)."""
    directory = os.environ.get("WEB_SCREENSHOT_DIR")
    if directory:
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=full_page)


def click_map_at(page: Page, lon: float, lat: float, *, map_variable: str) -> None:
    """A real mouse click on the map canvas where the MapLibre map `window.<map_variable>` draws lon/lat."""
    x, y = page.evaluate(
        f"([lon, lat]) => {{ const p = window.{map_variable}.project([lon, lat]); return [p.x, p.y]; }}", [lon, lat]
    )
    canvas = page.locator("#map canvas").bounding_box()
    assert canvas is not None
    page.mouse.click(canvas["x"] + x, canvas["y"] + y)
