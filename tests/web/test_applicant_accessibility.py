"""Every applicant page on a phone (360 by 740 CSS pixels), in French and in Arabic (right to left), in a real
browser (Debian's Chromium, headless): axe-core reports no serious or critical violation, the page does not scroll
sideways, its main actions are visible and every control is at least 24 by 24 pixels. The back-office pages are
checked on a desktop screen (1280 pixels) in French.

The pages are a list (`APPLICANT_PAGES`, `BACK_OFFICE_PAGES`): a new page is one line, its URL built from the data
of the `pages_data` fixture. Set `WEB_SCREENSHOT_DIR` to keep a full-page screenshot of each page and language.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from gis_core.api_tokens.services import api_token_create
from parcels.models import OverlayKind
from permits.inspections.catalogue import inspection_catalogue_load
from permits.inspections.services import inspection_propose
from permits.models import RequiredDocument
from tests.factories import AgencyFactory, OverlayFactory, ParcelFactory, ZoneFactory, box
from tests.legal_path import LegalPath
from tests.permits.factories import (
    DossierFactory,
    ProcedureFactory,
    catalogue_uses,
    commune_tree,
    member_for,
    staff_for,
)
from tests.web.accessibility import (
    BLOCKING_IMPACTS,
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
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PHONE = {"width": 360, "height": 740}
PHONE_MAX_WIDTH = 600  # narrower viewports are phones: every control must be big enough to tap
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
    variable of its MapLibre map (waited for before the checks), who looks at it (the key of a user in the test
    data, "" when signed out) and what they do first (`then`: e.g. send a form wrongly filled in, to check the
    page with its error messages)."""

    name: str
    url: Callable[[dict[str, Any]], str]
    actions: tuple[str, ...] = ()
    map_variable: str = ""
    user: str = "applicant"
    then: Callable[[Page], None] | None = None


def send_unchecked(form: str) -> Callable[[Page], None]:
    """Send the form as it is, past the browser's own checks: the server answers with its error messages."""

    def send(page: Page) -> None:
        page.locator(form).evaluate("(form) => { form.noValidate = true; }")
        with page.expect_navigation():
            page.locator(f"{form} button[type=submit]").first.click()
        assert page.locator(f"{form} .errorlist").count(), f"{form}: no error message shown"

    return send


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in_wrongly(page: Page) -> None:
    page.locator("#id_username").fill("amina")
    page.locator("#id_password").fill("not-the-password")
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    assert page.locator(".message-error").count(), "no error message after a wrong password"


def plans_ready(page: Page) -> None:
    """The plan viewer has drawn the file's plan (or said it has none)."""
    page.wait_for_function(
        "() => ['ready', 'empty'].includes(document.querySelector('#plan-workspace, #compare-stages').dataset.state)",
        timeout=30_000,
    )


def file_url(name: str, key: str = "draft") -> Callable[[dict[str, Any]], str]:
    return lambda data: reverse(name, args=[data[key].pk])


