"""Writing and verifying the hash-chained audit trail.

Each event's hash is SHA-256 over the canonical JSON of its content followed by the previous event's hash.
Writers lock the chain head row (SELECT ... FOR UPDATE), so concurrent transactions append one after another
and the chain has no fork; a rolled-back transaction leaves neither its event nor its head update.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from permits.models import AuditChainHead, AuditEvent, Dossier

GENESIS_HASH = "0" * 64
HEAD_ID = 1


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def event_content(
    *,
    sequence: int,
    dossier_id: int | None,
    actor_id: int | None,
    action: str,
    at: datetime,
    address: str | None,
    payload: dict[str, Any],
) -> dict[str, Any]:
    return {
        "sequence": sequence,
        "dossier": dossier_id,
        "actor": actor_id,
        "action": action,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "address": address,
        "payload": payload,
    }


def event_hash(content: dict[str, Any], previous_hash: str) -> str:
    return hashlib.sha256((canonical_json(content) + previous_hash).encode("utf-8")).hexdigest()


def _locked_head() -> AuditChainHead:
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(id=HEAD_ID, last_sequence=0, last_hash=GENESIS_HASH)], ignore_conflicts=True
    )
    return AuditChainHead.objects.select_for_update().get(id=HEAD_ID)


def audit_record(
    *,
    action: str,
    actor_id: int | None,
    dossier: Dossier | None = None,
    address: str | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (or its own)."""
    # Round-trip the payload through JSON so that what is hashed is exactly what the database gives back.
    clean_payload = json.loads(canonical_json(payload or {}))
    with transaction.atomic():
        head = _locked_head()
        sequence = head.last_sequence + 1
        at = timezone.now()
        content = event_content(
            sequence=sequence,
            dossier_id=dossier.pk if dossier else None,
            actor_id=actor_id,
            action=action,
            at=at,
            address=address,
            payload=clean_payload,
        )
        digest = event_hash(content, head.last_hash)
        event = AuditEvent.objects.create(
            sequence=sequence,
            dossier=dossier,
            actor_id=actor_id,
            action=action,
            at=at,
            address=address,
            payload=clean_payload,
            previous_hash=head.last_hash,
            hash=digest,
        )
        head.last_sequence = sequence
        head.last_hash = digest
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


@dataclass(frozen=True)
class BrokenLink:
    sequence: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _events_in_order(batch_size: int) -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size)


def audit_verify(*, batch_size: int = 5000) -> ChainReport:
    """Recompute the whole chain; report the first event whose link or content does not hold."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in _events_in_order(batch_size):
        if event.sequence != expected_sequence:
            return ChainReport(checked, BrokenLink(expected_sequence, f"event #{expected_sequence} is missing"))
        if event.previous_hash != previous_hash:
            return ChainReport(checked, BrokenLink(event.sequence, "previous hash does not match the chain"))
        content = event_content(
            sequence=event.sequence,
            dossier_id=event.dossier_id,
            actor_id=event.actor_id,
            action=event.action,
            at=event.at,
            address=event.address,
            payload=event.payload,
        )
        if event_hash(content, previous_hash) != event.hash:
            return ChainReport(checked, BrokenLink(event.sequence, "content does not match its hash"))
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=HEAD_ID).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != previous_hash):
        return ChainReport(
            checked,
            BrokenLink(checked + 1, f"chain head says #{head.last_sequence}, the trail ends at #{checked}"),
        )
    return ChainReport(checked, None)
