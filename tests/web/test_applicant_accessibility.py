"""Every applicant page on a phone (360 by 740 CSS pixels), in French and in Arabic (right to left), in a real
browser (Debian's Chromium, headless): axe-core reports no serious or critical violation, the page does not scroll
sideways, its main actions are visible and every control is at least 24 by 24 pixels. The back-office pages are
checked on a desktop screen (1280 pixels) in French.

The pages are a list (`APPLICANT_PAGES`, `BACK_OFFICE_PAGES`): a new page is one line, its URL built from the data
of the `pages_data` fixture. Set `WEB_SCREENSHOT_DIR` to keep a full-page screenshot of each page and language.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from permits.models import RequiredDocument
from tests.factories import ParcelFactory, ZoneFactory, box
from tests.permits.factories import DossierFactory, ProcedureFactory, catalogue_uses, commune_tree, staff_for
from tests.web.accessibility import (
    actions_out_of_view,
    axe_source,
    axe_violations,
    blocking,
    horizontal_overflow,
    small_targets,
)
from tests.web.browser import chromium, screenshot, watch_csp
from web.views import EXTENT_CACHE_KEY, PUBLIC_MAP_CACHE_KEY

PASSWORD = "a-long-test-passphrase"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
MAP_READY = "(name) => document.documentElement.dataset.mapReady === 'true' && window[name].loaded()"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "geoportal"]),
    pytest.mark.usefixtures("documents_storage_dir"),
]


@dataclass(frozen=True)
class CheckedPage:
    """A page to check: its name, its URL from the test data, the CSS selectors of its main actions, the global
    variable of its MapLibre map (waited for before the checks), and whether it is seen signed out."""

    name: str
    url: Callable[[dict[str, Any]], str]
    actions: tuple[str, ...] = ()
    map_variable: str = ""
    signed_out: bool = False


def file_url(name: str, key: str = "draft") -> Callable[[dict[str, Any]], str]:
    return lambda data: reverse(name, args=[data[key].pk])


APPLICANT_PAGES = [
    CheckedPage("sign-in", lambda data: reverse("web:login"), ("#id_username", "button[type=submit]"), signed_out=True),
    CheckedPage("parcel-map", lambda data: reverse("web:parcel-map"), ("#parcel-search-input",), "parcelMap"),
    CheckedPage("public-map", lambda data: reverse("web:public-map"), ("#map-search-input",), "publicMap"),
    CheckedPage("files", lambda data: reverse("web:dossier-list"), ("a[href$='/files/new/']",)),
    CheckedPage("wizard-procedure", lambda data: reverse("web:wizard-procedure"), ("form button[type=submit]",)),
    CheckedPage("wizard-site", file_url("web:wizard-site"), ("#parcel-reference", "#site-save"), "wizardMap"),
    CheckedPage("wizard-project", file_url("web:wizard-project"), ("#project-form button[type=submit]",)),
    CheckedPage("wizard-documents", file_url("web:wizard-documents"), (".upload-form button",)),
    CheckedPage("wizard-review", file_url("web:wizard-review"), ("#submit-file",)),
    CheckedPage("file", file_url("web:dossier-detail", "awaiting"), (".reply-form button[type=submit]",)),
    CheckedPage("history", file_url("web:dossier-history", "awaiting"), (".history-table",)),
    CheckedPage("account", lambda data: reverse("web:account"), ("form button[type=submit]",)),
    CheckedPage("tokens", lambda data: reverse("web:account-tokens"), ("#create-token",)),
]

BACK_OFFICE_PAGES = [
    CheckedPage("office-queue", lambda data: reverse("web:office-queue")),
    CheckedPage("office-file", file_url("web:dossier-detail", "awaiting")),
    CheckedPage("office-file-under-instruction", file_url("web:dossier-detail", "under_instruction")),
    CheckedPage("commission-sessions", lambda data: reverse("commission:sessions")),
]


@pytest.fixture
def pages_data() -> dict[str, Any]:
    """An applicant with a draft at the last wizard step (parcel, footprint, parameters, a plan to upload) and a
    file awaiting their reply to a remark (documents, consultations with their deadlines); the commune's staff."""
    cache.delete(EXTENT_CACHE_KEY)
    cache.delete(PUBLIC_MAP_CACHE_KEY)
    commune = commune_tree("CAMBRIDGE")
    ZoneFactory(
        commune=commune,
        code="C-1",
        max_height_m=10.5,
        max_floors=3,
        max_coverage_ratio=0.6,
        allowed_uses=["residential"],
        geom=box(-71.13, 42.36, -71.11, 42.38),
    )
    parcel = ParcelFactory(commune=commune, reference="160-43", geom=box(-71.1200, 42.3700, -71.1190, 42.3707))
    procedure = ProcedureFactory.create(code="building-permit", name_fr="Permis de construire", name_ar="رخصة البناء")
    catalogue_uses()
    RequiredDocument.objects.get_or_create(
        procedure=procedure,
        code="architectural-plans",
        defaults={"label_fr": "Plans architecturaux", "label_ar": "التصاميم المعمارية", "accepted_formats": ["pdf"]},
    )
    applicant = User.objects.create_user("amina", first_name="Amina", last_name="Benali")
    common = {"procedure": procedure, "commune": commune, "applicant": applicant, "parcels": [parcel]}
    draft = DossierFactory.create(title="Maison Benali", **common)
    awaiting = DossierFactory.create(title="Extension Benali", awaiting_applicant=True, **common)
    under_instruction = DossierFactory.create(title="Garage Benali", under_instruction=True, **common)
    staff = staff_for(commune)
    for user in (applicant, *staff.values()):
        user.set_password(PASSWORD)
        user.save()
    return {
        "draft": draft,
        "awaiting": awaiting,
        "under_instruction": under_instruction,
        "applicant": applicant,
        "desk": staff["desk_agent"],
    }


