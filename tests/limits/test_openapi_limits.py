"""The OpenAPI document tells a client the limits' answers of each route they apply to (`gis_core.limits.schema`):
429 with `Retry-After` where a throttle applies, 413 where a body is sent (with the upload endpoint's own cap),
503 with `Retry-After` where the public reader's statement timeout applies; each a problem document. And the
server answers them as documented."""

from typing import Any

import pytest
from django.test import Client

from gis_core.problems import PROBLEM_CONTENT_TYPE

pytestmark = pytest.mark.django_db


@pytest.fixture
def paths() -> dict[str, Any]:
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return dict(response.json()["paths"])


def answers(paths: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return {code: body for code, body in paths[path][method]["responses"].items() if code in {"413", "429", "503"}}


def assert_problem(answer: dict[str, Any], *, retry_after: bool) -> None:
    assert answer["content"][PROBLEM_CONTENT_TYPE]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert ("Retry-After" in answer.get("headers", {})) is retry_after


def test_public_look_ups_document_throttling_and_the_statement_timeout(paths: dict[str, Any], settings: Any) -> None:
    parcels = answers(paths, "/api/parcels/", "get")
    assert set(parcels) == {"429", "503"}, "a read sends no body"
    assert settings.THROTTLE_RATES["public-api"] in parcels["429"]["description"]
    assert_problem(parcels["429"], retry_after=True)
    assert_problem(parcels["503"], retry_after=True)
    precheck = answers(paths, "/api/precheck/", "post")
    assert set(precheck) == {"413", "429", "503"}
    assert_problem(precheck["413"], retry_after=False)
    assert str(settings.REQUEST_MAX_BODY_BYTES) in precheck["413"]["description"]


def test_uploads_document_their_own_cap_and_files_no_throttle(paths: dict[str, Any], settings: Any) -> None:
    upload = answers(paths, "/api/dossiers/{dossier_id}/documents/", "post")
    assert set(upload) == {"413"}, "authenticated file routes are not throttled nor read through the reader"
    assert str(settings.DOCUMENTS_MAX_UPLOAD_BYTES) in upload["413"]["description"]
    footprint = answers(paths, "/api/dossiers/{dossier_id}/footprint/", "post")
    assert str(settings.FOOTPRINT_MAX_UPLOAD_BYTES) in footprint["413"]["description"]
    assert answers(paths, "/api/dossiers/{dossier_id}/documents/", "get") == {}
    assert answers(paths, "/api/dossiers/", "get") == {}


def test_the_token_exchange_documents_throttling_and_lockout(paths: dict[str, Any]) -> None:
    token = answers(paths, "/api/auth/token/", "post")
    assert {"413", "429"} <= set(token)
    assert "Retry-After" in token["429"]["headers"]


def test_the_server_answers_as_documented(settings: Any) -> None:
    settings.REQUEST_MAX_BODY_BYTES = 1000
    response = Client().post("/api/precheck/", data=b"{" + b" " * 2000 + b"}", content_type="application/json")
    assert response.status_code == 413 and response["Content-Type"] == PROBLEM_CONTENT_TYPE
