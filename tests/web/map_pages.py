"""Shared helpers of the two map pages' tests (parcel map, public map): the page as Django renders it in a
language, its JSON blocks, and the assets it loads (served from our static files, never from another host)."""

import json
import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

MAPLIBRE_ASSETS = ("vendor/maplibre-gl/maplibre-gl.js", "vendor/maplibre-gl/maplibre-gl.css")
SHARED_MODULE = "web/map_common.js"  # imported by each map page's module


def rendered_page(url_name: str, language: str) -> str:
    """The page's HTML for a visitor whose language cookie says `language`."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    return response.content.decode()


def json_script(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


def assert_assets_served_locally(html: str, page_module: str) -> None:
    """MapLibre and the page's module come from our static files, and nothing from another host."""
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    for asset in (*MAPLIBRE_ASSETS, page_module):
        assert f"/static/{asset}" in sources, f"the page does not load /static/{asset}"
    assert not [source for source in sources if "//" in source], "no asset may come from another host"
    for asset in (*MAPLIBRE_ASSETS, page_module, SHARED_MODULE):
        assert finders.find(asset), f"{asset} is missing (scripts/setup.sh copies MapLibre from node_modules)"