@pytest.fixture
def browser(live_server: LiveServer, pages_data: dict[str, Any]) -> Iterator[Browser]:
    """Chromium, started after the data (Django refuses database calls while Playwright's loop runs)."""
    axe_source()  # skips before the browser starts when npm's axe-core is absent
    with chromium() as browser:
        yield browser


def new_context(browser: Browser, live_server: LiveServer, language: str, viewport: dict[str, int]) -> BrowserContext:
    context = browser.new_context(viewport=viewport, locale=language)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    return context


def sign_in(context: BrowserContext, live_server: LiveServer, username: str) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('web:login')}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.close()


def problems_of(page: Page, checked: CheckedPage, *, phone: bool) -> list[str]:
    problems = [str(violation) for violation in blocking(axe_violations(page))]
    if overflow := horizontal_overflow(page):
        problems.append(overflow)
    problems += actions_out_of_view(page, checked.actions)
    if phone:
        problems += [f"small tap target: {target}" for target in small_targets(page)]
    return problems


def visit_and_check(
    contexts: dict[bool, BrowserContext],
    live_server: LiveServer,
    data: dict[str, Any],
    pages: list[CheckedPage],
    *,
    label: str,
    phone: bool,
) -> dict[str, list[str]]:
    """Each page's problems (pages without any are left out), and the errors of the browser's console."""
    found: dict[str, list[str]] = {}
    for checked in pages:
        page = contexts[checked.signed_out].new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        watch_csp(page, errors)
        page.goto(f"{live_server.url}{checked.url(data)}")
        page.wait_for_load_state("load")
        if checked.map_variable:
            page.wait_for_function(MAP_READY, arg=checked.map_variable, timeout=30_000)
        screenshot(page, f"a11y-{label}-{checked.name}", full_page=True)
        problems = problems_of(page, checked, phone=phone) + [f"browser error: {error}" for error in errors]
        if problems:
            found[checked.name] = problems
        page.close()
    return found


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}:\n  " + "\n  ".join(problems) for name, problems in found.items())


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_applicant_page_on_a_phone(
    browser: Browser, live_server: LiveServer, pages_data: dict[str, Any], language: str
) -> None:
    signed_out = new_context(browser, live_server, language, PHONE)
    signed_in = new_context(browser, live_server, language, PHONE)
    sign_in(signed_in, live_server, "amina")
    check = signed_in.new_page()
    check.goto(f"{live_server.url}{reverse('web:dossier-list')}")
    assert check.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == [
        language,
        "rtl" if language == "ar" else "ltr",
    ]
    check.close()

    found = visit_and_check(
        {True: signed_out, False: signed_in},
        live_server,
        pages_data,
        APPLICANT_PAGES,
        label=f"{language}-360",
        phone=True,
    )

    assert not found, f"applicant pages at 360 px in {language}:\n{report(found)}"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_applicant_page_on_a_desktop(
    browser: Browser, live_server: LiveServer, pages_data: dict[str, Any], language: str
) -> None:
    signed_out = new_context(browser, live_server, language, DESKTOP)
    signed_in = new_context(browser, live_server, language, DESKTOP)
    sign_in(signed_in, live_server, "amina")

    found = visit_and_check(
        {True: signed_out, False: signed_in},
        live_server,
        pages_data,
        APPLICANT_PAGES,
        label=f"{language}-1280",
        phone=False,
    )

    assert not found, f"applicant pages at 1280 px in {language}:\n{report(found)}"


def test_back_office_pages_on_a_desktop(browser: Browser, live_server: LiveServer, pages_data: dict[str, Any]) -> None:
    desk = new_context(browser, live_server, "fr", DESKTOP)
    sign_in(desk, live_server, pages_data["desk"].username)

    found = visit_and_check({False: desk}, live_server, pages_data, BACK_OFFICE_PAGES, label="fr-office", phone=False)

    assert not found, f"back-office pages at 1280 px in French:\n{report(found)}"
