"""What /ogc/conformance claims: the classes our tests prove, not every class pygeoapi knows (its list adds Part 4,
create/replace/delete, to any feature collection; the geoportal is read-only).

Each class is named with the tests behind it (tests/ogc/); `test_conformance_claims_only_what_is_tested` keeps the
list and those names in step.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pygeoapi.api import API, APIRequest
from pygeoapi.formats import F_HTML
from pygeoapi.util import render_j2_template, to_json

COMMON = "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf"
FEATURES = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf"

# class -> the tests that prove it
CLAIMS: dict[str, tuple[str, ...]] = {
    f"{COMMON}/core": ("test_api.test_landing_conformance_and_openapi",),
    f"{COMMON}/landing-page": ("test_api.test_landing_conformance_and_openapi",),
    f"{COMMON}/json": ("test_api.test_landing_conformance_and_openapi",),
    f"{COMMON}/html": ("test_api.test_landing_conformance_and_openapi",),
    f"{COMMON}/oas30": (
        "test_api.test_landing_conformance_and_openapi",
        "test_clients.test_schemathesis_finds_our_items_endpoints_true_to_their_openapi",
    ),
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections": (
        "test_api.test_collections_are_the_views_with_extents_and_both_languages",
    ),
    f"{FEATURES}/core": (
        "test_api.test_bbox_datetime_and_property_filters",
        "test_api.test_paging_by_key_follows_next_links_and_plain_offset_agrees",
        "test_api.test_items_as_html_and_single_item",
        "test_clients.test_gdal_lists_the_collections_and_reads_the_features",
    ),
    f"{FEATURES}/oas30": ("test_api.test_landing_conformance_and_openapi",),
    f"{FEATURES}/html": ("test_api.test_items_as_html_and_single_item",),
    f"{FEATURES}/geojson": ("test_api.test_only_authorised_published_projects_and_no_personal_data",),
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs": (
        "test_crs.test_items_and_item_in_each_offered_crs_match_postgis",
        "test_crs.test_bbox_crs_selects_what_the_same_bbox_in_crs84_selects",
        "test_crs.test_gdal_reads_web_mercator_and_lambert_coordinates",
        "test_crs.test_owslib_reads_web_mercator_and_lambert_coordinates",
    ),
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables": (
        "test_api.test_queryables_are_the_view_columns",
    ),
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters": (
        "test_api.test_bbox_datetime_and_property_filters",
    ),
    "http://www.opengis.net/spec/ogcapi-common-3/1.0/conf/schemas": ("test_api.test_schema_is_the_view_columns",),
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text": ("test_api.test_cql2_text_filters",),
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2": ("test_api.test_cql2_text_filters",),
}


def conformance(api: API, request: APIRequest) -> tuple[dict[str, Any], int, Any]:
    """pygeoapi's conformance function, with our claims (same templates and JSON)."""
    document = {"conformsTo": sorted(CLAIMS)}
    headers = request.get_response_headers(**api.api_headers)
    if request.format == F_HTML:
        html = render_j2_template(
            api.tpl_config, api.config["server"]["templates"], "conformance.html", document, request.locale
        )
        return headers, HTTPStatus.OK, html
    return headers, HTTPStatus.OK, to_json(document, api.pretty_print)
