"""API tokens (`gis_core.api_tokens`): the key is shown once and only its SHA-256 is stored, it expires, it can be
revoked (the one a request is sent with, one of one's own by id, all of them), a user cannot revoke another's, and
the tokens of DRF's old clear-text table are carried over hashed and the table dropped."""

import hashlib
import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gis_core.api_tokens.models import ApiToken
from gis_core.api_tokens.services import api_token_create, api_tokens_purge_expired
from gis_core.api_tokens.tasks import api_tokens_purge_expired_task
from tests.permits.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-passphrase"
PROBLEM = "application/problem+json"


@pytest.fixture
def amina() -> User:
    user: User = UserFactory.create(username="amina")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture(autouse=True)
def fresh_throttles() -> None:
    """The password-exchange throttle counts in Django's cache: each test starts from zero."""
    cache.clear()


def exchange(name: str = "", **headers: Any) -> dict[str, Any]:
    response = APIClient().post(
        "/api/auth/token/", {"username": "amina", "password": PASSWORD, "name": name}, format="json", **headers
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def with_key(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_unauthorized(response: Any, detail: str) -> None:
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Token"
    assert detail in response.json()["detail"]


def test_the_key_is_shown_once_and_only_its_sha256_is_stored(amina: User) -> None:
    issued = exchange(name="QGIS")
    key = issued["token"]
    assert key.startswith("urbp_") and len(key) >= 40
    token = ApiToken.objects.get(pk=issued["id"])
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert (token.name, token.user) == ("QGIS", amina)
    secret = key[len(token.prefix) :]  # the prefix is kept to recognise the token; the rest never is
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM api_tokens_apitoken AS row WHERE row::text LIKE %s", [f"%{secret}%"])
        assert cursor.fetchone() == (0,)
    assert with_key(key).get("/api/me/profile/").json()["username"] == "amina"
    listed = with_key(key).get("/api/auth/tokens/").json()
    assert [(item["id"], item["current"]) for item in listed] == [(token.pk, True)]
    assert key not in str(listed)
    # a second exchange is a second token (another client), the first still works
    second = exchange()["token"]
    assert second != key and with_key(key).get("/api/me/profile/").status_code == 200


def test_a_token_expires_after_the_configured_days(amina: User, settings: Any) -> None:
    settings.API_TOKEN_TTL_DAYS = 7
    issued = exchange()
    token = ApiToken.objects.get(pk=issued["id"])
    assert abs(token.expires_at - (token.created_at + timedelta(days=7))) < timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_unauthorized(with_key(issued["token"]).get("/api/me/profile/"), "Token expired")
    assert_unauthorized(with_key(issued["token"]).get("/api/dossiers/"), "Token expired")


def test_a_wrong_key_and_a_malformed_header_are_401_problems(amina: User) -> None:
    assert_unauthorized(with_key("urbp_not-a-token").get("/api/me/profile/"), "Invalid token")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION="Token two words")
    assert_unauthorized(client.get("/api/me/profile/"), "Invalid token header")
    assert_unauthorized(APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/me/profile/"), "credentials were not provided")


def test_the_token_a_request_is_sent_with_is_revoked(amina: User) -> None:
    first, second = exchange()["token"], exchange()["token"]
    assert with_key(first).delete("/api/auth/token/").status_code == 204
    assert_unauthorized(with_key(first).get("/api/me/profile/"), "Invalid token")
    assert with_key(second).get("/api/me/profile/").status_code == 200  # the other client stays signed in
    assert_unauthorized(APIClient(HTTP_ACCEPT_LANGUAGE="en").delete("/api/auth/token/"), "credentials were not")


def test_a_revoked_token_by_id_and_all_tokens_at_once(amina: User) -> None:
    first, second, third = (exchange(name=name) for name in ("a", "b", "c"))
    client = with_key(first["token"])
    assert client.delete(f"/api/auth/tokens/{second['id']}/").status_code == 204
    assert_unauthorized(with_key(second["token"]).get("/api/me/profile/"), "Invalid token")
    assert {item["name"] for item in client.get("/api/auth/tokens/").json()} == {"a", "c"}
    assert client.delete("/api/auth/tokens/").status_code == 204  # sign out everywhere, this client too
    for issued in (first, third):
        assert_unauthorized(with_key(issued["token"]).get("/api/me/profile/"), "Invalid token")
    assert not ApiToken.objects.filter(user=amina).exists()


def test_a_user_cannot_see_nor_revoke_another_users_token(amina: User) -> None:
    mine = exchange()["token"]
    other = UserFactory.create(username="karim")
    theirs = api_token_create(user=other)
    response = with_key(mine).delete(f"/api/auth/tokens/{theirs.token.pk}/")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert [item["id"] for item in with_key(mine).get("/api/auth/tokens/").json()] != [theirs.token.pk]
    assert with_key(theirs.key).get("/api/me/profile/").json()["username"] == "karim"
    with_key(mine).delete("/api/auth/tokens/")  # all MY tokens
    assert with_key(theirs.key).get("/api/me/profile/").status_code == 200


def test_a_stale_header_does_not_stop_a_password_exchange(amina: User) -> None:
    """A client that always sends its (expired) token can still exchange its password for a new one."""
    assert exchange(HTTP_AUTHORIZATION="Token urbp_expired-or-revoked")["token"]


def test_the_last_use_is_recorded_at_most_once_a_minute(amina: User) -> None:
    issued = exchange()
    token = ApiToken.objects.get(pk=issued["id"])
    assert token.last_used_at is None
    client = with_key(issued["token"])
    client.get("/api/me/profile/")
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    client.get("/api/me/profile/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    client.get("/api/me/profile/")
    last_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert last_use is not None and last_use > first_use


def test_the_daily_purge_deletes_the_expired_tokens_only(amina: User) -> None:
    live, expired = api_token_create(user=amina), api_token_create(user=amina)
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert api_tokens_purge_expired_task() == 1
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [live.token.pk]
    assert api_tokens_purge_expired() == 0


def test_an_operator_creates_a_token_for_a_program(amina: User, capsys: Any) -> None:
    call_command("api_token_create", "amina", "--name", "nightly export")
    key = capsys.readouterr().out.split()[0]
    assert with_key(key).get("/api/me/profile/").json()["username"] == "amina"
    assert ApiToken.objects.get(user=amina).name == "nightly export"


def test_the_clear_text_tokens_of_drf_are_carried_over_hashed_and_their_table_dropped(amina: User) -> None:
    migration = importlib.import_module("gis_core.api_tokens.migrations.0002_carry_over_drf_tokens")
    with connection.cursor() as cursor:  # DRF's table as `rest_framework.authtoken` left it (rolled back after)
        cursor.execute(f'DROP TABLE IF EXISTS "{migration.DRF_TABLE}"')
        cursor.execute(
            f'CREATE TABLE "{migration.DRF_TABLE}" (key varchar(40) PRIMARY KEY, created timestamptz, user_id integer)'
        )
        cursor.execute(
            f'INSERT INTO "{migration.DRF_TABLE}" VALUES (%s, now(), %s)',
            ["0123456789abcdef0123456789abcdef01234567", amina.pk],
        )
    from django.apps import apps

    with connection.schema_editor() as editor:
        migration.carry_over(apps, editor)
    assert migration.DRF_TABLE not in connection.introspection.table_names()
    assert with_key("0123456789abcdef0123456789abcdef01234567").get("/api/me/profile/").status_code == 200
    token = ApiToken.objects.get(user=amina)
    assert token.expires_at > timezone.now() + timedelta(days=29)


def test_the_openapi_document_describes_the_token_scheme_and_endpoints() -> None:
    document = Client().get("/api/schema/?format=json").json()
    assert document["components"]["securitySchemes"]["tokenAuth"] | {"description": ""} == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "",
    }
    assert document["paths"]["/api/auth/token/"]["delete"]["security"] == [{"tokenAuth": []}]
    assert document["paths"]["/api/auth/token/"]["post"].get("security") in (None, [])
    assert {"get", "delete"} <= set(document["paths"]["/api/auth/tokens/"])
    assert "404" in document["paths"]["/api/auth/tokens/{token_id}/"]["delete"]["responses"]
    listed = document["components"]["schemas"]["ApiTokenOutput"]["properties"]
    assert {"prefix", "created_at", "last_used_at", "expires_at", "current"} <= set(listed)


def test_a_user_holds_a_bounded_number_of_live_tokens(amina: User, settings: Any) -> None:
    settings.API_TOKEN_MAX_PER_USER = 2
    first, _second = exchange(), exchange()
    refused = APIClient().post("/api/auth/token/", {"username": "amina", "password": PASSWORD}, format="json")
    assert refused.status_code == 409 and refused["Content-Type"] == PROBLEM
    assert "revoke one first" in refused.json()["detail"]
    assert ApiToken.objects.filter(user=amina).count() == 2
    with_key(first["token"]).delete("/api/auth/token/")
    assert exchange()["token"]
    ApiToken.objects.filter(user=amina).update(expires_at=timezone.now())  # expired tokens do not count
    assert exchange()["token"] and exchange()["token"]
