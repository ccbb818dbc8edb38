"""A project's use is a code of the catalogue's nomenclature, never the applicant's own words: the catalogue loads the
uses (fr/ar/en), the filing API and the wizard refuse anything else with a clear error, existing free text is
mapped to codes, and the geoportal publishes the code (a value that is not one is published as nothing)."""

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from permits.models import Dossier, Procedure, ProjectUse
from permits.services import procedures_load
from tests.permits.factories import DossierFactory, ProcedureFactory, UserFactory, catalogue_uses, commune_tree
from tests.permits_api.conftest import token_client

pytestmark = pytest.mark.django_db

CODES = ["residential", "commercial", "office", "industrial", "public_facility", "mixed", "hotel", "restaurant",
         "food", "health", "education", "agricultural", "other"]  # fmt: skip


def test_the_catalogue_loads_its_uses_with_their_labels(capsys: Any) -> None:
    ProjectUse.objects.all().delete()
    call_command("load_procedures")
    assert "13 uses" in capsys.readouterr().out
    assert list(ProjectUse.objects.values_list("code", flat=True)) == CODES  # in the catalogue's order
    residential = ProjectUse.objects.get(code="residential")
    assert (residential.label_fr, residential.label_ar, residential.label_en) == ("Habitation", "سكني", "Residential")
    assert all(use.label_fr and use.label_ar and use.label_en for use in ProjectUse.objects.all())


def test_a_rule_naming_a_use_outside_the_list_is_refused(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(
        """
uses:
  - {code: residential, label_fr: Habitation}
procedures:
  - code: casino-permit
    name_fr: Casino
    family: economic
    occasional_rules:
      - {kind: use_in, values: [casino, residential], description: Games}
""",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="casino-permit: a use_in rule names casino, which are not codes"):
        call_command("load_procedures", str(catalogue))
    assert not Procedure.objects.filter(code="casino-permit").exists()  # one transaction: nothing of the file kept


@pytest.fixture
def filing(db: Any) -> dict[str, Any]:
    catalogue_uses()
    return {
        "client": token_client(UserFactory.create(username="amina")),
        "procedure": ProcedureFactory.create(code="building-permit"),
        "commune": commune_tree("CASA-ANFA"),
    }


def test_the_filing_api_refuses_free_text_with_a_clear_problem(filing: dict[str, Any]) -> None:
    client = filing["client"]
    body = {"procedure": "building-permit", "commune": "CASA-ANFA", "title": "Maison"}
    refused = client.post("/api/dossiers/", {**body, "use": "ma maison, 06 12 34 56 78"}, format="json")
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    detail = refused.json()["detail"]
    assert "'ma maison, 06 12 34 56 78' is not a use of the catalogue" in detail and "public_facility" in detail
    assert not Dossier.objects.exists()

    created = client.post("/api/dossiers/", {**body, "use": " Residential "}, format="json")
    assert created.status_code == 201 and created.json()["use"] == "residential"
    path = f"/api/dossiers/{created.json()['id']}/"
    assert client.patch(path, {"use": "chez moi"}, format="json").status_code == 400
    assert client.patch(path, {"use": "office"}, format="json").json()["use"] == "office"
    assert client.get("/api/uses/").json()[0] == {
        "code": "residential",
        "label_fr": "Habitation",
        "label_ar": "سكني",
        "label_en": "Residential",
    }


@pytest.mark.parametrize(("language", "label"), [("fr", "Habitation"), ("ar", "سكني"), ("en", "Residential")])
def test_the_wizard_offers_the_uses_in_the_active_language(filing: dict[str, Any], language: str, label: str) -> None:
    dossier = DossierFactory.create(procedure=filing["procedure"], commune=filing["commune"], use="")
    browser = Client()
    browser.force_login(dossier.applicant)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = browser.get(reverse("web:wizard-project", args=[dossier.pk])).content.decode()
    assert f'<option value="residential">{label}</option>' in html
    assert html.count("<option value=") >= len(CODES)


def test_the_wizard_refuses_a_use_outside_the_list(filing: dict[str, Any]) -> None:
    dossier = DossierFactory.create(procedure=filing["procedure"], commune=filing["commune"], use="")
    browser = Client()
    browser.force_login(dossier.applicant)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    project = {"height_m": "9", "floors": "3", "gross_floor_area_m2": "300", "units": "2"}
    response = browser.post(reverse("web:wizard-project", args=[dossier.pk]), {**project, "use": "my house"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.use == ""
    saved = browser.post(reverse("web:wizard-project", args=[dossier.pk]), {**project, "use": "public_facility"})
    assert saved.status_code == 302
    dossier.refresh_from_db()
    assert dossier.use == "public_facility"


def test_existing_free_text_uses_are_mapped_to_codes() -> None:
    migration = importlib.import_module("permits.migrations.0005_project_uses")
    typed = {
        "Logement": "residential",
        "  Bureaux ": "office",
        "équipement public": "public_facility",
        "Hôtel": "hotel",
        "فندق": "hotel",
        "Mixed-use": "mixed",
        "residential": "residential",
        "garage de Yasmine, tél. 0612345678": "other",
        "": "",
    }
    dossiers = {text: DossierFactory.create(use="").pk for text in typed}
    for text, pk in dossiers.items():
        Dossier.objects.filter(pk=pk).update(use=text)
    ProjectUse.objects.all().delete()

    class Editor:
        connection = connection

    migration.uses_create_and_map(apps, Editor())
    assert {text: Dossier.objects.get(pk=pk).use for text, pk in dossiers.items()} == typed
    assert set(ProjectUse.objects.values_list("code", flat=True)) == set(CODES)


def test_the_geoportal_publishes_the_code_never_the_typed_text() -> None:
    procedures_load()
    published = DossierFactory.create(published=True, use="residential")
    with connection.cursor() as cursor:
        cursor.execute("SELECT use FROM geoportal.authorised_projects WHERE id = %s", [published.pk])
        assert cursor.fetchone() == ("residential",)
        Dossier.objects.filter(pk=published.pk).update(use="chez Yasmine Benali")  # not a code (typed before)
        cursor.execute("SELECT use FROM geoportal.authorised_projects WHERE id = %s", [published.pk])
        assert cursor.fetchone() == (None,)
        cursor.execute("SELECT code, label_fr, label_ar, label_en FROM geoportal.uses WHERE code = 'health'")
        assert cursor.fetchone() == ("health", "Santé", "صحي", "Health")
