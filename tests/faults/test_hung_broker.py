"""A broker that accepts connections and answers nothing (a hung Redis) does not hang the request that enqueues a
task after its commit: the client gives up after `CELERY_BROKER_TIMEOUT_MS` and one retry (without them it waits
for ever), the request goes on, and the delivery stays pending for beat's safety net. A Redis of the test's own,
frozen with SIGSTOP."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from gis_core.notifications.models import Delivery
from gis_core.notifications.services import notification_schedule
from tests.faults.redis_server import RedisServer, redis_server
from tests.notifications.conftest import point_producer_at

pytestmark = pytest.mark.django_db(transaction=True)
ENQUEUE_LIMIT = 6.0  # seconds: 2 s socket timeout, one retry, connections


@pytest.fixture
def hung_broker(tmp_path: Path) -> Iterator[RedisServer]:
    saved = settings.CELERY_BROKER_URL
    with redis_server(tmp_path / "redis") as broker:
        point_producer_at(broker.url(1))
        broker.freeze()
        try:
            yield broker
        finally:
            broker.thaw()
            point_producer_at(saved)


def test_enqueuing_on_a_hung_broker_gives_up_and_the_delivery_waits(hung_broker: RedisServer) -> None:
    outcome: dict[str, Any] = {}

    def schedule() -> None:  # in autocommit: the on-commit enqueue runs at once, as after a request's commit
        started = time.monotonic()
        outcome["delivery"] = notification_schedule(
            channel="email",
            recipient="applicant@example.org",
            language="fr",
            subject="Dossier déposé",
            body="Votre dossier a été déposé.\n",
            event_key="dossier.submitted",
            idempotency_key="hung-broker",
        )
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=schedule, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "enqueuing hangs on a broker that answers nothing"
    assert outcome["seconds"] < ENQUEUE_LIMIT, outcome
    delivery = Delivery.objects.get(pk=outcome["delivery"].pk)
    assert delivery.status == Delivery.Status.PENDING  # `delivery_resume_stale` sends it once the broker is back
