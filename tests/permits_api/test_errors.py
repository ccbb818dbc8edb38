"""Errors are problem documents (application/problem+json), never 500s: 400 for invalid input, 403 for a role
that may not act on a file it sees (or a missing CSRF token), 409 for an action the file's state refuses, 405
and 415 for a wrong method or body type."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from permits.models import Dossier
from tests.permits.factories import DossierFactory, UserFactory
from tests.permits_api.conftest import assert_problem, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(db: Any) -> User:
    return UserFactory.create(username="applicant")


@pytest.fixture
def client(applicant: User) -> APIClient:
    return token_client(applicant)


def create_body(commune: Any, procedure: Any, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"procedure": procedure.code, "commune": commune.code, "footprint": "POLYGON((-71.11995 42.37005, "
            "-71.11975 42.37005, -71.11975 42.37025, -71.11995 42.37025, -71.11995 42.37005))"}  # fmt: skip
    body.update(changes or {})
    return {key: value for key, value in body.items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"procedure": None}, "procedure"),
        ({"procedure": "no-such-procedure"}, "procedure"),
        ({"commune": "NOWHERE"}, "commune"),
        ({"footprint": 42}, "footprint"),
        ({"footprint": "POLYGON((0 0, 1 1"}, None),
        ({"footprint": {"type": "Point", "coordinates": [-71.1, 42.37]}}, None),
        ({"footprint": "POLYGON((10 10, 11 10, 11 11, 10 11, 10 10))"}, None),  # outside the commune
        ({"footprint_srid": 0}, "footprint_srid"),
        ({"footprint_srid": 999999}, None),
        ({"parcels": ["x"]}, "parcels"),
        ({"parcels": [10**9]}, None),
        ({"floors": -1}, "floors"),
        ({"height_m": "tall"}, "height_m"),
        ({"establishment_class": 2}, None),
        ({"applicant": "nobody-by-that-name"}, "applicant"),
        ({"parent_dossier": "one"}, "parent_dossier"),
    ],
)
def test_invalid_creation_is_a_400(
    client: APIClient, commune: Any, procedure: Any, changes: dict[str, Any], field: str | None
) -> None:
    response = client.post("/api/dossiers/", create_body(commune, procedure, changes), format="json")
    body = assert_problem(response, 400)
    if field is not None:
        assert field in body["errors"], body
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"[1, 2]", b"{not json", b'"a string"', b"null", b'{"height_m": NaN}', b'{"height_m": Infinity}'],
)
def test_malformed_bodies_are_a_400(client: APIClient, raw: bytes) -> None:
    assert_problem(client.post("/api/dossiers/", raw, content_type="application/json"), 400)


def test_wrong_media_type_and_method(client: APIClient) -> None:
    assert_problem(client.post("/api/dossiers/", "a=b", content_type="application/x-www-form-urlencoded"), 415)
    assert_problem(client.delete("/api/dossiers/"), 405)


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "limit=0&offset=-1&status=draft&status=nope"],
)
def test_invalid_filters(client: APIClient, query: str) -> None:
    assert_problem(client.get(f"/api/dossiers/?{query}"), 400)


def test_invalid_inputs_on_a_filed_file(
    commune: Any, staff: dict[str, Any], as_token: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = DossierFactory.create(commune=commune, under_instruction=True)
    base = f"/api/dossiers/{dossier.pk}/"
    desk = as_token(staff["desk_agent"])
    assert_problem(desk.get(f"{base}deadlines/?all_rounds=perhaps"), 400)
    assert_problem(desk.get(f"{base}remarks/?round=first"), 400)
    assert_problem(desk.post(f"{base}completeness/", {"complete": "maybe"}, format="json"), 400)
    assert_problem(desk.post(f"{base}remarks/", {"text": ""}, format="json"), 400)
    assert_problem(desk.post(f"{base}remarks/", {"text": "ok", "location": [1, 2]}, format="json"), 400)
    assert_problem(desk.post(f"{base}decide-without-commission/", {"decision": "maybe"}, format="json"), 400)
    consultation = dossier.consultations.get()
    member = as_token(_member(consultation.agency))
    opinion = f"/api/consultations/{consultation.pk}/opinion/"
    assert_problem(member.post(opinion, {"opinion": "meh"}, format="json"), 400)
    body = assert_problem(member.post(opinion, {"opinion": "unfavourable"}, format="json"), 400)
    assert "motivated" in body["detail"]


def test_profile_and_token_errors(client: APIClient) -> None:
    assert_problem(client.patch("/api/me/profile/", {"preferred_language": "de"}, format="json"), 400)
    assert_problem(client.patch("/api/me/profile/", {"notify_by_sms": True}, format="json"), 400)
    assert_problem(APIClient().post("/api/auth/token/", {"username": "applicant", "password": "x"}, format="json"), 400)
    assert_problem(APIClient().post("/api/auth/token/", {}, format="json"), 400)


def test_illegal_transitions_are_a_409(
    commune: Any, staff: dict[str, Any], as_token: Any, django_capture_on_commit_callbacks: Any
) -> None:
    submitted = DossierFactory.create(commune=commune, submitted=True)
    owner = as_token(submitted.applicant)
    body = assert_problem(owner.post(f"/api/dossiers/{submitted.pk}/submit/"), 409)
    assert body["current_status"] == "submitted"
    assert_problem(owner.patch(f"/api/dossiers/{submitted.pk}/", {"title": "late"}, format="json"), 400)

    instructed = DossierFactory.create(commune=commune, under_instruction=True)
    desk = as_token(staff["desk_agent"])
    assert_problem(desk.post(f"/api/dossiers/{instructed.pk}/completeness/", {"complete": True}, format="json"), 409)
    body = assert_problem(desk.post(f"/api/dossiers/{instructed.pk}/send-to-commission/"), 409)
    assert "opinion" in body["detail"]
    assert_problem(desk.post(f"/api/dossiers/{instructed.pk}/remarks/send/"), 409)
    remark = desk.post(f"/api/dossiers/{instructed.pk}/remarks/", {"text": "why?"}, format="json").json()
    close = f"/api/dossiers/{instructed.pk}/remarks/{remark['id']}/close/"
    assert_problem(desk.post(close), 409)  # not answered yet
    reply = f"/api/dossiers/{instructed.pk}/remarks/{remark['id']}/reply/"
    assert_problem(as_token(instructed.applicant).post(reply, {"text": "because"}, format="json"), 409)
    president = as_token(staff["commission_president"])
    unfavourable = {"decision": "unfavourable"}
    service_decision = f"/api/dossiers/{instructed.pk}/decide-without-commission/"
    assert_problem(president.post(service_decision, unfavourable, format="json"), 409)

    withdrawn = DossierFactory.create(commune=commune, withdrawn=True)
    assert_problem(as_token(withdrawn.applicant).post(f"/api/dossiers/{withdrawn.pk}/withdraw/"), 409)


def test_a_role_that_sees_the_file_but_may_not_act_gets_403(
    commune: Any, staff: dict[str, Any], as_token: Any, django_capture_on_commit_callbacks: Any
) -> None:
    submitted = DossierFactory.create(commune=commune, submitted=True)
    owner = as_token(submitted.applicant)
    assert_problem(owner.post(f"/api/dossiers/{submitted.pk}/completeness/", {"complete": True}, format="json"), 403)
    desk = as_token(staff["desk_agent"])
    assert_problem(desk.post(f"/api/dossiers/{submitted.pk}/withdraw/"), 403)
    assert_problem(desk.patch(f"/api/dossiers/{submitted.pk}/", {"title": "mine"}, format="json"), 403)
    instructed = DossierFactory.create(commune=commune, under_instruction=True)
    consultation = instructed.consultations.get()
    opinion = {"opinion": "favourable"}
    path = f"/api/consultations/{consultation.pk}/opinion/"
    assert_problem(as_token(instructed.applicant).post(path, opinion, format="json"), 403)
    assert_problem(desk.post(path, opinion, format="json"), 403)


def test_session_without_csrf_token_is_refused(commune: Any, procedure: Any, applicant: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(applicant)
    assert browser.get("/api/dossiers/").status_code == 200  # safe methods need no token
    response = browser.post("/api/dossiers/", create_body(commune, procedure), content_type="application/json")
    body = assert_problem(response, 403)
    assert "CSRF" in body["detail"]
    assert not Dossier.objects.exists()


def _member(agency: Any) -> User:
    from tests.permits.factories import member_for

    return member_for(agency)


def test_password_guessing_is_throttled(applicant: User, settings: Any) -> None:
    """The sign-in rate counts per address, whatever the username (each one also locks after a few failures)."""
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "sign-in": "10/hour"}
    guesses = [
        APIClient().post("/api/auth/token/", {"username": f"user-{n}", "password": f"guess-{n}"}, format="json")
        for n in range(11)
    ]
    assert [response.status_code for response in guesses] == [400] * 10 + [429]
    assert_problem(guesses[-1], 429)
    assert int(guesses[-1]["Retry-After"]) >= 1
