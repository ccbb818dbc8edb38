"""Shared helpers of the browser tests: Debian's Chromium driven by Playwright, screenshots, map clicks.

The browser must start after the test data exist: Playwright's sync API runs an event loop in the test's thread,
and Django refuses database calls while one runs.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
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
