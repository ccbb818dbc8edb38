"""The event-publishing point: delivery after commit only, never for a rolled-back change, robust handlers."""

from typing import Any

import pytest
from django.db import transaction

from permits import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def received() -> Any:
    got: list[events.Event] = []
    events.event_subscribe(name="test.happened", handler=got.append)
    yield got
    events.event_unsubscribe(name="test.happened", handler=got.append)


def test_delivered_after_commit(received: list[Any], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        events.event_publish(name="test.happened", dossier_id=7, actor_id=None, status="x")
        assert received == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert received == [events.Event("test.happened", 7, None, {"status": "x"})]


def test_not_delivered_on_rollback(received: list[Any], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                events.event_publish(name="test.happened", dossier_id=1, actor_id=None)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert received == []


def test_failing_handler_does_not_stop_others(received: list[Any], django_capture_on_commit_callbacks: Any) -> None:
    def broken(event: events.Event) -> None:
        raise ValueError("handler bug")

    events.event_subscribe(name="test.happened", handler=broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.event_publish(name="test.happened", dossier_id=1, actor_id=2)
    except ValueError:
        pytest.fail("a failing handler escaped")
    finally:
        events.event_unsubscribe(name="test.happened", handler=broken)
    assert len(received) == 1


def test_subscriber_decorator(django_capture_on_commit_callbacks: Any) -> None:
    got = []

    @events.subscriber("test.decorated")
    def handler(event: events.Event) -> None:
        got.append(event.name)

    with django_capture_on_commit_callbacks(execute=True):
        events.event_publish(name="test.decorated", dossier_id=None, actor_id=None)
    events.event_unsubscribe(name="test.decorated", handler=handler)
    assert got == ["test.decorated"]


def test_in_transaction_handler_runs_inside_and_can_abort(django_capture_on_commit_callbacks: Any) -> None:
    from permits import services
    from tests.permits.factories import ADDRESS, DossierFactory

    seen: list[tuple[str, bool]] = []

    def outbox(event: events.Event) -> None:
        from django.db import connection

        seen.append((event.name, connection.in_atomic_block))
        if event.data.get("reference", "").endswith("000002"):
            raise RuntimeError("outbox refused")

    events.event_subscribe(name="dossier.submit", handler=outbox, phase=events.Phase.IN_TRANSACTION)
    try:
        first, second = DossierFactory.create(), DossierFactory.create()
        services.dossier_submit(actor=first.applicant, address=ADDRESS, dossier=first)
        with pytest.raises(RuntimeError):
            services.dossier_submit(actor=second.applicant, address=ADDRESS, dossier=second)
    finally:
        events.event_unsubscribe(name="dossier.submit", handler=outbox, phase=events.Phase.IN_TRANSACTION)
    second.refresh_from_db()
    assert second.status == "draft" and second.reference is None  # the whole filing rolled back
    assert seen == [("dossier.submit", True), ("dossier.submit", True)]


def test_unknown_event_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown event"):
        events.event_subscribe(name="dossier.submited", handler=print)


def test_every_published_name_is_known(django_capture_on_commit_callbacks: Any) -> None:
    from tests.permits.factories import DossierFactory

    published: list[str] = []

    def record(event: events.Event) -> None:
        published.append(event.name)

    events.event_subscribe(name=events.ALL_EVENTS, handler=record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            DossierFactory.create(published=True)
    finally:
        events.event_unsubscribe(name=events.ALL_EVENTS, handler=record)
    assert published and set(published) <= set(events.EVENT_NAMES)
