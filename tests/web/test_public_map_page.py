"""The public map of authorised projects as Django renders it: languages, right-to-left Arabic, MapLibre served
locally, filter options from the published data, and no personal data anywhere in the page."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from gis_core.signing.models import VerificationPurpose, VerificationToken
from permits.models import Dossier
from tests.permits.factories import DossierFactory, ProcedureFactory
from tests.web.map_pages import assert_assets_served_locally, json_script, rendered_page
from web.views import PUBLIC_MAP_CACHE_KEY

# The page reads through the public read-only connection (which sees committed rows only).
pytestmark = pytest.mark.django_db(databases=["default", "geoportal"])
COMMITTED = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])

TITLES = {"fr": "Carte des projets autorisés", "ar": "خريطة المشاريع المرخصة", "en": "Map of authorised projects"}


@pytest.fixture(autouse=True)
def fresh_facets() -> None:
    cache.delete(PUBLIC_MAP_CACHE_KEY)


@pytest.fixture
def published() -> Dossier:
    procedure = ProcedureFactory(
        code="building_permit", name_fr="Permis de construire", name_ar="رخصة البناء", name_en="Building permit"
    )
    dossier: Dossier = DossierFactory.create(published=True, procedure=procedure)
    return dossier


def page_in(language: str) -> str:
    return rendered_page("web:public-map", language)


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl"), ("en", "ltr")])
def test_page_renders_in_each_language_with_its_direction(language: str, direction: str) -> None:
    html = page_in(language)
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert f"<title>{TITLES[language]} · Urbaplan</title>" in html
    config = json_script(html, "map-config")
    assert config["language"] == language
    assert config["rtl"] is (direction == "rtl")
    assert config["tiles"]["authorised_projects"] == "/tiles/authorised_projects.json"


def test_french_is_the_default_and_the_page_is_translated() -> None:
    html = Client().get("/map/").content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    for text in ("Référence du dossier ou de la parcelle", "Toutes les procédures", "Décidé à partir du", "Légende"):
        assert text in html
    arabic = page_in("ar")
    for text in ("المشاريع المرخصة", "جميع المساطر", "الطبقات", "مفتاح الخريطة"):
        assert text in arabic
    assert json_script(arabic, "map-strings")["verifyDecision"] == "التحقق من القرار"
    assert json_script(page_in("fr"), "map-strings")["verifyDecision"] == "Vérifier la décision"


def test_script_catalogue_is_complete_in_every_language() -> None:
    english = json_script(page_in("en"), "map-strings")
    for language in ("fr", "ar"):
        strings = json_script(page_in(language), "map-strings")
        assert strings.keys() == english.keys()
        same = {key for key in strings if strings[key] == english[key]}
        assert same <= {"metres", "squareMetres", "commune", "zone"}, (language, same)


def test_maplibre_is_served_from_static_not_a_cdn() -> None:
    assert_assets_served_locally(page_in("fr"), "web/public_map.js")


@COMMITTED
def test_filters_list_the_procedures_and_communes_of_the_published_projects(published: Dossier) -> None:
    DossierFactory.create(signed=True, procedure=ProcedureFactory(code="unpublished", name_fr="Jamais publiée"))
    html = page_in("fr")
    assert '<option value="building_permit">Permis de construire</option>' in html
    assert f'<option value="{published.commune.code}">{published.commune.name_fr}</option>' in html
    assert "Jamais publiée" not in html
    assert '<option value="building_permit">رخصة البناء</option>' in page_in("ar")
    assert json_script(html, "map-config")["hasProjects"] is True


@COMMITTED
def test_no_personal_data_in_the_page(published: Dossier) -> None:
    applicant = published.applicant
    applicant.first_name, applicant.last_name, applicant.email = "Yasmine", "Benali", "yasmine@example.org"
    applicant.save()
    html = page_in("fr")
    for private in ("Yasmine", "Benali", "yasmine@example.org", applicant.username, published.title):
        assert private not in html


def test_authorised_projects_carry_the_decision_verification_token(published: Dossier) -> None:
    """The geoportal view (read by the tiles and the OGC API) has the token of the decision, and only of it."""
    VerificationToken.objects.create(
        lineage=uuid.uuid4(), reference=published.reference or "", purpose=VerificationPurpose.PLAN
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT verification_token FROM geoportal.authorised_projects WHERE id = %s", [published.pk])
        assert cursor.fetchone() == (None,)
    token = VerificationToken.objects.create(
        lineage=uuid.uuid4(), reference=published.reference or "", purpose=VerificationPurpose.DECISION
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT verification_token FROM geoportal.authorised_projects WHERE id = %s", [published.pk])
        assert cursor.fetchone() == (token.token,)
