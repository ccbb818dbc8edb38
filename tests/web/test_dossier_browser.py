"""The main journeys of the applicant space and the back office in a real browser (Debian's Chromium, headless).

The applicant signs in, creates a file through the wizard (locates the parcel by reference, draws the footprint
by clicking its corners on the map, types the parameters and reads the live pre-check, uploads the plans, reads
the application form the platform wrote and signs it with a one-time code received by e-mail, submits); the desk
finds it complete; the consulted member gives an opinion; the desk issues a remark and sends it; the applicant
replies (a new round opens); the member gives the round-2 opinion, the desk closes the remark and sends the file
to the commission, where the president finds no decision button: the file page says it is decided by its
commission in session. Set `WEB_SCREENSHOT_DIR` to keep screenshots.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from permits.models import RequiredDocument
from tests.documents.files import pdf_bytes
from tests.legal_path import LegalPath
from tests.permits.factories import (
    ProcedureFactory,
    application_seal_ready,
    catalogue_uses,
    commune_tree,
    member_for,
    staff_for,
)
from tests.web.browser import chromium, screenshot
from tests.web.journey_steps import (
    PASSWORD,
    cambridge_site,
    completeness_accept,
    sign_in,
    wizard_site,
    wizard_start,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "geoportal"]),
    pytest.mark.usefixtures("documents_storage_dir"),
]


@pytest.fixture
def journey(tmp_path: Path, legal_path: LegalPath) -> dict[str, Any]:
    commune = commune_tree("CAMBRIDGE")
    parcel = cambridge_site(commune, allowed_uses=["residential"])
    procedure = ProcedureFactory.create(code="building-permit", name_fr="Permis de construire")
    catalogue_uses()
    RequiredDocument.objects.create(
        procedure=procedure, code="architectural-plans", label_fr="Plans architecturaux", accepted_formats=["pdf"]
    )
    staff = staff_for(commune)
    member = member_for(procedure.permanent_members.get().agency)
    applicant = User.objects.create_user("amina", email="amina@example.ma", first_name="Amina", last_name="Benali")
    application_seal_ready()  # the platform's seal of the applications, in the development PKI
    for user in (applicant, member, *staff.values()):
        user.set_password(PASSWORD)
        user.save()
    plan = tmp_path / "plans.pdf"
    plan.write_bytes(pdf_bytes())
    return {"parcel": parcel, "staff": staff, "member": member, "applicant": applicant, "plan": plan}


@pytest.fixture
def browser(live_server: LiveServer, journey: dict[str, Any]) -> Iterator[Browser]:
    """Chromium, started after the data (Django refuses database calls while Playwright's loop runs)."""
    with chromium() as browser:
        yield browser


def test_a_file_from_the_wizard_to_the_decision(
    browser: Browser, live_server: LiveServer, journey: dict[str, Any]
) -> None:
    staff = journey["staff"]
    applicant = sign_in(browser, live_server, "amina")
    expect(applicant.locator("h1")).to_have_text("Mes dossiers")

    # 1. Procedure and commune. 2. The parcel located by reference, the footprint drawn by clicking four corners.
    wizard_start(
        applicant, procedure="Permis de construire", commune="Commune CAMBRIDGE (CAMBRIDGE)", title="Maison Benali"
    )
    wizard_site(
        applicant,
        parcel="160-43",
        corners=[(-71.11985, 42.37015), (-71.11965, 42.37015), (-71.11965, 42.37035), (-71.11985, 42.37035)],
    )

    # 3. Parameters, with the live pre-check rule by rule.
    expect(applicant.locator("#precheck")).to_have_attribute("data-state", "waiting")
    applicant.get_by_label("Hauteur (m)").fill("12")
    applicant.get_by_label("Niveaux hors sol").fill("2")
    applicant.get_by_label("Surface de plancher (m²)").fill("300")
    expect(applicant.locator("#precheck")).to_have_attribute("data-state", "failed")
    height = applicant.locator('#precheck tr[data-rule="height"]')
    expect(height).to_contain_text("Non conforme")
    expect(height).to_contain_text("dépasse le maximum")
    applicant.get_by_label("Hauteur (m)").fill("9")
    expect(height).to_contain_text("Conforme")
    screenshot(applicant, "2-precheck", full_page=True)
    applicant.get_by_role("button", name="Enregistrer et continuer").click()

    # 4. Documents, 5. review and submit.
    applicant.locator('tr[data-document-type="architectural-plans"] input[type="file"]').set_input_files(
        journey["plan"]
    )
    applicant.locator('tr[data-document-type="architectural-plans"] button').click()
    expect(applicant.locator('tr[data-document-type="architectural-plans"]')).to_contain_text("plans.pdf")
    applicant.get_by_role("link", name="Passer à la vérification").click()
    expect(applicant.locator(".precheck-table")).to_be_visible()
    # The application form, written by the platform, read, then signed with a one-time code: no paper, no scan.
    expect(applicant.locator("#submit-file")).to_be_disabled()
    form_pdf = applicant.request.get(
        live_server.url + (applicant.locator("#application-preview").get_attribute("href") or "")
    )
    assert form_pdf.ok and form_pdf.body().startswith(b"%PDF")
    applicant.locator("#id_consent").check()
    applicant.locator('input[name="channel"][value="email"]').check()
    applicant.locator("#application-code-form button").click()
    expect(applicant.locator("#application-sign-form")).to_contain_text("a•••@example.ma")
    # the code as the applicant reads it: in the e-mail sent (the delivery's copy is removed once sent)
    [code] = re.findall(r"\b(\d{6})\b", str(mail.outbox[-1].body))[:1]
    assert mail.outbox[-1].to == ["amina@example.ma"]
    applicant.locator("#id_code").fill(code)
    screenshot(applicant, "3-review-sign", full_page=True)
    applicant.locator("#application-sign-form button").click()
    expect(applicant.locator("#application-signed")).to_be_visible()
    expect(applicant.locator("#submit-file")).to_be_enabled()
    applicant.get_by_label("Je certifie l\u2019exactitude des informations fournies.").check()
    screenshot(applicant, "3-review", full_page=True)
    applicant.get_by_role("button", name="Déposer le dossier").click()
    expect(applicant.locator("#dossier-status")).to_have_text("Déposé, en attente du contrôle de complétude")
    file_url = applicant.url

    # The desk finds it complete.
    desk = sign_in(browser, live_server, staff["desk_agent"].username)
    expect(desk.locator('.queue-section[data-status="submitted"]')).to_contain_text("CAMBRIDGE/")
    completeness_accept(desk, file_url)

    # The member gives an opinion from their queue.
    member = sign_in(browser, live_server, journey["member"].username)
    member.locator(".consultations-table a").first.click()
    member.get_by_label("Favorable", exact=True).check()
    member.get_by_role("button", name="Rendre l\u2019avis").click()
    expect(member.locator("#deadlines")).to_contain_text("Favorable")

    # The desk issues a remark and sends it.
    desk.reload()
    desk.locator("#remarks form textarea[name=text]").fill("Indiquez le recul sur le plan du rez-de-chaussée.")
    desk.get_by_role("button", name="Émettre la remarque").click()
    desk.get_by_role("button", name="Envoyer les remarques au demandeur").click()
    expect(desk.locator("#dossier-status")).to_have_text("En attente de la réponse du demandeur")

    # The applicant replies with a revised plan: a new round opens.
    applicant.reload()
    applicant.get_by_label("Votre réponse").fill("Recul de 3 m indiqué sur le plan révisé.")
    applicant.get_by_label("Plan révisé (PDF, facultatif)").set_input_files(journey["plan"])
    screenshot(applicant, "4-reply", full_page=True)
    applicant.get_by_role("button", name="Envoyer la réponse").click()
    expect(applicant.locator("#dossier-status")).to_have_attribute("class", "badge status-under_instruction")
    expect(applicant.locator('#deadlines tr[data-round="2"]')).to_be_visible()

    # Round 2: opinion, remark closed, sent to the commission; the president decides there, in session, not here.
    member.reload()
    member.get_by_label("Favorable", exact=True).check()
    member.get_by_role("button", name="Rendre l\u2019avis").click()
    desk.reload()
    desk.get_by_role("button", name="Clore la remarque").click()
    desk.get_by_role("button", name="Transmettre à la commission").click()
    expect(desk.locator("#dossier-status")).to_have_text("En commission")
    president = sign_in(browser, live_server, staff["commission_president"].username, locale="ar")
    president.goto(file_url)
    expect(president.locator("html")).to_have_attribute("dir", "rtl")
    expect(president.locator("#legal-path")).to_contain_text("تبت في هذا الملف لجنته خلال الدورة")
    expect(president.locator("#decision")).to_have_count(0)
    expect(president.locator('input[name="decision"]')).to_have_count(0)
    screenshot(president, "5-legal-path-ar", full_page=True)
    desk.reload()
    expect(desk.locator("#legal-path")).to_be_visible()
    screenshot(desk, "5-legal-path-fr", full_page=True)

    applicant.reload()
    screenshot(applicant, "6-applicant-in-commission", full_page=True)
    applicant.get_by_role("link", name="Historique").click()
    expect(applicant.locator(".history-table")).to_contain_text("Amina Benali")
    screenshot(applicant, "7-history", full_page=True)
    for page in (applicant, desk, member, president):
        assert not page.context.errors, page.context.errors  # type: ignore[attr-defined]
