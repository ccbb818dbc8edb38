"""Reads of the API tokens: a user's live tokens, and the token a key stands for."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from gis_core.api_tokens.models import ApiToken


def api_token_digest(key: str) -> str:
    """The SHA-256 of a key, as stored. Keys are 256 random bits: a fast hash is enough (nothing to brute-force)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """The user's tokens that have not expired, the newest first."""
    return ApiToken.objects.filter(user_id=user.pk, expires_at__gt=timezone.now())


def api_token_for_key(*, key: str) -> ApiToken | None:
    """The token of this key, with its user, expired or not; None for a key that is not (or no longer) a token."""
    return ApiToken.objects.select_related("user").filter(digest=api_token_digest(key)).first()
