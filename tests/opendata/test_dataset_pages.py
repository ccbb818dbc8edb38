"""The dataset pages (`/opendata/datasets/` and `/opendata/datasets/<slug>/`) in French, Arabic and English: what
a person needs to reuse a dataset (licence, frequency, last refresh, coverage, downloads, feeds, the catalogue)."""

from typing import Any

import pytest
from django.test import Client

from permits.models import Dossier
from tests.permits.factories import DossierFactory, commune_tree

GEOPORTAL_DB = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])


@pytest.fixture
def projects() -> list[Dossier]:
    commune = commune_tree("CASA-ANFA")
    return [DossierFactory.create(published=True, commune=commune) for _ in range(2)]


def page(path: str, language: str) -> Any:
    response = Client().get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, response.content[:300]
    return response


@GEOPORTAL_DB
@pytest.mark.parametrize(
    ("language", "title", "frequency", "direction"),
    [
        ("fr", "Projets autorisés", "Quotidienne", 'dir="ltr"'),
        ("ar", "المشاريع المرخصة", "يومي", 'dir="rtl"'),
        ("en", "Authorised projects", "Daily", 'dir="ltr"'),
    ],
)
def test_the_list_shows_each_dataset_in_the_visitors_language(
    projects: list[Dossier], language: str, title: str, frequency: str, direction: str
) -> None:
    html = page("/opendata/datasets/", language).content.decode()
    assert f'<html lang="{language}" {direction}>' in html
    assert 'href="/opendata/datasets/authorised-projects/"' in html and title in html
    assert frequency in html
    for extension in ("jsonld", "ttl", "rdf"):
        assert f'href="/opendata/catalog.{extension}"' in html
    start = html.index('href="/opendata/datasets/processing-times/"')
    processing_times = html[start : html.index("</article>", start)]
    assert processing_times.count('dir="ltr">CSV</span>') == 1  # each format once


@GEOPORTAL_DB
def test_a_dataset_page_says_how_to_reuse_it(projects: list[Dossier]) -> None:
    html = page("/opendata/datasets/authorised-projects/", "fr").content.decode()
    assert "Licence Ouverte 2.0" in html and 'href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/"' in html
    assert "Quotidienne" in html and "Dernière actualisation" in html and "Pas encore" not in html
    assert "Période couverte" in html and "Du " in html
    assert "longitude" in html
    for extension in ("geojson", "gpkg", "fgb", "parquet", "csv"):
        assert f'href="/opendata/datasets/authorised-projects.{extension}"' in html
    assert "application/geopackage+sqlite3" in html
    for feed in ('href="/ogc/"', 'href="/ows"', 'href="/tiles/"', "/tiles/authorised_projects.json"):
        assert feed in html
    history = page("/opendata/datasets/processing-times/", "fr").content.decode()
    assert 'href="/opendata/datasets/indicators/decision_days.csv" download dir="ltr">decision_days.csv</a>' in history
    arabic = page("/opendata/datasets/authorised-projects/", "ar").content.decode()
    assert "الترخيص" in arabic and "التنزيلات" in arabic


@GEOPORTAL_DB
def test_before_any_publication_the_page_says_so() -> None:
    html = page("/opendata/datasets/authorised-projects/", "en").content.decode()
    assert "Not yet" in html and "No data yet" in html


@GEOPORTAL_DB
def test_an_unknown_dataset_is_404() -> None:
    assert Client().get("/opendata/datasets/permits-of-mars/").status_code == 404
