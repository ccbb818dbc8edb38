"""Nobody reaches another's file through the API by guessing an id: for every role against every kind of file
(the applicant's draft, a filed file of their commune, a filed file of another commune), each endpoint of a file
the role may not see — reads, edits, workflow actions, remarks, consultations — answers 404, the same problem
as for an id that does not exist. Anonymous requests get 401 on every permits endpoint.

The roles and what each may see come from the domain's visibility tests (`tests/permits/test_visibility.py`).
"""

import re
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver
from rest_framework.test import APIClient

from permits import services
from permits.api import urls as permits_urls
from permits.models import Consultation
from tests.permits.factories import ADDRESS, staff_for, upload_file
from tests.permits.test_visibility import DRAFT_A, EXPECTED, FILED_A, FILED_B, world  # noqa: F401  (a fixture)
from tests.permits_api.conftest import assert_problem, token_client

pytestmark = pytest.mark.django_db

UNKNOWN_ID = 10**9
READS = ("", "deadlines/", "overlaps/", "rounds/", "history/", "remarks/", "documents/")
ACTIONS = ("submit/", "completeness/", "withdraw/", "send-to-commission/", "decide/", "sign/", "publish/")
ACTION_BODIES: dict[str, dict[str, Any]] = {
    "completeness/": {"complete": True},
    "decide/": {"decision": "favourable"},
}


def requests_on(
    dossier_id: int, remark_id: int, consultation_id: int, document_id: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """Every request that touches one file: (method, path, body)."""
    base = f"/api/dossiers/{dossier_id}/"
    requests: list[tuple[str, str, dict[str, Any]]] = [("get", base + path, {}) for path in READS]
    requests.append(("patch", base, {"title": "mine now"}))
    requests += [("post", base + path, ACTION_BODIES.get(path, {})) for path in ACTIONS]
    requests += [
        ("post", base + "remarks/", {"text": "a remark"}),
        ("post", base + "remarks/send/", {}),
        ("post", f"{base}remarks/{remark_id}/reply/", {"text": "a reply"}),
        ("post", f"{base}remarks/{remark_id}/close/", {}),
        ("post", f"/api/consultations/{consultation_id}/opinion/", {"opinion": "unfavourable", "motivation": "no"}),
        ("post", base + "documents/", {}),
        ("get", f"{base}documents/{document_id}/download/", {}),
        ("post", base + "footprint/", {}),
    ]
    return requests


@pytest.fixture
def api_world(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """The domain's world, each filed file with a remark issued by its commune's desk, the draft with a document."""
    draft = world["files"][DRAFT_A]
    document = services.document_upload(
        actor=draft.applicant, address=ADDRESS, dossier=draft, document_type="other", uploaded_file=upload_file()
    )
    remarks = {}
    for name in (FILED_A, FILED_B):
        dossier = world["files"][name]
        desk = staff_for(dossier.commune)["desk_agent"]
        remarks[name] = services.remark_issue(actor=desk, address=ADDRESS, dossier=dossier, text="Which setback?")
    return {**world, "remarks": remarks, "document": document}


def send(client: APIClient, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(path, body, format="json")


@pytest.mark.parametrize("role", sorted(set(EXPECTED) - {"anonymous"}))
def test_no_file_is_reached_by_guessing_its_id(api_world: dict[str, Any], role: str) -> None:
    client = token_client(api_world["users"][role])
    files = api_world["files"]
    listed = {item["id"] for item in client.get("/api/dossiers/").json()["results"]}
    assert listed == {files[name].pk for name in EXPECTED[role]}
    for name, dossier in files.items():
        remark = api_world["remarks"].get(name) or api_world["remarks"][FILED_A]
        consultation = Consultation.objects.filter(dossier=dossier).first() or Consultation.objects.first()
        assert consultation is not None
        if name in EXPECTED[role]:
            for path in READS:
                response = client.get(f"/api/dossiers/{dossier.pk}/{path}")
                assert response.status_code == 200, (role, name, path, response.content[:300])
            continue
        for method, path, body in requests_on(dossier.pk, remark.pk, consultation.pk, api_world["document"].pk):
            if "/api/consultations/" in path and consultation.dossier_id != dossier.pk:
                continue  # a draft has no consultation of its own
            response = send(client, method, path, body)
            assert response.status_code == 404, (role, name, method, path, response.content[:300])
            assert_problem(response, 404)
    # A remark of a file one may not see is not reached through a file one may see.
    for name in EXPECTED[role]:
        for other, remark in api_world["remarks"].items():
            if other in EXPECTED[role]:
                continue
            for action in ("reply", "close"):
                path = f"/api/dossiers/{files[name].pk}/remarks/{remark.pk}/{action}/"
                assert_problem(send(client, "post", path, {"text": "guess"}), 404)
    # Nor a document of a file one may not see (or of another file) through a file one may see.
    for name in EXPECTED[role] - {DRAFT_A}:
        path = f"/api/dossiers/{files[name].pk}/documents/{api_world['document'].pk}/download/"
        assert_problem(client.get(path), 404)
    if DRAFT_A in EXPECTED[role]:
        response = client.get(f"/api/dossiers/{files[DRAFT_A].pk}/documents/{api_world['document'].pk}/download/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    for method, path, body in requests_on(UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID):
        assert_problem(send(client, method, path, body), 404)


def permits_routes() -> list[str]:
    """Every permits API path, with 1 for each id."""
    prefix = "/api/"
    paths = []
    for pattern in permits_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        paths.append(prefix + re.sub(r"<int:\w+>", "1", str(pattern.pattern)))
    return paths


PUBLIC_PATHS = {"/api/auth/token/", "/api/auth/csrf/"}


@pytest.mark.parametrize("path", sorted(set(permits_routes()) - PUBLIC_PATHS))
def test_anonymous_gets_401_everywhere(db: Any, path: str) -> None:
    resolved = get_resolver().resolve(path)
    view_class = resolved.func.view_class  # type: ignore[attr-defined]
    methods = [method for method in ("get", "post", "patch", "delete") if hasattr(view_class, method)]
    assert methods
    for method in methods:
        response = send(APIClient(), method, path, {})
        assert_problem(response, 401)
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert_problem(send(bad_token, methods[0], path, {}), 401)
