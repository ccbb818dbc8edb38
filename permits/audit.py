"""Writing and verifying the hash-chained audit trail.

Each event's hash is SHA-256 over the canonical JSON of its content followed by the previous event's hash.
Writers lock the chain head row (SELECT ... FOR UPDATE), so concurrent transactions append one after another
and the chain has no fork; a rolled-back transaction leaves neither its event nor its head update.

The head stays locked until the writer's transaction ends: every other audit writer of the platform waits that
long. A service that does slow work after its first audit event (rendering and stamping PDFs) runs under
`audit_deferred()`: its events are kept in memory and appended, in the order they were recorded, when the
service's body returns, still inside its transaction. The head is then held only from that append to the
commit, and the chain stays gap-free and in commit order. Each event's `at` is the time of its append.

The chain is anchored outside the database by signed, timestamped checkpoints (`permits.checkpoints`).
"""

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
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


def _content_of(event: AuditEvent) -> dict[str, Any]:
    return event_content(
        sequence=event.sequence,
        dossier_id=event.dossier_id,
        actor_id=event.actor_id,
        action=event.action,
        at=event.at,
        address=event.address,
        payload=event.payload,
    )


def event_hash(content: dict[str, Any], previous_hash: str) -> str:
    return hashlib.sha256((canonical_json(content) + previous_hash).encode("utf-8")).hexdigest()


def _locked_head() -> AuditChainHead:
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(id=HEAD_ID, last_sequence=0, last_hash=GENESIS_HASH)], ignore_conflicts=True
    )
    return AuditChainHead.objects.select_for_update().get(id=HEAD_ID)


class _Deferral(threading.local):
    """Per thread (Django's connections are per thread): the events of the `audit_deferred` block running, if any."""

    events: list[AuditEvent] | None = None


_deferral = _Deferral()


@contextmanager
def audit_deferred() -> Iterator[None]:
    """Append the audit events recorded in the block when it ends without error, in its transaction.

    Use it (as a context manager or a decorator) under `transaction.atomic`, around a whole service body whose
    work is slow after its first audit event. Events recorded in the block are appended in the order they were
    recorded, after the block's last statement; an error in the block discards them with the rest of the
    transaction. Nested blocks join the outermost one. Inside the block, `audit_record` returns the event unsaved
    (it gets its sequence and hash at the append) and `audit_count` includes it; a nested atomic block whose
    error is caught keeps the events recorded in it, so the block must not swallow such errors.
    """
    if _deferral.events is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit_deferred() must run inside the service's transaction (transaction.atomic)")
    _deferral.events = []
    try:
        yield
        events = _deferral.events
    finally:
        _deferral.events = None
    if events:
        _append(events)


def audit_record(
    *,
    action: str,
    actor_id: int | None,
    dossier: Dossier | None = None,
    address: str | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (or its own); see `audit_deferred`."""
    # Round-trip the payload through JSON so that what is hashed is exactly what the database gives back.
    clean_payload = json.loads(canonical_json(payload or {}))
    event = AuditEvent(dossier=dossier, actor_id=actor_id, action=action, address=address, payload=clean_payload)
    if _deferral.events is not None:
        _deferral.events.append(event)
    else:
        _append([event])
    return event


def _append(events: list[AuditEvent]) -> None:
    """Chain and insert `events` after the head, under the head's lock (held until the transaction ends)."""
    with transaction.atomic():
        head = _locked_head()
        for event in events:
            event.at = timezone.now()
            _chain(head, event)
            event.save(force_insert=True)
        head.save(update_fields=["last_sequence", "last_hash"])


def _chain(head: AuditChainHead, event: AuditEvent) -> None:
    """Give `event` the next sequence and its hash after the head's, and move the head (not saved)."""
    event.sequence = head.last_sequence + 1
    content = _content_of(event)
    event.previous_hash = head.last_hash
    event.hash = event_hash(content, head.last_hash)
    head.last_sequence, head.last_hash = event.sequence, event.hash


@contextmanager
def audit_history_head() -> Iterator[AuditChainHead]:
    """The chain head, locked, for a writer of history in bulk (`demo.generate_dossiers`, by COPY) that chains its
    events itself after `head.last_sequence` and `head.last_hash` (as `event_hash` over `event_content`), inserts
    them, and moves the head; the head is saved when the block ends, in the caller's transaction."""
    with transaction.atomic():
        head = _locked_head()
        yield head
        head.save(update_fields=["last_sequence", "last_hash"])


def audit_count(*, dossier_id: int | None, action: str) -> int:
    """How many `action` events the file has, those recorded and not yet appended by `audit_deferred` included."""
    pending = _deferral.events or []
    waiting = sum(1 for event in pending if event.dossier_id == dossier_id and event.action == action)
    recorded = AuditEvent.objects.filter(action=action)
    recorded = recorded.filter(dossier__isnull=True) if dossier_id is None else recorded.filter(dossier_id=dossier_id)
    return recorded.count() + waiting


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
        content = _content_of(event)
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
