"""The commission's pages that list rows take as many queries for many rows as for one: the coming sessions with
their agendas, a session (agenda, attendance, examinations with opinions and outputs), the documents to sign
and the free slots."""

# ruff: noqa: F811 - the commission fixtures are imported into this module and requested by name

from typing import Any
from unittest import mock

import pytest
from django.test import Client

from tests.commissions.conftest import (  # noqa: F401 - fixtures: settings, PKI, in-process tasks, the world
    World,
    celery_in_process,
    commission_settings,
    pki,
    world,
)
from tests.commissions.growing import NOW, Read, assert_same_queries_as_rows_grow, files_of_each_kind, grow
from tests.permits.factories import DossierFactory

pytestmark = pytest.mark.django_db


def page(user: Any, path: str, rows: Any) -> Read:
    """Read the page (on the Monday before the first session) and count the rows `rows` finds in its context."""
    client = Client()
    client.force_login(user)

    def read() -> int:
        with mock.patch("django.utils.timezone.now", return_value=NOW):
            response = client.get(path)
        assert response.status_code == 200, path
        return int(rows(response.context))

    return read


def test_commission_pages_take_as_many_queries_for_many_rows_as_for_one(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any, django_assert_num_queries: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 3 * 365 * 24 * 3600  # the sign-in outlives the clock set to `NOW`
    files_of_each_kind(world, django_capture_on_commit_callbacks, 0, 0)
    session = world.sessions()[0]
    complete = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    president, authority = world.staff["commission_president"], world.staff["signing_authority"]

    def agendas(context: Any) -> int:
        return len(context["rows"]) + sum(len(row["agenda"]) for row in context["rows"])

    def workspace(context: Any) -> int:
        opinions = sum(len(row["consultations"]) + len(row["outputs"]) for row in context["rows"])
        return len(context["rows"]) + opinions + len(context["members"])

    def signatures(context: Any) -> int:
        return len(context["pending"]) + sum(len(file.outputs) for file in context["files"])

    def free_slots(context: Any) -> int:
        return sum(len(slots) for _day, slots in context["days"])

    reads: dict[str, Read] = {
        "sessions (member)": page(world.permanent.user, "/office/commission/", agendas),
        "sessions (president)": page(president, "/office/commission/", agendas),
        "session (member)": page(world.permanent.user, f"/office/commission/sessions/{session.pk}/", workspace),
        "session (president)": page(president, f"/office/commission/sessions/{session.pk}/", workspace),
        "documents to sign": page(authority, "/office/signatures/", signatures),
        "free slots": page(complete.applicant, f"/files/{complete.pk}/booking/", free_slots),
    }
    assert_same_queries_as_rows_grow(
        reads, lambda: grow(world, django_capture_on_commit_callbacks), django_assert_num_queries
    )
