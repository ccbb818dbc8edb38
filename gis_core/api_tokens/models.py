"""An API token: a user's key for programs, known here by its SHA-256 digest only."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)  # what the user calls it: "QGIS on my laptop"
    prefix = models.CharField(max_length=12)  # the key's first characters, to recognise it in a list
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the key, hexadecimal
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())
