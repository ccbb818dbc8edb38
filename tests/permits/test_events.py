"""The file's events on the bus: each service publishes its audit event's name and payload, delivered after the
commit; an in-transaction subscriber can abort the service; the names are the catalogue's (`permits.events`)."""

from typing import Any

import pytest

from gis_core import events
from permits import services
from permits.events import DOSSIER_EVENT_NAMES, DossierEvent
from permits.models import AuditEvent
from tests.permits.factories import ADDRESS, DossierFactory, application_signature_write

pytestmark = pytest.mark.django_db


def test_a_service_publishes_its_audit_event_after_the_commit(django_capture_on_commit_callbacks: Any) -> None:
    dossier = DossierFactory.create()
    received: list[DossierEvent] = []
    events.event_subscribe(name="dossier.submit", handler=received.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            application_signature_write(dossier)  # the applicant's signature (test data)
            services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
            assert received == []
    finally:
        events.event_unsubscribe(name="dossier.submit", handler=received.append)
    audit = AuditEvent.objects.get(dossier=dossier, action="dossier.submit")
    [event] = received
    assert (event.dossier_id, event.actor_id) == (dossier.pk, dossier.applicant_id)
    assert event.data == audit.payload and event.data["to"] == "submitted"


def test_an_in_transaction_subscriber_runs_inside_the_service_and_can_abort_it() -> None:
    from django.db import connection

    seen: list[tuple[str, bool]] = []

    def outbox(event: DossierEvent) -> None:
        seen.append((event.name, connection.in_atomic_block))
        if event.data.get("reference", "").endswith("000002"):
            raise RuntimeError("outbox refused")

    events.event_subscribe(name="dossier.submit", handler=outbox, phase=events.Phase.IN_TRANSACTION)
    try:
        first, second = DossierFactory.create(), DossierFactory.create()
        application_signature_write(first)  # the applicant's signature (test data)
        services.dossier_submit(actor=first.applicant, address=ADDRESS, dossier=first)
        with pytest.raises(RuntimeError):
            application_signature_write(second)  # the applicant's signature (test data)
            services.dossier_submit(actor=second.applicant, address=ADDRESS, dossier=second)
    finally:
        events.event_unsubscribe(name="dossier.submit", handler=outbox, phase=events.Phase.IN_TRANSACTION)
    second.refresh_from_db()
    assert second.status == "draft" and second.reference is None  # the whole filing rolled back
    assert seen == [("dossier.submit", True), ("dossier.submit", True)]


def test_a_misspelt_file_event_is_refused() -> None:
    with pytest.raises(events.UnknownEvent, match="unknown event"):
        events.event_subscribe(name="dossier.submited", handler=print)


def test_every_published_file_event_is_in_the_catalogue(django_capture_on_commit_callbacks: Any) -> None:
    published: list[events.Event] = []
    events.event_subscribe(name=events.ALL_EVENTS, handler=published.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            DossierFactory.create(published=True)
    finally:
        events.event_unsubscribe(name=events.ALL_EVENTS, handler=published.append)
    assert published and {event.name for event in published} <= set(DOSSIER_EVENT_NAMES)
    assert all(isinstance(event, DossierEvent) for event in published)
