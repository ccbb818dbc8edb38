"""The file's legal clock where people read it, with a frozen clock: the applicant's file page (fr, ar, en; the
figures computed by the server and refreshed from `/files/<id>/clock/`), the back office's files by days left
(overdue first, highlighted, sortable) and the API's `clock`. The browser test screenshots the page's clock
(`WEB_SCREENSHOT_DIR`) in French and in Arabic."""

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.live_server_helper import LiveServer
from rest_framework.test import APIClient

from gis_core.api_tokens.services import api_token_create
from permits.models import Dossier, Role, RoleMembership
from tests.permits.factories import DossierFactory, ProcedureFactory, UserFactory, commune_tree, staff_for, submit
from tests.permits.test_clock import accept, at, clock_catalogue, send_remarks
from tests.web.browser import chromium, screenshot, watch_csp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_storage_dir")]
TODAY = date(2027, 2, 25)  # Thursday


def client_for(user: User, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def files() -> dict[str, Any]:
    """Three files of one commune: one past its completeness limit, one under instruction, one paused."""
    commune = commune_tree("CASA-ANFA")
    procedure = clock_catalogue(ProcedureFactory.create(code="building-permit", name_fr="Permis de construire"))
    applicant = UserFactory.create(username="amina", first_name="Amina")
    overdue = DossierFactory.create(procedure=procedure, commune=commune, applicant=applicant, title="Overdue")
    running = DossierFactory.create(procedure=procedure, commune=commune, applicant=applicant, title="Running")
    paused = DossierFactory.create(procedure=procedure, commune=commune, applicant=applicant, title="Paused")
    with at(date(2027, 2, 1)):
        submit(running)
        accept(running)
        submit(paused)
        accept(paused)
    with at(date(2027, 2, 3)):
        send_remarks(paused)
    with at(date(2027, 2, 18)):
        submit(overdue)  # completeness due Tuesday 23 February
    for dossier in (overdue, running, paused):
        dossier.refresh_from_db()
    return {"commune": commune, "applicant": applicant, "overdue": overdue, "running": running, "paused": paused}


@pytest.fixture
def today() -> Iterator[None]:
    with time_machine.travel(datetime(2027, 2, 25, 10, tzinfo=ZoneInfo("Africa/Casablanca")), tick=True):
        yield


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.usefixtures("today")
@pytest.mark.parametrize(
    ("language", "step", "left", "expiry"),
    [
        ("fr", "Instruction du dossier", "Jours ouvrables restants", "réputé autorisé"),
        ("ar", "دراسة الملف", "أيام العمل المتبقية", "ترخيص ضمني"),
        ("en", "Instruction of the file", "Business days left", "deemed authorised"),
    ],
)
def test_the_applicant_reads_the_clock(files: dict[str, Any], language: str, step: str, left: str, expiry: str) -> None:
    running: Dossier = files["running"]
    page = client_for(files["applicant"], language).get(f"/files/{running.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="file-clock"' in html and "web/clock_refresh.js" in html
    figures = text_of(html[html.index('id="file-clock"') : html.index('id="deadlines"')])
    assert step in figures and left in figures and expiry in figures
    # instruction from 1 February: 20 business days, due 1 March, 2 left on 25 February; the decision: 1 April
    assert re.search(r"\b2\b", figures) and "2027" in figures
    assert 'data-counted-from="filing"' in html


@pytest.mark.usefixtures("today")
def test_the_clock_fragment_is_computed_by_the_server(files: dict[str, Any]) -> None:
    client = client_for(files["applicant"], "en")
    fragment = client.get(f"/files/{files['running'].pk}/clock/")
    assert fragment.status_code == 200
    text = text_of(fragment.content.decode())
    assert "Business days left 2 " in text and "March 1, 2027" in text and "April 1, 2027" in text
    assert "Computed on Feb. 25, 2027" in text
    paused = text_of(client.get(f"/files/{files['paused'].pk}/clock/").content.decode())
    assert "The clock is paused while the file waits for the applicant" in paused
    assert "18 business days were left when it paused" in paused
    overdue = text_of(client.get(f"/files/{files['overdue'].pk}/clock/").content.decode())
    assert "overdue by 2 business days" in overdue
    stranger = client_for(UserFactory.create(username="stranger"))
    assert stranger.get(f"/files/{files['running'].pk}/clock/").status_code == 404


@pytest.mark.usefixtures("today")
def test_the_back_office_lists_files_by_days_left(files: dict[str, Any]) -> None:
    desk = staff_for(files["commune"])["desk_agent"]
    client = client_for(desk, "en")
    html = client.get("/office/").content.decode()
    table = html[html.index('id="clock-queue"') :]
    order = re.findall(r'<tr data-reference="([^"]+)"( class="row-overdue")?', table)
    references = [files[name].reference for name in ("overdue", "running", "paused")]
    assert [reference for reference, _ in order] == references  # overdue first, paused last
    assert [bool(highlight) for _, highlight in order] == [True, False, False]
    assert "overdue by 2 business days" in text_of(table)
    reverse = client.get("/office/?order=-days_left").content.decode()
    reverse_order = re.findall(r'<tr data-reference="([^"]+)"', reverse[reverse.index('id="clock-queue"') :])
    assert reverse_order == [references[1], references[0], references[2]]
    by_filing = client.get("/office/?order=filed").content.decode()
    filing_order = re.findall(r'<tr data-reference="([^"]+)"', by_filing[by_filing.index('id="clock-queue"') :])
    assert filing_order == [references[1], references[2], references[0]]
    assert client.get("/office/?order=nonsense").status_code == 200  # an unknown order is the default one


@pytest.mark.usefixtures("today")
def test_the_api_returns_the_clock(files: dict[str, Any]) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=files['applicant']).key}")
    body = api.get(f"/api/dossiers/{files['running'].pk}/").json()
    clock = body["clock"]
    assert clock["step"] == "instruction" and clock["paused"] is False
    assert clock["current"]["deadline"] == "2027-03-01" and clock["current"]["business_days_left"] == 2
    assert clock["current"]["at_expiry"] == "escalate"
    assert clock["from_filing"]["deadline"] == "2027-04-01"
    assert clock["from_filing"]["at_expiry"] == "tacit_approval"
    paused = api.get(f"/api/dossiers/{files['paused'].pk}/").json()["clock"]
    assert paused["paused"] is True and paused["paused_business_days_left"] == 18 and paused["current"] is None
    draft = DossierFactory.create(applicant=files["applicant"], commune=files["commune"])
    assert api.get(f"/api/dossiers/{draft.pk}/").json()["clock"] is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
