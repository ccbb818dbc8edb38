"""Each procedure end to end in a real browser (Debian's Chromium, headless), as the people involved do it: a new
applicant signs up, verifies their e-mail from the mail received, files through the wizard and signs the application
form with the code received by e-mail; the desk finds the file complete, each consulted agency gives its opinion
(occasional agencies too), the applicant books a slot, the desk sends the file to the commission, whose president
records the attendance with the quorum, the joint opinion and the decision; each signer signs in turn (PAdES, the
session's development PKI) until the file is published; the applicant downloads the signed decision, which pdfsig
validates, and anyone finds the project on the public map.

The building permit, the classified establishment of class 2 (consulting the environment and civil protection,
occasional agencies) and the occupancy permit (with its site inspection: proposed by the desk, confirmed by the
applicant, reported on site with the checklist and a photo, closed and signed by the inspector, then the decision).
The real catalogue, the real SMTP server, Celery tasks in-process. Set `WEB_SCREENSHOT_DIR` to keep screenshots.
"""

# ruff: noqa: F811 - the SMTP fixtures are imported into this module and requested by name

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from ogc_services import config as ogc_config
from parcels.models import Agency, Parcel
from permits.models import Dossier, Procedure, Role, RoleMembership
from permits.services import procedures_load
from tests.documents.files import image_bytes, pdf_bytes
from tests.factories import box
from tests.legal_path import LegalPath, commission_ready
from tests.notifications.conftest import SmtpServer, smtp, smtp_server  # noqa: F401 - fixtures
from tests.permits.factories import (
    DossierFactory,
    UserFactory,
    application_seal_ready,
    commune_tree,
    member_for,
    staff_for,
)
from tests.web.browser import chromium, screenshot
from tests.web.journey_steps import (
    MAP_READY,
    PASSWORD,
    Person,
    assert_no_errors,
    cambridge_site,
    commission_send,
    completeness_accept,
    decision_downloaded,
    in_thread,
    opinion_give,
    public_map_shows,
    session_decide,
    sign_in,
    sign_up,
    signatures_give,
    slot_book,
    wizard_documents,
    wizard_sign_and_submit,
    wizard_site,
    wizard_start,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])]

COMMUNE = "Commune CAMBRIDGE (CAMBRIDGE)"
SQUARE = [(-71.11985, 42.37015), (-71.11965, 42.37015), (-71.11965, 42.37035), (-71.11985, 42.37035)]
#: The agencies the three procedures consult (permanent members, and the occasional ones of a class 2 establishment).
CONSULTED = ("AUC", "COMMUNE", "AUTORITE-LOCALE", "SANTE", "ENVIRONNEMENT", "PROTECTION-CIVILE")
NEXT_SQUARE = [(lon + 0.001, lat) for lon, lat in SQUARE]


@dataclass
class Town:
    """The commune of the journeys with its parcels, the shipped catalogue, its staff, a member of each consulted
    agency, an inspector, the commissions of the three procedures, a certificate for everyone who signs, and the
    files people upload."""

    commune: Any
    staff: dict[str, User]
    members: dict[str, User]
    inspector: User
    files: dict[str, Path]


@pytest.fixture
def town(legal_path: LegalPath, smtp: SmtpServer, tmp_path: Path, settings: Any) -> Town:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # a second per sign-in otherwise
    cache.clear()  # allauth's per-address counters of the e-mails sent
    ogc_config.reset()
    procedures_load()
    commune = commune_tree("CAMBRIDGE")
    cambridge_site(commune, allowed_uses=["residential", "industrial"])
    application_seal_ready()
    staff = staff_for(commune)
    inspector = UserFactory.create(username="inspector-cambridge", first_name="Nadia", last_name="Tazi")
    RoleMembership.objects.get_or_create(user=inspector, role=Role.INSPECTOR, territory=commune, agency=None)
    members = {code: member_for(Agency.objects.get(code=code)) for code in CONSULTED}
    for code in ("building-permit", "classified-establishment", "occupancy-permit"):
        commission_ready(Procedure.objects.get(code=code), commune)
    for person in (*staff.values(), *members.values(), inspector):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
        legal_path.pki.user(person.get_username(), display_name=person.get_full_name() or person.get_username())
    files = {"pdf": tmp_path / "document.pdf", "png": tmp_path / "photo.png"}
    files["pdf"].write_bytes(pdf_bytes())
    files["png"].write_bytes(image_bytes("PNG"))
    return Town(commune, staff, members, inspector, files)


@pytest.fixture
def browser(live_server: LiveServer, town: Town) -> Iterator[Browser]:
    """Chromium, started after the data (Django refuses database calls while Playwright's loop runs)."""
    with chromium() as browser:
        yield browser


def dossier_id(file_url: str) -> int:
    return int(file_url.rstrip("/").rsplit("/", 1)[-1])


