"""The account's API tokens page (/accounts/tokens/): create a token (its key shown on that response only, never
cached), the list (created, last used, expires), revoke one, revoke all; another user's token is out of reach."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from gis_core.api_tokens.models import ApiToken
from gis_core.api_tokens.services import api_token_create
from tests.permits.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def amina() -> User:
    user: User = UserFactory.create(username="amina")
    return user


@pytest.fixture
def browser(amina: User) -> Client:
    client = Client()
    client.force_login(amina)
    return client


def works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return bool(client.get("/api/me/profile/").status_code == 200)


def test_a_token_is_created_shown_once_and_listed(browser: Client, amina: User) -> None:
    created = browser.post("/accounts/tokens/", {"name": "QGIS"})
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    key = re.search(r'id="new-token-key" readonly value="([^"]+)"', created.content.decode())
    assert key
    token = ApiToken.objects.get(user=amina)
    page = browser.get("/accounts/tokens/").content.decode()
    assert key.group(1) not in page  # shown once
    assert f'data-token="{token.pk}"' in page and "QGIS" in page and f"{token.prefix}…" in page
    assert "Jamais" in page  # never used yet (the page is in French by default)
    assert works(key.group(1))
    assert "Jamais" not in browser.get("/accounts/tokens/").content.decode()


def test_revoke_one_then_all(browser: Client, amina: User) -> None:
    first, second, third = (api_token_create(user=amina, name=name) for name in ("a", "b", "c"))
    response = browser.post(f"/accounts/tokens/{first.token.pk}/revoke/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/tokens/"
    assert not works(first.key) and works(second.key)
    assert f'data-token="{first.token.pk}"' not in response.content.decode()
    browser.post("/accounts/tokens/revoke-all/")
    assert not works(second.key) and not works(third.key)
    assert "Vous n\u2019avez aucun jeton." in browser.get("/accounts/tokens/").content.decode()


def test_another_users_token_cannot_be_revoked_from_the_page(browser: Client, amina: User) -> None:
    theirs = api_token_create(user=UserFactory.create(username="karim"))
    mine = api_token_create(user=amina)
    response = browser.post(f"/accounts/tokens/{theirs.token.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert "message-error" in response.content.decode()
    assert works(theirs.key)
    page = browser.get("/accounts/tokens/").content.decode()
    assert f'data-token="{theirs.token.pk}"' not in page and f'data-token="{mine.token.pk}"' in page
    browser.post("/accounts/tokens/revoke-all/")
    assert works(theirs.key)


def test_the_page_needs_a_signed_in_user_and_revoking_needs_a_post(client: Client, browser: Client, amina: Any) -> None:
    assert client.get("/accounts/tokens/")["Location"].startswith("/accounts/login/")
    token = api_token_create(user=amina)
    assert browser.get(f"/accounts/tokens/{token.token.pk}/revoke/").status_code == 405
    assert works(token.key)


def test_past_the_limit_the_page_says_so_and_creates_nothing(browser: Client, amina: User, settings: Any) -> None:
    settings.API_TOKEN_MAX_PER_USER = 1
    api_token_create(user=amina)
    response = browser.post("/accounts/tokens/", {"name": "one too many"})
    page = response.content.decode()
    assert response.status_code == 200 and "message-error" in page and 'id="new-token-key"' not in page
    assert ApiToken.objects.filter(user=amina).count() == 1
