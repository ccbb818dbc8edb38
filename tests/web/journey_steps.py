"""The steps people take through the pages, shared by the browser journeys (Debian's Chromium through Playwright):
signing up and verifying the e-mail from the real mail, signing in, the wizard (procedure, site drawn on the map,
the procedure's own form or the building parameters, documents, the application form signed with the one-time code
read from the mail), and the back office (completeness, opinions, the slot, the commission's session with the
quorum, the decision, each signature in turn), then what the applicant checks of the output (the signed PDF
downloaded from the file page and validated by `pdfsig`, the project found on the public map).

Every database read or write made while Playwright's loop runs in the test's thread goes through `in_thread`
(Django refuses database calls from a thread with a running event loop).
"""

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from gis_core.signing.pki import DevelopmentPki
from parcels.models import Parcel
from tests.factories import ParcelFactory, ZoneFactory, box
from tests.notifications.conftest import SmtpServer, wait_for
from tests.signing.conftest import pdfsig
from tests.web.browser import click_map_at, screenshot, watch_csp

PASSWORD = "a-long-test-passphrase"
MAP_READY = "() => document.documentElement.dataset.mapReady === 'true' && window.wizardMap.loaded()"
LINK = re.compile(r"https?://[^\s\"'<>]+")
CODE = re.compile(r"\b(\d{6})\b")


def cambridge_site(commune: Any, *, allowed_uses: list[str]) -> Parcel:
    """The site the browser tests file on: zone C-1 of the commune and its parcels 160-43 (returned) and 160-44."""
    ZoneFactory(
        commune=commune,
        code="C-1",
        max_height_m=10.5,
        max_floors=3,
        max_coverage_ratio=0.6,
        max_floor_area_ratio=0.75,
        min_setback_road_m=3.0,
        min_setback_neighbour_m=2.5,
        allowed_uses=allowed_uses,
        geom=box(-71.13, 42.36, -71.11, 42.38),
    )
    ParcelFactory(commune=commune, reference="160-44", geom=box(-71.1190, 42.3700, -71.1180, 42.3707))
    parcel: Parcel = ParcelFactory.create(
        commune=commune, reference="160-43", geom=box(-71.1200, 42.3700, -71.1190, 42.3707)
    )
    return parcel


def in_thread[T](function: Callable[[], T]) -> T:
    """Run `function` in a thread of its own: the database is not called from Playwright's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


def new_page(browser: Browser, *, locale: str = "fr-FR", **options: Any) -> Page:
    """A page in a context of its own (one person), its errors and CSP violations kept in `page.context.errors`."""
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(locale=locale, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    watch_csp(page, errors)
    page.context.errors = errors  # type: ignore[attr-defined]
    return page


def sign_in(browser: Browser, live_server: LiveServer, username: str, locale: str = "fr-FR", **options: Any) -> Page:
    """A person signs in with their user name (or e-mail address) and the tests' password, in a context of their own."""
    page = new_page(browser, locale=locale, **options)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    return page


def assert_no_errors(*pages: Page) -> None:
    for page in pages:
        assert not page.context.errors, page.context.errors  # type: ignore[attr-defined]


# --- the applicant on their own ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    national_id: str


def mail_text(smtp: SmtpServer, address: str, marker: str) -> str:
    """The plain text of the newest mail to `address` that contains `marker` (waits for it: the delivery is sent when
    the request's transaction commits)."""

    def found() -> str | None:
        for mail in reversed(smtp.messages):
            if address in mail.recipients:
                part = mail.message.get_body(preferencelist=("plain",)) or mail.message
                text = str(part.get_content())
                if marker in text:
                    return text
        return None

    text: str = wait_for(found, timeout=10, what=f"a mail to {address} with {marker!r}")
    return text


