"""The chain head is held only from the append to the commit: `audit_deferred` appends a service's events when its
body ends, so other writers never wait for its slow work (the commission's PDFs); order and gaps are kept."""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction

from gis_core.signing.pki import DevelopmentPki
from permits.audit import audit_count, audit_deferred, audit_record, audit_verify
from permits.commissions import pdf
from permits.commissions import services as commission_services
from permits.models import AuditEvent
from tests.commissions.conftest import build_world
from tests.commissions.helpers import booked_file, hold_session
from tests.permits.factories import ADDRESS

LOCK_TIMEOUT = "3s"  # a writer that has to wait for the head fails after this instead of waiting


def record_elsewhere(action: str) -> Any:
    """Append one event on another connection (another thread), failing at once if the head is locked."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                outcome["event"] = audit_record(action=action, actor_id=None)
        except OperationalError as error:  # lock_timeout: the head was held by the other transaction
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return outcome.get("event") or outcome.get("error")


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


@pytest.mark.django_db(transaction=True)
def test_another_writer_appends_while_a_deferred_service_works() -> None:
    audit_record(action="test.before", actor_id=None)
    with transaction.atomic(), audit_deferred():
        first = audit_record(action="test.deferred.1", actor_id=None)
        assert first.pk is None  # kept until the block ends
        other = record_elsewhere("test.concurrent")  # would wait for the head (and time out) without the deferral
        assert isinstance(other, AuditEvent), other
        audit_record(action="test.deferred.2", actor_id=None)
    assert actions() == ["test.before", "test.concurrent", "test.deferred.1", "test.deferred.2"]
    assert first.sequence == 3 and first.pk is not None
    report = audit_verify()
    assert report.ok and report.checked == 4


@pytest.mark.django_db(transaction=True)
def test_an_immediate_writer_holds_the_head_until_its_commit() -> None:
    """The measure of the test above: without the deferral, the other writer waits for the whole transaction."""
    audit_record(action="test.before", actor_id=None)
    with transaction.atomic():
        audit_record(action="test.immediate", actor_id=None)
        other = record_elsewhere("test.concurrent")
    assert isinstance(other, OperationalError)
    assert actions() == ["test.before", "test.immediate"]


@pytest.mark.django_db
def test_an_error_in_the_block_appends_nothing() -> None:
    audit_record(action="test.kept", actor_id=None)
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic(), audit_deferred():
        audit_record(action="test.dropped", actor_id=None)
        raise RuntimeError("boom")
    assert actions() == ["test.kept"]
    assert audit_verify().ok


@pytest.mark.django_db
def test_nested_blocks_join_the_outermost_and_counts_see_pending_events() -> None:
    with transaction.atomic(), audit_deferred():
        audit_record(action="test.outer", actor_id=None)
        with audit_deferred():
            audit_record(action="test.inner", actor_id=None)
        assert AuditEvent.objects.count() == 0  # the inner block's end appends nothing yet
        audit_record(action="test.outer", actor_id=None)
        assert audit_count(dossier_id=None, action="test.outer") == 2
    assert actions() == ["test.outer", "test.inner", "test.outer"]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_block_refuses_to_run_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the service's transaction"), audit_deferred():
        pass


# --- the commission's decision ------------------------------------------------------------------------------


@pytest.fixture
def signing_settings(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The development PKI and the local TSA (the decision's outputs are stamped)."""
    pki = DevelopmentPki(Path(tmp_path_factory.mktemp("pki")))
    pki.ensure()
    settings.SIGNING_PKI_DIR = pki.directory
    settings.SIGNING_TRUST_ROOTS = [pki.directory / "root-ca.pem"]
    settings.SIGNING_INTERMEDIATES = [pki.directory / "intermediate-ca.pem"]
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_TSA_LOCAL = True
    settings.SIGNING_SIGNER_BACKEND = "gis_core.signing.signers.Pkcs12Backend"
    settings.SIGNING_PUBLIC_BASE_URL = "http://testserver"


@pytest.fixture
def writes_while_rendering(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """While the PV is rendered, another connection appends an event: what it got (event or lock timeout)."""
    outcomes: list[Any] = []
    render: Callable[..., bytes] = pdf.minutes_pdf

    def minutes_pdf(**kwargs: Any) -> bytes:
        outcomes.append(record_elsewhere("test.while_rendering"))
        return render(**kwargs)

    monkeypatch.setattr(pdf, "minutes_pdf", minutes_pdf)
    yield outcomes


@pytest.mark.django_db(transaction=True)
def test_a_decision_does_not_hold_the_chain_while_its_pdfs_are_rendered(
    signing_settings: None, writes_while_rendering: list[Any]
) -> None:
    world = build_world()
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    examination = hold_session(world, session, dossier)
    commission_services.examination_decide(
        actor=world.staff["commission_president"], address=ADDRESS, examination=examination, decision="favourable"
    )
    assert len(writes_while_rendering) == 1
    assert isinstance(writes_while_rendering[0], AuditEvent), writes_while_rendering[0]
    decided = AuditEvent.objects.filter(dossier=dossier, action__in=["dossier.decide", "commission.outputs_generated"])
    assert list(decided.values_list("action", flat=True)) == ["dossier.decide", "commission.outputs_generated"]
    concurrent = AuditEvent.objects.get(action="test.while_rendering")
    assert all(event.sequence > concurrent.sequence for event in decided)  # chained at the decision's commit
    assert audit_verify().ok