def test_the_clock_in_the_browser(files: dict[str, Any], live_server: LiveServer) -> None:
    administrator = UserFactory.create(username="head")
    RoleMembership.objects.create(user=administrator, role=Role.ADMINISTRATOR, territory=files["commune"])
    with time_machine.travel(datetime(2027, 2, 25, 10, tzinfo=ZoneInfo("Africa/Casablanca")), tick=True):
        session = client_for(files["applicant"]).cookies["sessionid"].value
        url = f"{live_server.url}/files/{files['running'].pk}/"
        with chromium() as browser:
            for language, locale in (("fr", "fr-FR"), ("ar", "ar-MA")):
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
                host = live_server.url.split("://")[1].split(":")[0]
                context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
                context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))  # type: ignore[call-overload]
                watch_csp(page, errors)
                page.goto(url)
                clock = page.locator("#file-clock")
                clock.scroll_into_view_if_needed()
                assert clock.locator(".days-left").first.inner_text().strip() == "2"
                # the refresh asks the server again (when the tab comes back): the figures stay the server's
                with page.expect_response(lambda response: response.url.endswith("/clock/")):
                    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
                assert clock.locator(".days-left").first.inner_text().strip() == "2"
                screenshot(page, f"file-clock-{language}", full_page=True)
                clip = clock.bounding_box()
                assert clip is not None and clip["width"] > 200
                assert not errors, errors
                context.close()


def my_files_rows(html: str) -> dict[str, str]:
    """The text of each row of "my files", by file title."""
    rows = re.findall(r'<tr data-dossier="\d+">(.*?)</tr>', html, flags=re.S)
    return {re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)[1].strip(): text_of(row) for row in rows}


@pytest.mark.usefixtures("today")
def test_my_files_show_the_business_days_left_and_the_date(files: dict[str, Any]) -> None:
    client = client_for(files["applicant"], "en")
    DossierFactory.create(applicant=files["applicant"], commune=files["commune"], title="Draft")
    client.get("/files/")  # the session and the language read once

    with CaptureQueriesContext(connection) as few:
        rows = my_files_rows(client.get("/files/").content.decode())
    # instruction from 1 February: 2 business days left on 25 February, until 1 March
    assert "2" in rows["Running"].split() and "March 1, 2027" in rows["Running"]
    assert "overdue by 2 business days" in rows["Overdue"] and "Feb. 23, 2027" in rows["Overdue"]
    assert "paused" in rows["Paused"]
    assert rows["Draft"].endswith("— — ")  # a draft has no clock running

    more = [DossierFactory.create(applicant=files["applicant"], commune=files["commune"]) for _ in range(3)]
    with at(date(2027, 2, 22)):
        for dossier in more:
            submit(dossier)
    DossierFactory.create(applicant=files["applicant"], commune=files["commune"])  # another draft
    with CaptureQueriesContext(connection) as many:
        assert len(my_files_rows(client.get("/files/").content.decode())) == 8
    assert len(many.captured_queries) == len(few.captured_queries)  # as many queries for 8 files as for 4
