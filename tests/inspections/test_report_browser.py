"""The inspection report on a phone, in Chromium at 360 px wide: the inspector opens the inspection page on site,
the phone's position is filled in for the photo, a photo is taken (the camera input), every checklist item is
answered with thumb-sized choices, the verdict given and the report closed; nothing overflows the screen and the
map of the parcel shows the photo. Screenshots go to `WEB_SCREENSHOT_DIR` when it is set."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from permits.inspections.models import Inspection, InspectionStatus
from tests.inspections.conftest import CASABLANCA, confirmed_inspection, jpeg_with_gps, occupancy_file
from tests.web.browser import chromium, screenshot, watch_csp

PASSWORD = "a-long-test-passphrase"
PHONE = {"width": 360, "height": 740}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])]


@pytest.fixture
def on_site(catalogue: None, commune: Any, staff: dict[str, Any]) -> dict[str, Any]:
    dossier = occupancy_file(commune)
    inspection = confirmed_inspection(dossier, staff)
    inspector = staff["inspector"]
    inspector.set_password(PASSWORD)
    inspector.save()
    items = list(dossier.procedure.inspection_checklist.values_list("code", flat=True))
    return {"dossier": dossier, "inspection": inspection, "inspector": inspector, "items": items}


def closed_state(inspection_id: int) -> tuple[str, str, bool, bool]:
    """Read in a thread of its own: Django refuses database calls where Playwright's loop runs."""

    def read() -> tuple[str, str, bool, bool]:
        inspection = Inspection.objects.get(pk=inspection_id)
        photo = inspection.photos.get()
        return (
            inspection.status,
            inspection.verdict,
            photo.browser_position is not None,
            photo.exif_position is not None,
        )

    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(read).result()


@pytest.fixture
def browser(live_server: LiveServer, on_site: dict[str, Any]) -> Iterator[Browser]:
    """Chromium, started after the data (Django refuses database calls while Playwright's loop runs)."""
    with chromium() as browser:
        yield browser


def test_the_report_form_on_a_phone(
    browser: Browser, live_server: LiveServer, on_site: dict[str, Any], tmp_path: Path
) -> None:
    dossier, inspection = on_site["dossier"], on_site["inspection"]
    items = on_site["items"]
    context = browser.new_context(
        viewport=PHONE,  # type: ignore[arg-type]
        locale="fr-FR",
        geolocation={"latitude": CASABLANCA[0], "longitude": CASABLANCA[1], "accuracy": 9},
        permissions=["geolocation"],
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    watch_csp(page, errors)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(on_site["inspector"].username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/files/{dossier.pk}/inspection/")
    expect(page.locator("#report-form")).to_be_visible()
    camera = page.locator('#photo-form input[type="file"]')
    assert camera.get_attribute("accept") == "image/*" and camera.get_attribute("capture") == "environment"
    expect(page.locator('#photo-form input[name="latitude"]')).to_have_value(
        str(round(CASABLANCA[0], 7)), timeout=10000
    )
    photo = tmp_path / "facade.jpg"
    photo.write_bytes(jpeg_with_gps())
    camera.set_input_files(str(photo))
    page.locator('#photo-form input[name="caption"]').fill("Façade sur rue")
    page.locator("#photo-add").click()
    page.wait_for_load_state()
    expect(page.locator(".inspection-photos img")).to_have_count(1)
    page.wait_for_function("() => document.getElementById('map').dataset.ready === 'true'", timeout=20000)

    for code in items:  # a thumb's tap on each choice: the radio's label is at least 44 px high
        choice = page.locator(f"#item-{code} label.choice", has_text="Conforme").first
        box = choice.bounding_box()
        assert box is not None and box["height"] >= 44
        choice.tap()
    page.locator("#item-facades input[type='text']").fill("Garde-corps en aluminium")
    page.locator(".verdict-choice label", has_text="écarts mineurs").tap()
    page.locator("#id_deviations").fill("Garde-corps : matériau différent du plan.")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    screenshot(page, "inspection-report-360", full_page=True)
    page.screenshot(path=str(tmp_path / "inspection-report-360.png"), full_page=True)

    page.locator("#report-close").click()
    page.wait_for_load_state()
    expect(page.locator("#inspection-verdict")).to_contain_text("écarts mineurs")
    expect(page.locator("#inspection-propose")).to_have_count(0)  # inspected in this round: the report stands
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the closed report is {overflow}px wider than the phone"
    screenshot(page, "inspection-closed-360", full_page=True)
    assert not errors, errors
    context.close()

    assert closed_state(inspection.pk) == (InspectionStatus.CLOSED, "minor_deviations", True, True)
