"""The applicant books a slot before the commission in a real browser (Debian's Chromium, headless): from the
file page to the free slots, one click books the first one, and the page shows the booking."""

# ruff: noqa: F811 - the commission fixtures are imported into this module and requested by name

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from permits.commissions.models import Booking, BookingStatus
from permits.models import Dossier
from tests.commissions.conftest import World, celery_in_process, world  # noqa: F401 - fixtures
from tests.permits.factories import DossierFactory
from tests.web.browser import chromium
from tests.web.journey_steps import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])]


@pytest.fixture
def applicant_file(world: World) -> Dossier:
    dossier: Dossier = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    dossier.applicant.set_password(PASSWORD)
    dossier.applicant.save()
    return dossier


@pytest.fixture
def browser(live_server: LiveServer, applicant_file: Dossier) -> Iterator[Browser]:
    """Chromium, started after the data (Django refuses database calls while Playwright's loop runs)."""
    with chromium() as browser:
        yield browser


def test_the_applicant_books_a_slot_through_the_page(
    browser: Browser, live_server: LiveServer, applicant_file: Dossier
) -> None:
    page = sign_in(browser, live_server, applicant_file.applicant.username)
    page.goto(f"{live_server.url}/files/{applicant_file.pk}/")
    expect(page.locator("#commission-booking h2")).to_have_text("Réserver un créneau devant la commission")
    page.locator("#commission-booking-link").click()
    expect(page.locator("#free-slots h2")).to_have_text("Créneaux libres")
    first = page.locator("#free-slots button[data-slot]").first
    slot_id = int(first.get_attribute("data-slot") or "0")
    first.click()
    expect(page.locator(".message-success")).to_contain_text("Votre créneau est réservé")
    expect(page.locator("#booking-current")).to_contain_text("Votre dossier est examiné le")
    expect(page.locator("#free-slots h2")).to_have_text("Déplacer vers un autre créneau")
    with ThreadPoolExecutor(1) as pool:  # no database call from Playwright's event loop
        booked = pool.submit(
            lambda: Booking.objects.get(dossier=applicant_file, status=BookingStatus.ACTIVE).first_slot_id
        ).result()
    assert booked == slot_id
    assert not page.context.errors  # type: ignore[attr-defined]