APPLICANT_PAGES = [
    CheckedPage("sign-in", lambda data: reverse("web:login"), ("#id_username", "button[type=submit]"), user=""),
    CheckedPage("sign-up", lambda data: reverse("web:signup"), ("#signup-form button[type=submit]",), user=""),
    CheckedPage(
        "sign-up-errors",
        lambda data: reverse("web:signup"),
        ("#signup-form button[type=submit]",),
        user="",
        then=send_unchecked("#signup-form"),
    ),
    CheckedPage("mandates", lambda data: reverse("web:account-mandates"), ("#mandate-invite-form button",)),
    CheckedPage("sign-in-refused", lambda data: reverse("web:login"), ("#id_username",), user="", then=sign_in_wrongly),
    CheckedPage("parcel-map", lambda data: reverse("web:parcel-map"), ("#parcel-search-input",), "parcelMap"),
    CheckedPage(
        "parcel-map-parcel",
        lambda data: f"{reverse('web:parcel-map')}?reference=160-43",
        ("#parcel-search-input",),
        "parcelMap",
        then=lambda page: page.locator('#parcel-details .overlay[data-overlay-reference="HD-1"]').wait_for(),
    ),
    CheckedPage("public-map", lambda data: reverse("web:public-map"), ("#map-search-input",), "publicMap"),
    CheckedPage("files", lambda data: reverse("web:dossier-list"), ("a[href$='/files/new/']",)),
    CheckedPage("wizard-procedure", lambda data: reverse("web:wizard-procedure"), ("form button[type=submit]",)),
    CheckedPage(
        "wizard-procedure-errors",
        lambda data: reverse("web:wizard-procedure"),
        ("form button[type=submit]",),
        then=send_unchecked("main form"),
    ),
    CheckedPage("wizard-site", file_url("web:wizard-site"), ("#parcel-reference", "#site-save"), "wizardMap"),
    CheckedPage("wizard-project", file_url("web:wizard-project"), ("#project-form button[type=submit]",)),
    CheckedPage("wizard-documents", file_url("web:wizard-documents"), (".upload-form button",)),
    CheckedPage("wizard-review", file_url("web:wizard-review"), ("#application-code-form button", "#submit-file")),
    CheckedPage(  # asking for the signing code without the consent ticked: the form's error
        "wizard-review-errors",
        file_url("web:wizard-review"),
        ("#application-code-form button",),
        then=send_unchecked("#application-code-form"),
    ),
    CheckedPage("file", file_url("web:dossier-detail", "awaiting"), (".reply-form button[type=submit]",)),
    CheckedPage("file-to-book", file_url("web:dossier-detail", "under_instruction"), ("#commission-booking-link",)),
    CheckedPage("booking", file_url("commission:booking", "under_instruction"), ("#free-slots button",)),
    CheckedPage("history", file_url("web:dossier-history", "awaiting"), (".history-table",)),
    CheckedPage("plans", file_url("web:plans", "awaiting"), ("#zoom-in", ".reply-form button"), then=plans_ready),
    CheckedPage("account", lambda data: reverse("web:account"), ("form button[type=submit]",)),
    CheckedPage("tokens", lambda data: reverse("web:account-tokens"), ("#create-token", "#tokens-table button")),
    CheckedPage("account-phone", lambda data: reverse("web:account-phone"), ("main form button[type=submit]",)),
    CheckedPage("account-export", lambda data: reverse("web:account-export"), ("main a, main button",)),
    CheckedPage("account-delete", lambda data: reverse("web:account-delete"), ("main form button[type=submit]",)),
    CheckedPage(  # the applicant's part of the inspection: the appointment to confirm, or another date to ask
        "inspection", file_url("web:inspection", "inspected"), ("#inspection-confirm", ".inspection-other-date summary")
    ),
    # allauth's own pages (templates in web/templates/allauth/)
    CheckedPage("email", lambda data: "/accounts/email/", ("main form button[type=submit]",)),
    CheckedPage("password-change", lambda data: "/accounts/password/change/", ("main form button[type=submit]",)),
    CheckedPage("totp-activate", lambda data: "/accounts/2fa/totp/activate/", ("main form button[type=submit]",)),
    CheckedPage("sessions", lambda data: "/accounts/sessions/", ("main form button[type=submit]",)),
    CheckedPage("two-factor", lambda data: "/accounts/2fa/", ("main a",), user="secured"),
    CheckedPage("recovery-codes", lambda data: "/accounts/2fa/recovery-codes/", ("main a",), user="secured"),
]

BACK_OFFICE_PAGES = [
    CheckedPage("desk-queue", lambda data: reverse("web:office-queue"), user="desk"),
    CheckedPage("desk-file-awaiting", file_url("web:dossier-detail", "awaiting"), user="desk"),
    CheckedPage("desk-file-under-instruction", file_url("web:dossier-detail", "under_instruction"), user="desk"),
    CheckedPage("office-statistics", lambda data: reverse("office-statistics:page"), user="desk"),
    CheckedPage("member-consultations", lambda data: reverse("web:office-opinions"), user="member"),
    CheckedPage("member-file", file_url("web:dossier-detail", "under_instruction"), user="member"),
    CheckedPage(
        "desk-plans",
        file_url("web:office-plans", "under_instruction"),
        ("[data-tool='distance']",),
        user="desk",
        then=plans_ready,
    ),
    CheckedPage(
        "desk-plans-compare",
        file_url("web:office-plans-compare", "under_instruction"),
        ("[data-mode='overlay']",),
        user="desk",
        then=plans_ready,
    ),
    CheckedPage("commission-sessions", lambda data: reverse("commission:sessions"), user="president"),
    CheckedPage(
        "commission-session", lambda data: reverse("commission:session", args=[data["session"].pk]), user="president"
    ),
    CheckedPage("signatures", lambda data: reverse("commission:signatures"), user="signer"),
]


@pytest.fixture
def pages_data(legal_path: LegalPath) -> dict[str, Any]:
    """An applicant with a draft at the last wizard step (parcel, footprint, parameters, a plan to upload), a file
    awaiting their reply to a remark (documents, consultations with their deadlines), a file under instruction
    with free slots before the commission's sessions, an API token; the commune's staff and consulted member."""
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
    OverlayFactory(
        commune=commune,
        reference="HD-1",
        kind=OverlayKind.HERITAGE,
        name="Harvard Square Historic District",
        agency=AgencyFactory(code="CHC", name_fr="Commission historique de Cambridge", name_ar="اللجنة التاريخية"),
        geom=box(-71.1201, 42.3699, -71.1195, 42.3710),
    )
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
    session = legal_path.commission_for(under_instruction).sessions.order_by("starts_at").first()
    api_token_create(user=applicant, name="QGIS on the laptop")
    occupancy = ProcedureFactory.create(code="occupancy-permit", name_fr="Permis d'habiter", name_ar="رخصة السكن")
    inspection_catalogue_load(
        procedure=occupancy,
        data={"inspection": "required", "inspection_checklist": [{"code": "facades", "label_fr": "Façades"}]},
    )
    inspected = DossierFactory.create(
        title="Habitation Benali", under_instruction=True, **{**common, "procedure": occupancy}
    )
    staff = staff_for(commune)
    inspection_propose(
        actor=staff["desk_agent"],
        address=None,
        dossier=inspected,
        starts_at=timezone.localtime() + timedelta(days=3),
    )
    secured = User.objects.create_user("salma", first_name="Salma", last_name="Bennani")
    TOTP.activate(secured, TOTP_SECRET)  # an applicant who chose a second factor, with its recovery codes
    RecoveryCodes.activate(secured)
    member = member_for(procedure.permanent_members.get().agency)
    for user in (applicant, secured, member, *staff.values()):
        user.set_password(PASSWORD)
        user.save()
    return {
        "draft": draft,
        "awaiting": awaiting,
        "under_instruction": under_instruction,
        "inspected": inspected,
        "applicant": applicant,
        "secured": secured,
        "desk": staff["desk_agent"],
        "president": staff["commission_president"],
        "signer": staff["signing_authority"],
        "member": member,
        "session": session,
    }