def sign_up(browser: Browser, live_server: LiveServer, smtp: SmtpServer, person: Person) -> Page:
    """The applicant signs up, opens the verification link of the mail they received, confirms, then signs in: the
    page is their list of files."""
    page = new_page(browser)
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Prénom").fill(person.first_name)
    page.locator("#id_last_name").fill(person.last_name)
    page.locator("#id_email").fill(person.email)
    page.get_by_label("Téléphone mobile").fill(person.phone)
    page.get_by_label("Numéro de CIN").fill(person.national_id)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(f"{live_server.url}/accounts/confirm-email/")
    [link] = [
        link for link in LINK.findall(mail_text(smtp, person.email, "/accounts/confirm-email/")) if "confirm" in link
    ]
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    page.locator("#id_username").fill(person.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("h1")).to_have_text("Mes dossiers")
    return page


# --- the wizard -------------------------------------------------------------------------------------------------


def wizard_start(page: Page, *, procedure: str, commune: str, title: str) -> None:
    """Step 1: the procedure, the commune and the project's name."""
    page.get_by_role("link", name="Nouveau dossier").first.click()
    page.get_by_label("Procédure").select_option(label=procedure)
    page.get_by_label("Commune").select_option(label=commune)
    page.get_by_label("Nom du projet").fill(title)
    page.get_by_role("button", name="Continuer").click()


def wizard_site(page: Page, *, parcel: str, corners: list[tuple[float, float]]) -> None:
    """Step 2: the parcel found by its reference, then the footprint drawn by clicking its corners on the map."""
    page.wait_for_function(MAP_READY, timeout=30_000)
    page.get_by_label("Référence de la parcelle").fill(parcel)
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.locator("#parcel-chips .parcel-reference")).to_have_text([parcel])
    page.wait_for_function("() => !window.wizardMap.isMoving()")
    page.get_by_role("button", name="Dessiner l\u2019emprise").click()
    for lon, lat in corners:
        click_map_at(page, lon, lat, map_variable="wizardMap")
    expect(page.locator("#footprint-state")).to_contain_text(str(len(corners)))
    page.get_by_role("button", name="Terminer le contour").click()
    page.get_by_role("button", name="Enregistrer et continuer").click()


def wizard_documents(page: Page, files: dict[str, Path]) -> None:
    """Step 4: each document uploaded on its row (document code -> file)."""
    for code, path in files.items():
        row = page.locator(f'tr[data-document-type="{code}"]')
        row.locator('input[type="file"]').set_input_files(path)
        row.locator("button").click()
        expect(page.locator(f'tr[data-document-type="{code}"]')).to_contain_text(path.name)
    page.get_by_role("link", name="Passer à la vérification").click()


def wizard_sign_and_submit(page: Page, smtp: SmtpServer, email: str, *, name: str) -> str:
    """Step 5: the application form read, signed with the code received by e-mail, then the file filed. Returns the
    file page's URL."""
    expect(page.locator("#submit-file")).to_be_disabled()
    form = page.request.get(  # a PDF/A written on demand: slow on a busy machine
        page.url.split("/files/")[0] + (page.locator("#application-preview").get_attribute("href") or ""),
        timeout=60_000,
    )
    assert form.ok and form.body().startswith(b"%PDF")
    page.locator("#id_consent").check()
    page.locator('input[name="channel"][value="email"]').check()
    page.locator("#application-code-form button").click()
    expect(page.locator("#application-sign-form")).to_be_visible()
    [code] = CODE.findall(mail_text(smtp, email, "code"))[:1]
    page.locator("#id_code").fill(code)
    page.locator("#application-sign-form button").click()
    expect(page.locator("#application-signed")).to_be_visible()
    screenshot(page, f"{name}-review", full_page=True)
    page.get_by_label("Je certifie l\u2019exactitude des informations fournies.").check()
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.locator("#dossier-status")).to_have_text("Déposé, en attente du contrôle de complétude")
    return page.url.split("#")[0]


# --- the back office --------------------------------------------------------------------------------------------


def completeness_accept(desk: Page, file_url: str) -> None:
    desk.goto(file_url)
    desk.get_by_label("Complet : le transmettre pour instruction").check()
    desk.get_by_role("button", name="Enregistrer le contrôle").click()
    expect(desk.locator("#dossier-status")).to_have_attribute("class", "badge status-under_instruction")


