"""The append-only, hash-chained audit trail. Rows are never updated or deleted (model guard + PostgreSQL trigger)."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AuditTrailImmutable(RuntimeError):
    """Someone tried to change or delete an audit event."""


class AuditEvent(models.Model):
    sequence = models.BigIntegerField(unique=True, help_text="Position in the chain, from 1, without gaps.")
    dossier = models.ForeignKey(
        "permits.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField()
    address = models.GenericIPAddressField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        # the open-data indicators read a day's events of a few actions (opendata/sql/file_facts.sql)
        indexes = [models.Index(fields=["action", "at"], name="auditevent_action_at")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailImmutable("audit events are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditTrailImmutable("audit events are never deleted")


class AuditChainHead(models.Model):
    """Single row (id 1) locked by every writer so that events are chained one after another."""

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.last_sequence}"