@pytest.fixture
def browser(live_server: LiveServer, pages_data: dict[str, Any]) -> Iterator[Browser]:
    """Chromium, started after the data (Django refuses database calls while Playwright's loop runs)."""
    axe_source()  # skips before the browser starts when npm's axe-core is absent
    with chromium() as browser:
        yield browser


def new_context(browser: Browser, live_server: LiveServer, language: str, viewport: dict[str, int]) -> BrowserContext:
    context = browser.new_context(viewport=viewport, locale=language)  # type: ignore[arg-type]
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    return context


def sign_in(context: BrowserContext, live_server: LiveServer, username: str) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('web:login')}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/2fa/authenticate/" in page.url:  # an account with a second factor: its current code
        page.locator("#id_code").fill(totp_code(TOTP_SECRET))
        page.locator("#id_code").press("Enter")
        page.wait_for_url(lambda url: "/2fa/authenticate/" not in url)
    page.close()


def problems_of(page: Page, checked: CheckedPage, *, language: str, phone: bool) -> list[str]:
    problems = []
    lang, direction = page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]")
    if (lang, direction) != (language, "rtl" if language == "ar" else "ltr"):
        problems.append(f"<html lang={lang!r} dir={direction!r}> in {language}")
    violations = axe_violations(page)
    problems += [str(violation) for violation in blocking(violations)]
    for violation in violations:  # moderate and minor ones do not fail the test; `pytest -s` lists them
        if violation.impact not in BLOCKING_IMPACTS:
            print(f"{checked.name} ({language}): {violation}")
    if overflow := horizontal_overflow(page):
        problems.append(overflow)
    problems += actions_out_of_view(page, checked.actions)
    if phone:
        problems += [f"small tap target: {target}" for target in small_targets(page)]
    return problems


def visit_and_check(
    browser: Browser,
    live_server: LiveServer,
    data: dict[str, Any],
    pages: list[CheckedPage],
    *,
    language: str,
    viewport: dict[str, int],
) -> dict[str, list[str]]:
    """Each page's problems (pages without any are left out), with the errors of the browser's console. Each
    user has a browser context of their own, signed in once."""
    phone = viewport["width"] < PHONE_MAX_WIDTH
    label = f"{language}-{viewport['width']}"
    contexts: dict[str, BrowserContext] = {}
    found: dict[str, list[str]] = {}
    for checked in pages:
        if checked.user not in contexts:
            contexts[checked.user] = new_context(browser, live_server, language, viewport)
            if checked.user:
                sign_in(contexts[checked.user], live_server, data[checked.user].username)
        page = contexts[checked.user].new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))  # type: ignore[call-overload]
        watch_csp(page, errors)
        response = page.goto(f"{live_server.url}{checked.url(data)}")
        page.wait_for_load_state("load")
        if response is None or not response.ok or (checked.user and "/accounts/login/" in page.url):
            found[checked.name] = [f"not shown: {response.status if response else 'no answer'} at {page.url}"]
            page.close()
            continue
        if checked.then:
            checked.then(page)
        if checked.map_variable:
            page.wait_for_function(MAP_READY, arg=checked.map_variable, timeout=30_000)
        screenshot(page, f"a11y-{label}-{checked.name}", full_page=True)
        problems = problems_of(page, checked, language=language, phone=phone)
        problems += [f"browser error: {error}" for error in errors]
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
    found = visit_and_check(browser, live_server, pages_data, APPLICANT_PAGES, language=language, viewport=PHONE)

    assert not found, f"applicant pages at 360 px in {language}:\n{report(found)}"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_applicant_page_on_a_desktop(
    browser: Browser, live_server: LiveServer, pages_data: dict[str, Any], language: str
) -> None:
    found = visit_and_check(browser, live_server, pages_data, APPLICANT_PAGES, language=language, viewport=DESKTOP)

    assert not found, f"applicant pages at 1280 px in {language}:\n{report(found)}"


def test_back_office_pages_on_a_desktop(browser: Browser, live_server: LiveServer, pages_data: dict[str, Any]) -> None:
    found = visit_and_check(browser, live_server, pages_data, BACK_OFFICE_PAGES, language="fr", viewport=DESKTOP)

    assert not found, f"back-office pages at 1280 px in French:\n{report(found)}"
