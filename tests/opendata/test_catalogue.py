"""The dataset registry: every dataset found by its slug, described in three languages, each distribution at an
address the site serves, and its coverage and freshness read from the published data."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import resolve
from django.utils import translation

from gis_core.models import Territory
from opendata.catalogue import dataset, datasets, indicator_dataset
from opendata.indicators import periods_refresh
from opendata.licence import LICENCE
from tests.opendata.conftest import MARCH

GEOPORTAL_DB = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
DOCUMENTED = re.compile(r"^\| `([a-z0-9_]+)`(?: / `([a-z0-9_]+)`)?(?: / `([a-z0-9_]+)`)? \|", re.MULTILINE)


def test_each_dataset_is_found_by_its_slug_and_described_in_french_arabic_and_english() -> None:
    slugs = [each.slug for each in datasets()]
    assert len(slugs) == len(set(slugs)) and "authorised-projects" in slugs and "processing-times" in slugs
    assert dataset("processing-times") is datasets()[slugs.index("processing-times")]
    assert dataset("nothing-of-the-kind") is None
    for each in datasets():
        assert each.licence == LICENCE and each.frequency.endswith("/DAILY") and each.keywords
        with translation.override("en"):
            english = (str(each.title), str(each.description))
        for language in ("fr", "ar"):
            with translation.override(language):
                assert (str(each.title), str(each.description)) != english, (language, each.slug)
                assert all(str(keyword) for keyword in each.keywords)


def test_every_distribution_has_an_address_the_site_serves() -> None:
    for each in datasets():
        assert each.distributions
        for distribution in each.distributions:
            path = distribution.path()
            assert path.startswith("/opendata/datasets/") and path.endswith(f".{distribution.extension}")
            assert resolve(path).url_name == distribution.url_name
            assert distribution.media_type and str(distribution.title)
    projects = dataset("authorised-projects")
    assert projects is not None
    assert {(d.extension, str(d.title)) for d in projects.distributions} == {
        ("geojson", "GeoJSON"),
        ("csv", "CSV"),
        ("gpkg", "GeoPackage"),
        ("fgb", "FlatGeobuf"),
        ("parquet", "GeoParquet"),
    }


def test_every_documented_indicator_is_published_in_one_family_only() -> None:
    documented = (Path(__file__).resolve().parents[2] / "docs" / "opendata.md").read_text()
    table = documented[documented.index("| indicator | kind |") :].split("\n\n", 1)[0]  # the indicators' table only
    names = {name for row in DOCUMENTED.findall(table) for name in row if name}
    published = [name for each in datasets() for name in each.indicators]
    assert sorted(published) == sorted(names)
    assert indicator_dataset("decision_days") == dataset("processing-times")
    assert indicator_dataset("nothing") is None


@GEOPORTAL_DB
def test_coverage_and_freshness_come_from_the_published_data(spread: dict[str, Territory]) -> None:
    processing = dataset("processing-times")
    assert processing is not None
    assert processing.temporal_coverage() is None and processing.modified() is None
    periods_refresh(days=[date(2026, 3, 9), date(2026, 3, 10)])
    assert processing.temporal_coverage() == (date(2026, 3, 9), date(2026, 3, 10))
    modified = processing.modified()
    assert modified is not None and modified.date() >= MARCH
    west, south, east, north = processing.spatial_coverage() or (0, 0, 0, 0)
    extents = [territory.geom.extent for territory in Territory.objects.all()]
    assert (west, south) == (min(e[0] for e in extents), min(e[1] for e in extents))
    assert (east, north) == (max(e[2] for e in extents), max(e[3] for e in extents))
