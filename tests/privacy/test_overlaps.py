"""An applicant who draws footprints over a commune learns nothing of other people's unpublished files, neither from
the overlaps API, nor from the overlaps frozen at filing, nor from the history, nor from the pages: only that an
overlap exists with a published authorisation, as the public map shows it. The back office sees every overlap."""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from permits import selectors
from permits.models import Dossier
from tests.factories import box
from tests.permits.factories import (
    DossierFactory,
    ProcedureFactory,
    UserFactory,
    application_signature_write,
    commune_tree,
    staff_for,
)
from tests.permits_api.conftest import token_client

pytestmark = pytest.mark.django_db

HIDDEN_GROUND = box(-71.1200, 42.3700, -71.1198, 42.3702)  # an unpublished file's footprint (~16 m x 22 m)
SIGNED_GROUND = box(-71.1180, 42.3700, -71.1178, 42.3702)  # authorised and signed, not published yet
PUBLISHED_GROUND = box(-71.1160, 42.3700, -71.1158, 42.3702)  # a published authorisation: on the public map
EMPTY_GROUND = box(-71.1100, 42.3600, -71.1098, 42.3602)
SWEEP = box(-71.1205, 42.3695, -71.1150, 42.3707)  # over the three


@pytest.fixture
def ground(db: Any) -> dict[str, Any]:
    commune = commune_tree("CASA-ANFA")
    secret = ProcedureFactory.create(code="secret-procedure", name_fr="Procédure d'autrui")
    return {
        "commune": commune,
        "hidden": DossierFactory.create(commune=commune, footprint=HIDDEN_GROUND, procedure=secret, submitted=True),
        "signed": DossierFactory.create(commune=commune, footprint=SIGNED_GROUND, procedure=secret, signed=True),
        "published": DossierFactory.create(commune=commune, footprint=PUBLISHED_GROUND, published=True),
        "procedure": ProcedureFactory.create(code="building-permit"),
        "attacker": UserFactory.create(username="sweeper"),
        "desk": staff_for(commune)["desk_agent"],
    }


def private_facts(ground: dict[str, Any]) -> list[str]:
    """What an applicant must never read of the unpublished files: their references and their procedure."""
    return [ground["hidden"].reference, ground["signed"].reference, "secret-procedure", "Procédure d'autrui"]


def draft(client: APIClient, ground: dict[str, Any], footprint: Any) -> int:
    body = {
        "procedure": ground["procedure"].code,
        "commune": ground["commune"].code,
        "footprint": json.loads(footprint.geojson),
        "use": "residential",
    }
    response = client.post("/api/dossiers/", body, format="json")
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def assert_nothing_private(text: str, ground: dict[str, Any]) -> None:
    for fact in private_facts(ground):
        assert fact not in text, fact


def test_an_applicant_sweeping_with_drawn_footprints_learns_nothing_of_unpublished_files(
    ground: dict[str, Any],
) -> None:
    attacker = token_client(ground["attacker"])
    published = ground["published"]
    over_hidden = attacker.get(f"/api/dossiers/{draft(attacker, ground, HIDDEN_GROUND)}/overlaps/")
    over_signed = attacker.get(f"/api/dossiers/{draft(attacker, ground, SIGNED_GROUND)}/overlaps/")
    over_nothing = attacker.get(f"/api/dossiers/{draft(attacker, ground, EMPTY_GROUND)}/overlaps/")
    # Not even the number of files: over an unpublished file the answer is the answer over empty ground.
    assert over_hidden.status_code == over_signed.status_code == over_nothing.status_code == 200
    assert over_hidden.content == over_signed.content == over_nothing.content == b"[]"

    sweep_id = draft(attacker, ground, SWEEP)
    overlaps = attacker.get(f"/api/dossiers/{sweep_id}/overlaps/").json()
    assert [(item["dossier"], item["reference"], item["status"]) for item in overlaps] == [
        (published.pk, published.reference, "published")
    ]
    assert overlaps[0]["procedure"] == published.procedure.code and overlaps[0]["overlap_m2"] > 300

    application_signature_write(Dossier.objects.get(pk=sweep_id))  # the signed form (test data)
    submitted = attacker.post(f"/api/dossiers/{sweep_id}/submit/", format="json")
    assert submitted.status_code == 200, submitted.content
    detail = attacker.get(f"/api/dossiers/{sweep_id}/")
    history = attacker.get(f"/api/dossiers/{sweep_id}/history/")
    for response in (submitted, detail, history, attacker.get(f"/api/dossiers/{sweep_id}/overlaps/")):
        assert_nothing_private(response.content.decode(), ground)
    assert [item["reference"] for item in detail.json()["overlaps_at_filing"]] == [published.reference]
    filing = next(event for event in history.json() if event["action"] == "dossier.submit")
    assert "overlaps" not in filing["payload"]


