"""The commission's API lists take as many queries for many rows as for one: the coming sessions with their
agendas, one session, its attendance, the signatures waiting for the user and a file's free slots."""

# ruff: noqa: F811 - the commission fixtures are imported into this module and requested by name

from typing import Any
from unittest import mock

import pytest

from tests.commissions.conftest import (  # noqa: F401 - fixtures: settings, PKI, in-process tasks, the world
    World,
    celery_in_process,
    commission_settings,
    pki,
    world,
)
from tests.commissions.growing import NOW, Read, assert_same_queries_as_rows_grow, files_of_each_kind, grow
from tests.permits.factories import DossierFactory
from tests.permits_api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_storage_dir() -> None:
    """The commission fixtures (`commission_settings`) already store documents under tmp_path."""


def endpoint(user: Any, path: str, rows: Any) -> Read:
    """GET the endpoint (on the Monday before the first session) and count the rows `rows` finds in its JSON."""
    client = token_client(user)

    def read() -> int:
        with mock.patch("django.utils.timezone.now", return_value=NOW):
            response = client.get(path)
        assert response.status_code == 200, path
        return int(rows(response.json()))

    return read


def test_commission_endpoints_take_as_many_queries_for_many_rows_as_for_one(
    world: World, django_capture_on_commit_callbacks: Any, django_assert_num_queries: Any
) -> None:
    files_of_each_kind(world, django_capture_on_commit_callbacks, 0, 0)
    session = world.sessions()[0]
    complete = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    president, authority = world.staff["commission_president"], world.staff["signing_authority"]

    def agendas(sessions: list[dict[str, Any]]) -> int:
        return len(sessions) + sum(len(item["agenda"]) for item in sessions)

    reads: dict[str, Read] = {
        "sessions (member)": endpoint(world.permanent.user, "/api/commission/sessions/", agendas),
        "sessions (president)": endpoint(president, "/api/commission/sessions/", agendas),
        "session": endpoint(president, f"/api/commission/sessions/{session.pk}/", lambda item: len(item["agenda"])),
        "attendance": endpoint(
            president, f"/api/commission/sessions/{session.pk}/attendance/", lambda data: len(data["members"])
        ),
        "signatures": endpoint(authority, "/api/commission/signatures/", len),
        "free slots": endpoint(complete.applicant, f"/api/dossiers/{complete.pk}/commission/slots/", len),
    }
    assert_same_queries_as_rows_grow(
        reads, lambda: grow(world, django_capture_on_commit_callbacks), django_assert_num_queries
    )