def opinion_give(member: Page, live_server: LiveServer, reference: str) -> None:
    """A consulted agency's member finds the file in their queue and gives a favourable opinion."""
    member.goto(f"{live_server.url}/office/opinions/")
    member.locator(".consultations-table a", has_text=reference).first.click()
    member.get_by_label("Favorable", exact=True).check()
    member.get_by_role("button", name="Rendre l\u2019avis").click()
    expect(member.locator("#deadlines")).to_contain_text("Favorable")


def slot_book(applicant: Page, file_url: str) -> None:
    """The applicant books the first free slot before the commission from their file page."""
    applicant.goto(file_url)
    applicant.locator("#commission-booking-link").click()
    applicant.locator("#free-slots button[data-slot]").first.click()
    expect(applicant.locator("#booking-current")).to_contain_text("Votre dossier est examiné le")


def commission_send(desk: Page, file_url: str) -> None:
    desk.goto(file_url)
    desk.get_by_role("button", name="Transmettre à la commission").click()
    expect(desk.locator("#dossier-status")).to_have_text("En commission")


def session_decide(president: Page, file_url: str, dossier_id: int) -> None:
    """The president opens the file's session from the file page, records everyone present (the quorum), the
    commission's joint opinion, then the decision."""
    president.goto(file_url)
    president.locator("#legal-path a").click()
    for present in president.locator("#attendance input[type=checkbox]").all():
        present.check()
    president.locator("#attendance button[type=submit]").click()
    expect(president.locator("#quorum")).to_have_class("quorum-reached")
    entry = president.locator(f"#file-{dossier_id}")
    entry.locator('.examination-form input[value="favourable"]').check()
    entry.locator(".examination-form button").click()
    expect(president.locator(f"#file-{dossier_id} .joint-opinion")).to_contain_text("Favorable")
    entry.locator('.decision-form input[value="favourable"]').check()
    entry.locator(".decision-form button").click()
    expect(president.locator(f"#file-{dossier_id} .badge")).to_have_class("badge status-decided")


def signatures_give(live_server: LiveServer, signers: list[Page], applicant: Page, file_url: str) -> None:
    """Each signer signs, in turn, what waits for them on their signatures page, until the file is published (the
    last signature signs and publishes it)."""
    for _round in range(len(signers) + 1):
        for signer in signers:
            signer.goto(f"{live_server.url}/office/signatures/")
            while signer.locator("#pending button[type=submit]").count():
                signer.locator("#pending button[type=submit]").first.click()
                expect(signer.locator(".message-success")).to_contain_text("Signé")
        applicant.goto(file_url)
        if applicant.locator("#decision-documents .published-document").count():
            return
    raise AssertionError("the file was not published once every signer had signed")


# --- the output, as the applicant sees it -----------------------------------------------------------------------


def decision_downloaded(applicant: Page, kind: str, pki: DevelopmentPki, directory: Path) -> str:
    """The signed decision (`kind`) downloaded from the file page; returns pdfsig's report, every signature valid and
    trusted."""
    link = applicant.locator(f'#decision-documents .published-document[data-kind="{kind}"] a[download]')
    with applicant.expect_download() as download:
        link.click()
    path = directory / f"{kind}.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    report = pdfsig(path, pki)
    assert "Signature is Valid" in report and "Signature is Invalid" not in report, report
    assert "Certificate is Trusted" in report and "not Trusted" not in report, report
    return report


def public_map_shows(browser: Browser, live_server: LiveServer, reference: str) -> Page:
    """Anyone finds the authorised project on the public map by its file reference: its pop-up opens."""
    page = new_page(browser)
    page.goto(f"{live_server.url}/map/")
    page.get_by_label("Un dossier").check()
    page.get_by_label("Référence du dossier ou de la parcelle").fill(reference)
    page.keyboard.press("Enter")
    expect(page.locator(".maplibregl-popup .popup-reference")).to_have_text(reference, timeout=20_000)
    return page
