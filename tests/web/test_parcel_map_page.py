"""The parcel map page as Django renders it: languages, right-to-left Arabic, assets served locally, catalogues."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import ParcelFactory, TerritoryFactory, box
from tests.web.map_pages import assert_assets_served_locally, json_script, rendered_page
from web.views import EXTENT_CACHE_KEY, FALLBACK_BOUNDS

# The page reads the parcels' extent through the public read-only connection (which sees committed rows only).
pytestmark = pytest.mark.django_db(databases=["default", "geoportal"])

TITLES = {"fr": "Carte des parcelles", "ar": "خريطة القطع الأرضية", "en": "Parcel map"}


@pytest.fixture(autouse=True)
def fresh_extent_cache() -> None:
    cache.delete(EXTENT_CACHE_KEY)


def page_in(language: str) -> str:
    return rendered_page("web:parcel-map", language)


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl"), ("en", "ltr")])
def test_page_renders_in_each_language_with_its_direction(language: str, direction: str) -> None:
    html = page_in(language)
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert f"<title>{TITLES[language]} · Urbaplan</title>" in html
    assert json_script(html, "map-config")["language"] == language
    assert json_script(html, "map-config")["rtl"] is (direction == "rtl")


def test_french_is_the_default_language() -> None:
    html = Client().get("/").content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Rechercher" in html
    assert "Référence de la parcelle" in html


def test_arabic_page_is_translated_throughout() -> None:
    html = page_in("ar")
    for text in ("البحث عن قطعة أرضية", "مرجع القطعة الأرضية", "بحث", "منصة التعمير"):
        assert text in html
    strings = json_script(html, "map-strings")
    assert strings["zoomIn"] == "قم بالتكبير لرؤية القطع الأرضية."
    assert strings["maxHeight"] == "العلو الأقصى"
    assert strings["agencyToConsult"] == "الهيئة الواجب استشارتها:"


def test_script_catalogue_is_translated_in_french() -> None:
    strings = json_script(page_in("fr"), "map-strings")
    english = json_script(page_in("en"), "map-strings")
    assert strings.keys() == english.keys()
    assert strings["noParcelHere"] == "Aucune parcelle ici. Cliquez à l\u2019intérieur du contour d\u2019une parcelle."
    same_in_both = {key for key in strings if strings[key] == english[key]}
    # Only unit patterns and the word "Commune" read the same in French and English.
    assert same_in_both <= {"metres", "squareMetres", "commune"}


def test_maplibre_is_served_from_static_not_a_cdn() -> None:
    assert_assets_served_locally(page_in("fr"), "web/parcel_map.js")


def test_language_switcher_posts_to_set_language() -> None:
    html = page_in("fr")
    assert f'action="{reverse("set_language")}"' in html
    for code in ("fr", "ar", "en"):
        assert f'name="language" value="{code}"' in html
    assert re.search(r'value="fr"[^>]*aria-current="true"', html), "the current language is marked"

    client = Client()
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"}, follow=True)
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


@pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
def test_map_opens_on_the_loaded_parcels() -> None:
    commune = TerritoryFactory()
    ParcelFactory(commune=commune, geom=box(-71.12, 42.37, -71.119, 42.371))
    ParcelFactory(commune=commune, geom=box(-71.118, 42.372, -71.117, 42.373))
    config = json_script(page_in("en"), "map-config")
    assert config["hasParcels"] is True
    assert config["bounds"] == pytest.approx([-71.12, 42.37, -71.117, 42.373])


def test_map_opens_on_the_demo_city_when_no_parcel_is_loaded() -> None:
    config = json_script(page_in("en"), "map-config")
    assert config["hasParcels"] is False
    assert config["bounds"] == list(FALLBACK_BOUNDS)


def po_entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry of a .po file, the header left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = ""
        for line in lines:
            if line.startswith(("msgid ", "msgstr ", "msgstr[")):  # msgstr[n]: a plural form
                current, _, rest = line.partition(" ")
                fields[current] = rest[1:-1]
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        plurals = [value for key, value in fields.items() if key.startswith("msgstr[")]
        translated = fields.get("msgstr", "") or (plurals and all(plurals) and plurals[0]) or ""
        if fields.get("msgid"):
            entries.append((fields["msgid"], translated, fuzzy))
    return entries


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_catalogues_are_complete(language: str) -> None:
    path = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = po_entries(path)
    assert entries
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert not untranslated, f"{language}: untranslated or fuzzy entries: {untranslated}"
