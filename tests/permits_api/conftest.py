"""Fixtures of the permits API tests: clients authenticated by token or by session (with CSRF), a commune with
its parcel, its staff and a small procedure; documents stored under tmp_path and tasks run in-process, as in the
domain's tests."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from gis_core.api_tokens.services import api_token_create
from parcels.models import Parcel
from permits.models import Procedure
from tests.factories import ParcelFactory
from tests.legal_path import legal_path, pki  # noqa: F401 - the legal path and the session's PKI, as fixtures
from tests.permits.conftest import (  # noqa: F401 - autouse: documents under tmp_path, tasks in-process
    celery_in_process,
    documents_storage_dir,
)
from tests.permits.factories import ProcedureFactory, commune_tree, staff_for

PROBLEM = "application/problem+json"


class SessionClient:
    """A browser-like client: session cookie, CSRF enforced, the token sent as `X-CSRFToken` like the pages' JS."""

    def __init__(self, user: User) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)
        self.csrf_token = self.client.get("/api/auth/csrf/").json()["csrf_token"]

    def get(self, path: str, data: Any = None) -> Any:
        return self.client.get(path, data)

    def post(self, path: str, data: Any = None, format: str = "json") -> Any:
        return self.client.post(
            path, data or {}, content_type="application/json", headers={"X-CSRFToken": self.csrf_token}
        )

    def patch(self, path: str, data: Any = None, format: str = "json") -> Any:
        return self.client.patch(
            path, data or {}, content_type="application/json", headers={"X-CSRFToken": self.csrf_token}
        )


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Django's cache starts empty in each test (throttles count in Redis: `tests.conftest.fresh_throttles`)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def as_token() -> Callable[[User], APIClient]:
    return token_client


@pytest.fixture
def as_session(db: Any) -> Callable[[User], SessionClient]:
    return SessionClient


@pytest.fixture
def commune(db: Any) -> Any:
    return commune_tree("CASA-ANFA")


@pytest.fixture
def parcel(commune: Any) -> Parcel:
    return ParcelFactory.create(commune=commune)


@pytest.fixture
def staff(commune: Any) -> dict[str, User]:
    return staff_for(commune)


@pytest.fixture
def procedure(db: Any) -> Procedure:
    return ProcedureFactory.create(code="small-works")


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is a problem document (RFC 9457) with this status."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert "detail" in body
    return body