@dataclass
class BackOffice:
    """The pages of the staff (by role) and of the consulted agencies' members (by agency code), each signed in."""

    staff: dict[str, Page]
    members: dict[str, Page]

    @property
    def desk(self) -> Page:
        return self.staff["desk_agent"]

    def pages(self) -> list[Page]:
        return [*self.staff.values(), *self.members.values()]


def instructed(
    browser: Browser, live_server: LiveServer, town: Town, file_url: str, agencies: list[str]
) -> tuple[BackOffice, str]:
    """The desk finds the file complete, then each consulted agency's member gives its opinion. Returns the back
    office's pages and the file's reference."""
    staff = {role: sign_in(browser, live_server, user.username) for role, user in town.staff.items()}
    completeness_accept(staff["desk_agent"], file_url)
    reference = staff["desk_agent"].locator(".dossier-reference").inner_text()
    members = {code: sign_in(browser, live_server, town.members[code].username) for code in agencies}
    for member in members.values():
        opinion_give(member, live_server, reference)
    return BackOffice(staff, members), reference


def published(
    browser: Browser,
    live_server: LiveServer,
    office: BackOffice,
    applicant: Page,
    file_url: str,
    reference: str,
    legal_path: LegalPath,
    directory: Path,
) -> Page:
    """The applicant books a slot, the desk sends the file to the commission, its president decides in session, each
    signer signs in turn; the applicant downloads the signed decision (pdfsig: valid, trusted) and anyone finds the
    project on the public map. Returns the public map's page."""
    slot_book(applicant, file_url)
    commission_send(office.desk, file_url)
    session_decide(office.staff["commission_president"], file_url, dossier_id(file_url))
    signatures_give(live_server, office.pages(), applicant, file_url)
    expect(applicant.locator("#dossier-status")).to_have_text("Publié")
    decision_downloaded(applicant, "decision", legal_path.pki, directory)
    return public_map_shows(browser, live_server, reference)


def test_building_permit_from_sign_up_to_the_public_map(
    browser: Browser,
    live_server: LiveServer,
    town: Town,
    smtp: SmtpServer,
    legal_path: LegalPath,
    tmp_path: Path,
) -> None:
    person = Person("Amina", "Benali", "amina@example.ma", "+212 6 61 00 11 22", "BE 112233")
    applicant = sign_up(browser, live_server, smtp, person)
    wizard_start(applicant, procedure="Permis de construire", commune=COMMUNE, title="Maison Benali")
    wizard_site(applicant, parcel="160-43", corners=SQUARE)
    applicant.get_by_label("Hauteur (m)").fill("9")
    applicant.get_by_label("Niveaux hors sol").fill("2")
    applicant.get_by_label("Surface de plancher (m²)").fill("300")
    expect(applicant.locator("#precheck")).to_have_attribute("data-state", "passed")
    applicant.get_by_role("button", name="Enregistrer et continuer").click()
    pdf = town.files["pdf"]
    wizard_documents(
        applicant,
        {
            code: pdf
            for code in ("land-title-certificate", "cadastral-plan", "architectural-plans", "topographic-survey")
        },
    )
    file_url = wizard_sign_and_submit(applicant, smtp, person.email, name="journey-building")

    office, reference = instructed(browser, live_server, town, file_url, ["AUC", "COMMUNE", "AUTORITE-LOCALE"])
    public = published(browser, live_server, office, applicant, file_url, reference, legal_path, tmp_path)
    screenshot(applicant, "journey-building-published", full_page=True)
    screenshot(public, "journey-building-map")
    assert_no_errors(applicant, public, *office.pages())


def test_classified_establishment_with_its_occasional_agencies(
    browser: Browser,
    live_server: LiveServer,
    town: Town,
    smtp: SmtpServer,
    legal_path: LegalPath,
    tmp_path: Path,
) -> None:
    person = Person("Youssef", "Alami", "youssef@example.ma", "+212 6 62 00 33 44", "BJ 445566")
    applicant = sign_up(browser, live_server, smtp, person)
    wizard_start(applicant, procedure="Établissement classé", commune=COMMUNE, title="Atelier Alami")
    wizard_site(applicant, parcel="160-44", corners=NEXT_SQUARE)
    # The procedure's own form: class 2 brings the environment and civil protection in.
    applicant.get_by_label("Classe de l'établissement").select_option(label="2e classe")
    applicant.get_by_label("Activité").select_option(label="Travail des métaux")
    applicant.get_by_label("Dangers et nuisances").fill("Bruit des machines, fumées de soudure.")
    applicant.get_by_label("Effectif").fill("12")
    applicant.locator("#answers-form button[type=submit]").click()
    pdf = town.files["pdf"]
    wizard_documents(applicant, {"process-description": pdf, "site-plan": pdf})
    file_url = wizard_sign_and_submit(applicant, smtp, person.email, name="journey-classified")

    agencies = ["COMMUNE", "AUTORITE-LOCALE", "SANTE", "ENVIRONNEMENT", "PROTECTION-CIVILE"]
    office, reference = instructed(browser, live_server, town, file_url, agencies)
    for agency in ("Département de l'Environnement", "Direction Générale de la Protection Civile"):
        expect(office.desk.locator("#deadlines")).to_contain_text(agency)  # consulted because of class 2
    public = published(browser, live_server, office, applicant, file_url, reference, legal_path, tmp_path)
    screenshot(applicant, "journey-classified-published", full_page=True)
    assert_no_errors(applicant, public, *office.pages())


