"""The OpenAPI document covers every permits operation (request and response schemas, problems, security), and
schemathesis, driven by that document, finds neither a server error nor a response that contradicts its schema
on the permits endpoints (bounded examples, an authenticated session, half the cases on a real file)."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from gis_core.api_tokens.services import api_token_create
from permits.api import urls as permits_urls
from tests.permits.factories import DossierFactory

PUBLIC = {"/api/auth/token/", "/api/auth/csrf/"}


def permits_paths() -> set[str]:
    return {"/api/" + re.sub(r"<int:(\w+)>", r"{\1}", str(pattern.pattern)) for pattern in permits_urls.urlpatterns}


def test_every_permits_operation_is_documented(tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    document = yaml.safe_load(target.read_text())
    assert {"tokenAuth", "cookieAuth"} <= set(document["components"]["securitySchemes"])
    missing = permits_paths() - set(document["paths"])
    assert not missing, missing
    for path in permits_paths():
        for method, operation in document["paths"][path].items():
            assert operation.get("summary"), (method, path)
            responses = operation["responses"]
            assert any(code.startswith("2") or code == "304" for code in responses), (method, path)
            if path in PUBLIC:
                continue
            assert operation["security"] == [{"tokenAuth": []}, {"cookieAuth": []}], (method, path)
            assert "401" in responses, (method, path)
            if "{dossier_id}" in path:
                assert "404" in responses, (method, path)
    with_bodies = [
        ("post", "/api/dossiers/"),
        ("patch", "/api/dossiers/{dossier_id}/"),
        ("post", "/api/dossiers/{dossier_id}/completeness/"),
        ("post", "/api/dossiers/{dossier_id}/decide-without-commission/"),
        ("post", "/api/dossiers/{dossier_id}/remarks/"),
        ("post", "/api/dossiers/{dossier_id}/remarks/{remark_id}/reply/"),
        ("post", "/api/consultations/{consultation_id}/opinion/"),
        ("patch", "/api/me/profile/"),
    ]
    for method, path in with_bodies:
        assert "application/json" in document["paths"][path][method]["requestBody"]["content"], (method, path)
    actions = ("submit", "completeness", "withdraw", "send-to-commission", "decide-without-commission")
    for action in actions:
        assert "409" in document["paths"][f"/api/dossiers/{{dossier_id}}/{action}/"]["post"]["responses"]
    for gone in ("decide", "sign", "publish"):  # a file is decided in session, signed and published by its signatures
        assert f"/api/dossiers/{{dossier_id}}/{gone}/" not in document["paths"]
    service_decision = document["paths"]["/api/dossiers/{dossier_id}/decide-without-commission/"]["post"]
    assert "commission/examinations/{examination_id}/decide/" in service_decision["description"]
    upload = document["paths"]["/api/dossiers/{dossier_id}/documents/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI application called in-process, in the test's transaction: the connection stays open between
    requests (as Django's test client does), so the requests see the test's rows."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_schemathesis_finds_no_server_error_on_the_permits_api(
    commune: Any, staff: dict[str, Any], wsgi_app: WSGIHandler
) -> None:
    dossier = DossierFactory.create(commune=commune)
    token = "Token " + api_token_create(user=dossier.applicant).key
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    wanted = permits_paths() - PUBLIC - {"/api/auth/tokens/"}  # revoking all would revoke the test's token
    operations = [
        result.ok() for result in schema.get_all_operations() if isinstance(result, Ok) and result.ok().path in wanted
    ]
    assert len(operations) >= 29
    statuses: list[int] = []
    ids = {"dossier_id": dossier.pk, "remark_id": 1, "consultation_id": 1, "document_id": 1}
    ids |= {"session_id": 1, "examination_id": 1, "request_id": 1, "output_id": 1}  # the commission's endpoints
    ids |= {"mandate_id": 1, "inspection_id": 1}
    ids |= {"annotation_id": 1, "page": 1}  # the plan review's endpoints
    ids["token_id"] = api_token_create(user=dossier.applicant, name="another").token.pk  # not the test's own
    for operation in operations:

        @settings(
            max_examples=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), on_the_file=st.booleans())
        def call(case: Any, on_the_file: bool) -> None:
            if on_the_file:
                for name in case.path_parameters or {}:
                    case.path_parameters[name] = ids[name]
            response = case.call_and_validate(
                headers={"Authorization": token},
                checks=[not_a_server_error, response_schema_conformance],
            )
            statuses.append(response.status_code)

        call()
    assert len(statuses) >= 3 * len(operations)
    assert {200, 400, 404} <= set(statuses), sorted(set(statuses))
