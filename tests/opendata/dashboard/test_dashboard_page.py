"""The dashboard page as Django renders it: French and Arabic (right to left), the headline figures and the tables
without JavaScript, the filters kept in the links, a bad filter shown as the form's error (400), the assets served
from our static files, and the portal linked from the site's navigation."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from gis_core.models import Territory
from tests.opendata.dashboard.snapshots import Dataset, dashboard_dataset

pytestmark = pytest.mark.django_db
ASSETS = (
    "vendor/maplibre-gl/maplibre-gl.js",
    "vendor/echarts/echarts.common.min.js",
    "opendata/dashboard.js",
    "opendata/dashboard.css",
)


@pytest.fixture
def dataset(places: dict[str, Territory]) -> Dataset:
    return dashboard_dataset(places)


def page(language: str, query: str = "", status: int = 200) -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/opendata/{query}")
    assert response.status_code == status
    return response.content.decode()


def figure(html: str, key: str) -> str:
    match = re.search(rf'<dd data-figure="{key}">([^<]*)</dd>', html)
    assert match, f"no headline figure {key}"
    return match.group(1)


def test_french_page_figures_tables_and_links(dataset: Dataset) -> None:
    html = page("fr", "?period=2025&territory=CASA-ANFA")
    assert '<html lang="fr" dir="ltr">' in html
    assert "Données ouvertes" in html
    assert figure(html, "filed") == "12"
    assert figure(html, "decision_median") == "41,5 jours"
    assert figure(html, "within_limit") == "75,0 %"
    assert figure(html, "floor_area").replace("\u202f", " ").replace("\xa0", " ") == "1 234 m²"
    assert '<option value="CASA-ANFA" selected>' in html
    assert '<option value="2025" selected>' in html
    # Each chart: a table with its caption, and its data as CSV and JSON for the same selection.
    for chart in ("flow", "steps", "opinions", "uses"):
        assert f'<table id="table-{chart}">' in html
        for extension in ("csv", "json"):
            assert f'href="/opendata/dashboard/{chart}.{extension}?territory=CASA-ANFA&amp;period=2025"' in html
    assert "<caption>Délai de traitement par étape, en jours</caption>" in html
    nation = page("fr", "?period=2025")
    assert '<th scope="row">mars 2025</th><td>12</td><td>10</td><td>8</td>' in nation
    assert "Office de l&#x27;eau" in html
    # The site's navigation links the portal; nothing comes from another host.
    assert 'href="/opendata/" aria-current="page"' in html
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    for asset in ASSETS:
        assert f"/static/{asset}" in sources
        assert finders.find(asset), f"{asset} is missing (scripts/setup.sh copies it from node_modules)"
    assert not [source for source in sources if "//" in source]


def test_arabic_page_is_right_to_left(dataset: Dataset) -> None:
    html = page("ar", "?period=2025")
    assert '<html lang="ar" dir="rtl">' in html
    assert "البيانات المفتوحة" in html
    assert figure(html, "filed") == "24"
    assert "المعاريف" in html  # the communes named in Arabic in the territory filter
    assert "المكتب" in html  # the agency's Arabic name in its table


def test_bad_filter_is_the_forms_error(dataset: Dataset) -> None:
    html = page("en", "?period=2025-13", status=400)
    assert 'role="alert"' in html
    assert "This selection cannot be shown" in html
    assert "month must be from 01 to 12" in html
    assert page("en", "?territory=NOWHERE", status=400).count('role="alert"') == 1


def test_no_personal_data_on_the_page(dataset: Dataset) -> None:
    html = page("fr", "?period=2025")
    assert "@" not in re.sub(r"<script.*?</script>|<link[^>]*>", "", html, flags=re.S)


def test_before_any_refresh(places: dict[str, Territory]) -> None:
    """No snapshot yet (a new platform): the page and the JSON answer with zeros, no Last-Modified."""
    html = page("fr")
    assert figure(html, "filed") == "0"
    assert figure(html, "decision_median") == "\u2013"
    assert "Dernière actualisation" not in html
    answer = Client().get("/opendata/dashboard.json")
    assert answer.status_code == 200
    assert "Last-Modified" not in answer
    assert answer.json()["communes"] == {}
