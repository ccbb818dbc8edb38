"""The sign-up page in Chromium, in French and in Arabic (right to left): every field found by its label, an error
tied to its field, an architect's sign-up reaching the "verify your e-mail" page. Set `WEB_SCREENSHOT_DIR` to keep
screenshots."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from permits.models import ArchitectStatus, UserProfile
from tests.accounts.conftest import PASSWORD
from tests.web.browser import chromium, screenshot, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABELS = {
    "fr": {
        "architect": "Un architecte",
        "first_name": "Prénom",
        "last_name": "Nom",
        "phone": "Téléphone mobile",
        "cin": "Numéro de CIN",
        "order": "Numéro d'inscription à l'Ordre des architectes",
        "submit": "Créer mon compte",
        "title": "Créer un compte",
    },
    "ar": {
        "architect": "مهندس معماري",
        "first_name": "الاسم الشخصي",
        "last_name": "الاسم العائلي",
        "phone": "الهاتف المحمول",
        "cin": "رقم البطاقة الوطنية",
        "order": "رقم التسجيل في هيئة المهندسين المعماريين",
        "submit": "إنشاء حسابي",
        "title": "إنشاء حساب",
    },
}


@pytest.fixture
def browser(live_server: LiveServer, settings: Any) -> Iterator[Browser]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the outbox row is what is checked
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_architect_signs_up_in_the_browser(browser: Browser, live_server: LiveServer, language: str) -> None:
    labels = LABELS[language]
    page, watch = watched_page(browser, live_server.url, locale="ar-MA" if language == "ar" else "fr-FR")
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#signup-link").click()
    expect(page.locator("h1")).to_have_text(labels["title"])
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

    page.get_by_label(labels["architect"]).check()
    page.get_by_label(labels["first_name"]).fill("Karim")
    page.locator("#id_last_name").fill("Alaoui")
    assert labels["last_name"] in page.locator("label[for=id_last_name]").inner_text()
    page.locator("#id_email").fill(f"karim-{language}@example.ma")
    page.get_by_label(labels["phone"]).fill("+212 6 61 22 33 44")
    page.get_by_label(labels["cin"]).fill("BE 998877")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    screenshot(page, f"accounts-signup-{language}", full_page=True)
    page.get_by_role("button", name=labels["submit"]).click()

    # the order number is missing: the error is read with the field
    order = page.get_by_label(labels["order"])
    expect(order).to_have_attribute("aria-invalid", "true")
    assert "id_architect_order_number_error" in (order.get_attribute("aria-describedby") or "")
    expect(page.locator("#id_architect_order_number_error")).to_be_visible()
    screenshot(page, f"accounts-signup-error-{language}", full_page=True)

    order.fill("OA-1234")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=labels["submit"]).click()
    page.wait_for_url(f"{live_server.url}/accounts/confirm-email/")
    screenshot(page, f"accounts-verification-sent-{language}", full_page=True)
    watch.assert_clean()
    page.context.close()

    def stored() -> tuple[str, str]:  # read in a thread of its own: Playwright's event loop runs in this one
        profile = UserProfile.objects.get(user=User.objects.get(email=f"karim-{language}@example.ma"))
        return profile.architect_status, profile.preferred_language

    with ThreadPoolExecutor(max_workers=1) as executor:
        assert executor.submit(stored).result() == (ArchitectStatus.PENDING, language)


def test_the_sign_up_page_fits_a_phone(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="ar-MA")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "accounts-signup-ar-360", full_page=True)
    assert width <= 360
    context.close()