def visit_time() -> str:
    """The visit the desk proposes: 10:00 on the first weekday at least two days ahead (datetime-local input)."""
    day = timezone.localtime() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.strftime("%Y-%m-%dT10:00")


def authorised_permit(email: str, commune: Any) -> Dossier:
    """The applicant's building permit, authorised and published earlier (test data)."""
    dossier: Dossier = DossierFactory.create(
        procedure=Procedure.objects.get(code="building-permit"),
        commune=commune,
        applicant=User.objects.get(email=email),
        title="Maison Tazi",
        parcels=[Parcel.objects.get(reference="160-43")],
        footprint=box(-71.11985, 42.37015, -71.11965, 42.37035),
        published=True,
    )
    return dossier


def test_occupancy_permit_with_its_site_inspection(
    browser: Browser,
    live_server: LiveServer,
    town: Town,
    smtp: SmtpServer,
    legal_path: LegalPath,
    tmp_path: Path,
) -> None:
    person = Person("Salma", "Tazi", "salma@example.ma", "+212 6 63 00 55 66", "BK 778899")
    applicant = sign_up(browser, live_server, smtp, person)
    permit = in_thread(lambda: authorised_permit(person.email, town.commune))

    # From the authorised permit's page, the applicant applies for the occupancy permit once the works are done.
    applicant.goto(f"{live_server.url}/files/{permit.pk}/")
    applicant.locator("#apply-occupancy-permit").click()
    applicant.wait_for_function(MAP_READY, timeout=30_000)  # the site, filled in from the permit, checked
    expect(applicant.locator("#parcel-chips .parcel-reference")).to_have_count(1)
    applicant.get_by_role("button", name="Enregistrer et continuer").click()
    applicant.get_by_label("Date d'achèvement des travaux").fill(timezone.localdate().isoformat())
    applicant.locator("#answers-form button[type=submit]").click()
    wizard_documents(applicant, {"completion-certificate": town.files["pdf"], "as-built-photos": town.files["png"]})
    file_url = wizard_sign_and_submit(applicant, smtp, person.email, name="journey-occupancy")

    office, reference = instructed(browser, live_server, town, file_url, ["COMMUNE", "AUTORITE-LOCALE"])
    desk = office.desk

    # The site inspection: the desk proposes a date to the inspector and the applicant, who confirms it.
    desk.locator("#inspection-page-link").click()
    desk.get_by_label("Date et heure de la visite").fill(visit_time())
    desk.get_by_label("Inspecteur").select_option(label="Nadia Tazi")
    desk.locator("#inspection-propose").click()
    expect(desk.locator("#inspection-status")).to_have_class("badge inspection-proposed")
    applicant.goto(file_url)
    applicant.locator("#inspection-confirm").click()
    expect(applicant.locator("#inspection .badge")).to_have_class("badge inspection-confirmed")

    # On site, on a phone: a photo where the phone stands, every item of the checklist, the verdict; closed and signed.
    inspector = sign_in(
        browser,
        live_server,
        town.inspector.username,
        viewport={"width": 360, "height": 740},
        geolocation={"latitude": 42.37025, "longitude": -71.11975, "accuracy": 8},
        permissions=["geolocation"],
        has_touch=True,
        is_mobile=True,
    )
    inspector.goto(f"{file_url}inspection/")
    expect(inspector.locator('#photo-form input[name="latitude"]')).not_to_have_value("")
    inspector.locator('#photo-form input[type="file"]').set_input_files(town.files["png"])
    inspector.locator('#photo-form input[name="caption"]').fill("Façade sur rue")
    inspector.locator("#photo-add").click()
    expect(inspector.locator(".inspection-photos img")).to_have_count(1)
    items = inspector.locator("#report-form fieldset.checklist-item")
    for index in range(items.count()):
        items.nth(index).locator('input[value="conform"]').check()
    inspector.locator('.verdict-choice input[value="conform"]').check()
    screenshot(inspector, "journey-occupancy-report-360", full_page=True)
    inspector.locator("#report-close").click()
    expect(inspector.locator("#inspection-verdict")).to_contain_text("Conforme")

    public = published(browser, live_server, office, applicant, file_url, reference, legal_path, tmp_path)
    expect(applicant.locator("#inspection")).to_contain_text("Conforme")
    expect(applicant.locator("#commission-booking")).to_have_count(0)  # examined: nothing left to move or cancel
    reference_shown = applicant.locator("dd.dossier-reference").bounding_box()  # beside the long permit label
    assert reference_shown is not None and reference_shown["width"] > 120, reference_shown
    screenshot(applicant, "journey-occupancy-published", full_page=True)
    assert_no_errors(applicant, inspector, public, *office.pages())
