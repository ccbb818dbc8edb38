"""The OpenAPI document is generated without errors or warnings and documents every look-up endpoint."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client


def test_schema_validates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    document = yaml.safe_load(target.read_text())
    paths = document["paths"]
    for path in (
        "/api/parcels/",
        "/api/parcels/at/",
        "/api/parcels/{parcel_id}/",
        "/api/parcels/{parcel_id}/constraints/",
        "/api/constraints/",
        "/api/precheck/",
    ):
        assert path in paths, path
    assert "requestBody" in paths["/api/precheck/"]["post"]
    assert "400" in paths["/api/constraints/"]["post"]["responses"]
    parameters = {parameter["name"] for parameter in paths["/api/parcels/"]["get"]["parameters"]}
    assert {"reference", "commune", "land_title", "bbox", "srid", "limit", "after"} <= parameters


@pytest.mark.django_db
def test_schema_is_served(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/precheck/" in response.json()["paths"]
