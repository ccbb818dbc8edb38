"""Every page people use, rendered by headless Chromium under the Content-Security-Policy, raises no violation
(`securitypolicyviolation` events and console errors, `tests.web.browser.watched_page`). The map pages, the wizard
and the back office's journey are watched in their own browser tests (tests/web); here: sign-in, the account and
its API tokens, the applicant's file and slot booking, the commission's sessions and a session's workspace, the
documents to sign, the public verification page, the API documentation (Redoc) and the admin. A page that breaks
the policy is caught (the last test injects an inline script). Set `WEB_SCREENSHOT_DIR` to keep screenshots."""

# ruff: noqa: F811 - the commission fixtures are imported into this module and requested by name

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from gis_core.signing.models import VerificationToken
from permits.commissions import services
from permits.models import Dossier
from tests.commissions.conftest import (  # noqa: F401 - fixtures
    World,
    celery_in_process,
    commission_settings,
    pki,
    world,
)
from tests.commissions.helpers import booked_file, hold_session
from tests.permits.factories import ADDRESS, DossierFactory
from tests.web.browser import PageWatch, chromium, screenshot, watched_page

PASSWORD = "a-long-test-passphrase"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])]


@pytest.fixture
def pages(world: World) -> dict[str, Any]:
    """A decided file (its minutes and decision wait for signatures, its stamped plan has a verification page) and
    a file under instruction whose applicant books a slot; everyone's password set."""
    session = world.sessions()[0]
    decided = booked_file(world, session, 0)
    examination = hold_session(world, session, decided)
    services.examination_decide(
        actor=world.staff["commission_president"], address=ADDRESS, examination=examination, decision="favourable"
    )
    booking: Dossier = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    admin = User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    people = [world.staff["commission_president"], world.staff["signing_authority"], booking.applicant, admin]
    for user in people:
        user.set_password(PASSWORD)
        user.save()
    verification = VerificationToken.objects.filter(reference=decided.reference).first()
    assert verification is not None
    return {"session": session, "booking": booking, "verification": verification.token, "admin": admin}


@pytest.fixture
def browser(live_server: LiveServer, pages: dict[str, Any]) -> Iterator[Browser]:
    """Chromium, started after the data (Django refuses database calls while Playwright's loop runs)."""
    with chromium() as browser:
        yield browser


def signed_in(browser: Browser, live_server: LiveServer, username: str) -> tuple[Page, PageWatch]:
    page, watch = watched_page(browser, live_server.url)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    expect(page.locator("form.logout-form")).to_be_visible()
    return page, watch


def visit(page: Page, url: str, name: str, *, full_page: bool = True) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, (url, response and response.status)
    assert response.headers.get("content-security-policy"), url
    page.wait_for_load_state("networkidle")
    screenshot(page, f"csp-{name}", full_page=full_page)


def test_the_applicants_pages_and_the_token_page(
    browser: Browser, live_server: LiveServer, pages: dict[str, Any]
) -> None:
    booking = pages["booking"]
    page, watch = signed_in(browser, live_server, booking.applicant.username)
    visit(page, f"{live_server.url}/files/", "files")
    visit(page, f"{live_server.url}/files/{booking.pk}/", "file")
    visit(page, f"{live_server.url}/files/{booking.pk}/booking/", "booking")
    expect(page.locator("#free-slots button[data-slot]").first).to_be_visible()
    visit(page, f"{live_server.url}/files/{booking.pk}/history/", "history")
    visit(page, f"{live_server.url}/files/new/", "wizard-start")
    visit(page, f"{live_server.url}/accounts/", "account")
    page.locator("#account-tokens-link").click()
    page.get_by_label("À quoi sert le jeton").fill("QGIS")
    page.locator("#create-token").click()
    expect(page.locator("#new-token-key")).to_have_value(re.compile(r"^urbp_[A-Za-z0-9_-]{40,}$"))
    screenshot(page, "csp-tokens", full_page=True)
    expect(page.locator("#tokens-table tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Révoquer", exact=True).click()
    expect(page.locator(".message-success")).to_be_visible()
    watch.assert_clean()


def test_the_commissions_pages(browser: Browser, live_server: LiveServer, pages: dict[str, Any], world: Any) -> None:
    president, watch = signed_in(browser, live_server, world.staff["commission_president"].username)
    visit(president, f"{live_server.url}/office/commission/", "sessions")
    visit(president, f"{live_server.url}/office/commission/sessions/{pages['session'].pk}/", "session")
    signer, signer_watch = signed_in(browser, live_server, world.staff["signing_authority"].username)
    visit(signer, f"{live_server.url}/office/signatures/", "signatures")
    expect(signer.locator("form[action*='/sign/'] button").first).to_be_visible()
    watch.assert_clean()
    signer_watch.assert_clean()


def test_the_public_verification_page_the_api_docs_and_the_admin(
    browser: Browser, live_server: LiveServer, pages: dict[str, Any]
) -> None:
    page, watch = watched_page(browser, live_server.url)
    visit(page, f"{live_server.url}/verify/{pages['verification']}/", "verify")
    expect(page.locator("h1")).to_be_visible()
    docs, docs_watch = watched_page(browser, live_server.url)
    visit(docs, f"{live_server.url}/api/docs/", "api-docs", full_page=False)
    expect(docs.get_by_text("Urbaplan API").first).to_be_visible(timeout=30_000)
    expect(docs.get_by_role("menuitem", name="auth")).to_be_visible()
    # Redoc's footer logo comes from Redocly's CDN: blocked on purpose (no visitor's address leaves the site)
    logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert all(logo in error for error in docs_watch.errors), docs_watch.errors
    admin, admin_watch = watched_page(browser, live_server.url)
    admin.goto(f"{live_server.url}/admin/login/")
    admin.locator("#id_username").fill("admin")
    admin.locator("#id_password").fill(PASSWORD)
    admin.locator("#id_password").press("Enter")
    expect(admin.locator("#user-tools")).to_be_visible()
    visit(admin, f"{live_server.url}/admin/", "admin")
    visit(admin, f"{live_server.url}/admin/api_tokens/apitoken/", "admin-tokens")
    visit(admin, f"{live_server.url}/admin/auth/user/{pages['admin'].pk}/change/", "admin-user")
    watch.assert_clean()
    admin_watch.assert_clean()


def test_a_page_breaking_the_policy_is_caught(browser: Browser, live_server: LiveServer) -> None:
    page, watch = watched_page(browser, live_server.url)
    visit(page, f"{live_server.url}/accounts/login/", "login")
    assert not watch.errors
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
        document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
    }""")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.injected") is None  # blocked
    violations = [error for error in watch.errors if error.startswith("CSP violation")]
    assert any("script-src" in violation for violation in violations), watch.errors
    assert any("style-src" in violation for violation in violations), watch.errors
