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