def test_the_back_office_sees_every_overlapping_file(ground: dict[str, Any]) -> None:
    attacker = token_client(ground["attacker"])
    sweep_id = draft(attacker, ground, SWEEP)
    application_signature_write(Dossier.objects.get(pk=sweep_id))  # the signed form (test data)
    assert attacker.post(f"/api/dossiers/{sweep_id}/submit/", format="json").status_code == 200
    desk = token_client(ground["desk"])
    everyone = {ground["hidden"].reference, ground["signed"].reference, ground["published"].reference}
    live = desk.get(f"/api/dossiers/{sweep_id}/overlaps/").json()
    assert {item["reference"] for item in live} == everyone
    assert {item["procedure"] for item in live} == {"secret-procedure", ground["published"].procedure.code}
    frozen = desk.get(f"/api/dossiers/{sweep_id}/").json()["overlaps_at_filing"]
    assert {item["reference"] for item in frozen} == everyone
    filing = next(
        event for event in desk.get(f"/api/dossiers/{sweep_id}/history/").json() if event["action"] == "dossier.submit"
    )
    assert set(filing["payload"]["overlaps"]) == everyone
    # What filing stored: the back office's facts, the published authorisation marked with its public overlap.
    stored = Dossier.objects.get(pk=sweep_id).overlaps_at_filing
    assert {entry["reference"] for entry in stored} == everyone
    assert [entry["reference"] for entry in stored if selectors.PUBLIC_OVERLAP_KEY in entry] == [
        ground["published"].reference
    ]


def test_the_applicant_pages_show_only_the_published_authorisation(ground: dict[str, Any]) -> None:
    attacker = token_client(ground["attacker"])
    sweep_id = draft(attacker, ground, SWEEP)
    browser = Client()
    browser.force_login(ground["attacker"])
    review = browser.get(reverse("web:wizard-review", args=[sweep_id]))
    assert review.status_code == 200
    html = review.content.decode()
    assert ground["published"].reference in html
    assert_nothing_private(html, ground)
    application_signature_write(Dossier.objects.get(pk=sweep_id))  # the signed form (test data)
    assert attacker.post(f"/api/dossiers/{sweep_id}/submit/", format="json").status_code == 200
    for name in ("web:dossier-detail", "web:dossier-history"):
        page = browser.get(reverse(name, args=[sweep_id]))
        assert page.status_code == 200
        assert_nothing_private(page.content.decode(), ground)

    over_hidden = draft(attacker, ground, HIDDEN_GROUND)
    over_nothing = draft(attacker, ground, EMPTY_GROUND)
    hidden_card = overlaps_card(browser.get(reverse("web:wizard-review", args=[over_hidden])).content.decode())
    empty_card = overlaps_card(browser.get(reverse("web:wizard-review", args=[over_nothing])).content.decode())
    assert hidden_card == empty_card  # the same words over an unpublished file as over empty ground


def overlaps_card(html: str) -> str:
    return html.split('id="overlaps"')[1].split("</div>")[0]


def test_the_staff_page_of_the_file_lists_every_overlap(ground: dict[str, Any]) -> None:
    attacker = token_client(ground["attacker"])
    sweep_id = draft(attacker, ground, SWEEP)
    application_signature_write(Dossier.objects.get(pk=sweep_id))  # the signed form (test data)
    assert attacker.post(f"/api/dossiers/{sweep_id}/submit/", format="json").status_code == 200
    browser = Client()
    browser.force_login(ground["desk"])
    html = browser.get(reverse("web:dossier-detail", args=[sweep_id])).content.decode()
    assert ground["hidden"].reference in html and ground["signed"].reference in html


def test_who_sees_overlaps_in_full(ground: dict[str, Any]) -> None:
    mine = DossierFactory.create(commune=ground["commune"], footprint=SWEEP, applicant=ground["attacker"])
    other_commune = staff_for(commune_tree("RABAT-AGDAL"))
    assert not selectors.overlaps_in_full(dossier=mine, user=ground["attacker"])
    assert selectors.overlaps_in_full(dossier=mine, user=ground["desk"])
    assert selectors.overlaps_in_full(dossier=mine, user=staff_for(ground["commune"])["commission_president"])
    assert not selectors.overlaps_in_full(dossier=mine, user=other_commune["desk_agent"])


def test_overlaps_frozen_before_this_rule_show_the_applicant_nothing(ground: dict[str, Any]) -> None:
    """A list frozen by an earlier version carries no public marker: nothing of it reaches the applicant."""
    legacy = DossierFactory.create(commune=ground["commune"], footprint=SWEEP, applicant=ground["attacker"])
    legacy.overlaps_at_filing = [
        {"dossier": ground["hidden"].pk, "reference": ground["hidden"].reference, "status": "submitted",
         "procedure": "secret-procedure", "overlap_m2": 350.0},
    ]  # fmt: skip
    Dossier.objects.filter(pk=legacy.pk).update(overlaps_at_filing=legacy.overlaps_at_filing)
    assert selectors.dossier_overlaps_at_filing_for(dossier=legacy, user=ground["attacker"]) == []
    assert selectors.dossier_overlaps_at_filing_for(dossier=legacy, user=ground["desk"]) == legacy.overlaps_at_filing
