"""Errors reach API clients as problem documents, never as HTML pages."""

import pytest
from django.test import Client, RequestFactory

from gis_core.problems import server_error_view


@pytest.mark.django_db
def test_unknown_api_path_is_a_problem_document(client: Client) -> None:
    response = client.get("/api/parcels/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and "/api/parcels/not-a-number/" in body["detail"]


@pytest.mark.django_db
def test_unknown_page_stays_html(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "problem+json" not in response["Content-Type"]


def test_unexpected_api_error_is_a_problem_document() -> None:
    request = RequestFactory().get("/api/anything/")
    response = server_error_view(request)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_problem_documents_keep_the_headers_clients_rely_on(client: Client) -> None:
    anonymous = client.get("/api/dossiers/")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"
    assert anonymous.has_header("WWW-Authenticate")
    wrong_method = client.delete("/api/procedures/", HTTP_AUTHORIZATION="Token nope")
    assert wrong_method.status_code in (401, 405)
    not_allowed = client.put("/api/parcels/at/?lon=0&lat=0")
    assert not_allowed.status_code == 405 and "GET" in not_allowed["Allow"]


@pytest.mark.django_db
def test_a_value_the_database_refuses_is_a_400_not_a_500(client: Client) -> None:
    from django.contrib.auth import get_user_model

    from gis_core.api_tokens.services import api_token_create

    user = get_user_model().objects.create_user("nul-tester", password="x")
    key = api_token_create(user=user).key
    response = client.post(
        "/api/dossiers/",
        {"procedure": "building\u0000permit", "commune": "X"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
