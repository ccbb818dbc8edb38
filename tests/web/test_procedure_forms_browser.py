"""The project step of an economic procedure in a real browser (Debian's Chromium, headless), in Arabic on a phone:
the advertising display's own fields, a wrong answer refused on its field in Arabic, then the answers saved and
shown on the review step. Set `WEB_SCREENSHOT_DIR` to keep screenshots."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from permits import services
from permits.models import Dossier, Procedure
from permits.services import procedures_load
from tests.permits.factories import ADDRESS, UserFactory, commune_tree
from tests.web.browser import chromium, screenshot, watched_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "geoportal"]),
    pytest.mark.usefixtures("documents_storage_dir"),
]


FORM_OUTSIDE_VIEWPORT = """[...document.querySelectorAll('#answers-form *')]
  .filter(element => { const box = element.getBoundingClientRect(); return box.left < 0 || box.right > innerWidth; })
  .map(element => element.tagName + (element.name ? '[name=' + element.name + ']' : ''))"""


@pytest.fixture
def draft(db: Any) -> Dossier:
    procedures_load()
    applicant = UserFactory.create(username="yasmine")
    return services.dossier_create(
        actor=applicant,
        address=ADDRESS,
        procedure=Procedure.objects.get(code="advertising-display"),
        commune=commune_tree("CASA-ANFA"),
        title="Panneau Anfa",
    )


@pytest.fixture
def session_key(draft: Dossier) -> str:
    """A signed-in session of the applicant (as `Client.force_login` makes it), made before the browser starts."""
    client = Client()
    client.force_login(draft.applicant)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


@pytest.fixture
def browser(live_server: LiveServer, session_key: str) -> Iterator[Browser]:
    """Chromium, started after the data (Django refuses database calls while Playwright's loop runs)."""
    with chromium() as browser:
        yield browser


def test_the_advertising_form_in_arabic_on_a_phone(
    browser: Browser, live_server: LiveServer, draft: Dossier, session_key: str
) -> None:
    page, watch = watched_page(browser, live_server.url, locale="ar-MA")
    page.set_viewport_size({"width": 360, "height": 780})
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}])
    page.goto(f"{live_server.url}/files/{draft.pk}/edit/project/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_label("عرض اللوحة (m)").fill("4")
    page.get_by_label("علو اللوحة (m)").fill("3")
    page.get_by_label("نعم").check()
    page.get_by_label("الموقع").select_option(label="على جانب الطريق")
    page.get_by_label("مدة الإشهار (بالأشهر)").fill("72")  # more than 60 months
    page.locator("#answers-form button[type=submit]").click()
    expect(page.locator(".field-error")).to_have_text(["أدخل على الأكثر 60."])
    screenshot(page, "procedure-form-ar-360-error", full_page=True)
    outside = page.evaluate(FORM_OUTSIDE_VIEWPORT)
    assert outside == [], outside  # the form fits a phone's width (the shared header is the a11y work's)
    page.get_by_label("مدة الإشهار (بالأشهر)").fill("12")
    page.locator("#answers-form button[type=submit]").click()
    page.wait_for_url(f"**/files/{draft.pk}/edit/documents/")
    page.goto(f"{live_server.url}/files/{draft.pk}/edit/review/")
    expect(page.locator("dd.answer[data-key=placement]")).to_have_text("على جانب الطريق")
    screenshot(page, "procedure-form-ar-360-review", full_page=True)
    watch.assert_clean()
