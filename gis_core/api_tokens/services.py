"""Writes of the API tokens: create (the key is returned once), record a use, revoke, purge the expired."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gis_core.api_tokens.errors import ApiTokenLimitReached, ApiTokenNotFound
from gis_core.api_tokens.models import ApiToken
from gis_core.api_tokens.selectors import api_token_digest, api_tokens_of

KEY_PREFIX = "urbp_"  # recognisable by people and secret scanners
PREFIX_LENGTH = 12  # "urbp_" and 7 characters of the key, kept to recognise a token in a list
LAST_USED_RESOLUTION = timedelta(minutes=1)  # `last_used_at` is written at most once a minute per token


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown to the user once; only its digest is stored


@transaction.atomic
def api_token_create(*, user: Any, name: str = "") -> IssuedToken:
    """A new token for the user, expiring `API_TOKEN_TTL_DAYS` from now; `ApiTokenLimitReached` when the user holds
    `API_TOKEN_MAX_PER_USER` live tokens already (a script that asks for a token on every run is told)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one creation of the user's at a time
    if api_tokens_of(user=user).count() >= settings.API_TOKEN_MAX_PER_USER:
        raise ApiTokenLimitReached(
            f"You hold {settings.API_TOKEN_MAX_PER_USER} tokens that have not expired: revoke one first."
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=key[:PREFIX_LENGTH],
        digest=api_token_digest(key),
        created_at=now,
        expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return IssuedToken(token=token, key=key)


def api_token_used(*, token: ApiToken) -> None:
    """Record that the token authenticated a request (at most one write a minute)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def api_token_revoke(*, user: Any, token_id: int) -> None:
    """Revoke one of the user's own tokens; `ApiTokenNotFound` for any other id (another user's too)."""
    deleted, _ = ApiToken.objects.filter(user_id=user.pk, pk=token_id).delete()
    if not deleted:
        raise ApiTokenNotFound("No such token among yours.")


def api_tokens_revoke_all(*, user: Any) -> int:
    """Revoke every token of the user (signed out everywhere); how many were live."""
    live = api_tokens_of(user=user).count()
    ApiToken.objects.filter(user_id=user.pk).delete()
    return live


def api_tokens_purge_expired() -> int:
    """Delete the expired tokens; how many."""
    deleted, _ = ApiToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
