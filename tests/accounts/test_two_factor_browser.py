"""A desk agent without TOTP, in Chromium: signed in, sent to set up an authenticator app (QR code, secret), the
code typed, then asked for a code before the back office opens; no Content-Security-Policy violation on the way.
Set `WEB_SCREENSHOT_DIR` to keep screenshots."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from permits.models import Role
from tests.accounts.conftest import PASSWORD
from tests.permits.factories import RoleMembershipFactory, UserFactory
from tests.web.browser import chromium, screenshot, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(live_server: LiveServer, settings: Any) -> Iterator[Browser]:
    settings.MFA_REQUIRED_FOR_BACK_OFFICE = True
    settings.MFA_TOTP_TOLERANCE = 1
    desk = UserFactory.create(username="guichet")
    desk.set_password(PASSWORD)
    desk.save()
    RoleMembershipFactory.create(user=desk, role=Role.DESK_AGENT)
    with chromium() as browser:
        yield browser


def code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_desk_agent_is_led_to_set_totp_up(browser: Browser, live_server: LiveServer, language: str) -> None:
    page, watch = watched_page(browser, live_server.url, locale="ar-MA" if language == "ar" else "fr-FR")
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("guichet")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/accounts/reauthenticate/**")  # on the way to the set-up: the password once more
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    expect(page.locator("img[src^='data:image/svg']")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    screenshot(page, f"accounts-totp-setup-{language}", full_page=True)
    page.locator("#id_code").fill(code(secret))
    page.locator("#id_code").press("Enter")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/office/")
    page.wait_for_url("**/accounts/2fa/reauthenticate/**")
    page.locator("#id_code").fill(code(secret, 1))
    page.locator("#id_code").press("Enter")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/office/")
    expect(page.locator("h1")).to_be_visible()
    assert page.url == f"{live_server.url}/office/"
    screenshot(page, f"accounts-office-after-totp-{language}")
    watch.assert_clean()
    page.context.close()
