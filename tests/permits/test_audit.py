"""The audit trail: hash-chained, append-only (model guard and PostgreSQL trigger), tampering detected."""

import itertools
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from permits.audit import audit_record, audit_verify
from permits.models import AuditEvent, AuditTrailImmutable
from tests.permits.factories import DossierFactory

pytestmark = pytest.mark.django_db

TRIGGER = "permits_audit_event_immutable"


@pytest.fixture
def chain() -> list[AuditEvent]:
    DossierFactory.create(under_instruction=True)
    return list(AuditEvent.objects.order_by("sequence"))


def run_without_trigger(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks, or ALTER TABLE refuses
        cursor.execute(f'ALTER TABLE "permits_auditevent" DISABLE TRIGGER "{TRIGGER}"')
        cursor.execute(sql, params)
        cursor.execute(f'ALTER TABLE "permits_auditevent" ENABLE TRIGGER "{TRIGGER}"')


def test_chain_links_every_event(chain: list[AuditEvent]) -> None:
    assert [event.sequence for event in chain] == list(range(1, len(chain) + 1))
    assert chain[0].previous_hash == "0" * 64
    assert all(later.previous_hash == earlier.hash for earlier, later in itertools.pairwise(chain))
    report = audit_verify()
    assert report.ok and report.checked == len(chain)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert f"{len(chain)} events verified" in out.getvalue()


def test_model_refuses_update_and_delete(chain: list[AuditEvent]) -> None:
    event = chain[1]
    event.action = "forged"
    with pytest.raises(AuditTrailImmutable):
        event.save()
    with pytest.raises(AuditTrailImmutable):
        event.delete()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE permits_auditevent SET action = 'forged' WHERE id = %s", "DELETE FROM permits_auditevent WHERE id = %s"],
)
def test_database_refuses_update_and_delete(chain: list[AuditEvent], sql: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [chain[1].pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[1].pk).update(action="forged")
    assert audit_verify().ok


def test_tampered_payload_is_detected(chain: list[AuditEvent]) -> None:
    target = chain[2]
    run_without_trigger(
        'UPDATE permits_auditevent SET payload = payload || \'{"note": "forged"}\'::jsonb WHERE id = %s', [target.pk]
    )
    report = audit_verify()
    assert not report.ok and report.broken is not None
    assert report.broken.sequence == target.sequence and "hash" in report.broken.reason
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert f"#{target.sequence}" in err.getvalue()


def test_rehashed_forgery_breaks_the_next_link(chain: list[AuditEvent]) -> None:
    target = chain[1]
    run_without_trigger("UPDATE permits_auditevent SET hash = %s WHERE id = %s", ["f" * 64, target.pk])
    report = audit_verify()
    assert report.broken is not None and report.broken.sequence in {target.sequence, target.sequence + 1}


def test_removed_event_is_detected(chain: list[AuditEvent]) -> None:
    run_without_trigger("DELETE FROM permits_auditevent WHERE id = %s", [chain[1].pk])
    report = audit_verify()
    assert report.broken is not None and report.broken.sequence == chain[1].sequence
    assert "missing" in report.broken.reason


def test_removed_last_event_is_detected(chain: list[AuditEvent]) -> None:
    run_without_trigger("DELETE FROM permits_auditevent WHERE id = %s", [chain[-1].pk])
    report = audit_verify()
    assert report.broken is not None and report.broken.sequence == chain[-1].sequence


def test_rolled_back_event_leaves_no_trace(chain: list[AuditEvent]) -> None:
    try:
        with transaction.atomic():
            audit_record(action="test.rolled_back", actor_id=None)
            raise RuntimeError
    except RuntimeError:
        pass
    audit_record(action="test.kept", actor_id=None)
    report = audit_verify()
    assert report.ok and report.checked == len(chain) + 1
