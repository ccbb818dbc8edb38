"""A publication's tile invalidation is never lost (`tiles.models.TileInvalidation`, `gis_core.outbox`): with Redis
down at the publication, the row stays pending; once Redis is back (with its stale tiles: it persists), the Celery
task, or beat's leftovers' task when the broker was down too, forgets the tiles and marks the row done.

Real parts: a persistent Redis of the test's own as the tile cache, killed and started again; a second one as the
Celery broker, whose queue is read to see the retry scheduled with its backoff."""

import base64
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from gis_core.outbox import OutboxStatus
from permits.models import Dossier, DossierStatus
from tests.faults.redis_server import RedisServer, redis_server
from tests.notifications.conftest import point_producer_at
from tests.permits.factories import DossierFactory, decided_state_write
from tests.tiles.test_tiles import cambridge, features, fetch, tile_at  # noqa: F401  (fixture)
from tiles.models import TileInvalidation
from tiles.tasks import tile_invalidation_run_task, tile_invalidations_resume

pytestmark = [
    pytest.mark.usefixtures("tiles_db", "cambridge"),
    pytest.mark.django_db(transaction=True, databases=["default", "geoportal"]),  # config.wsgi checks the reader
]
RETRY_AFTER = 1
TASK = "tiles.tasks.tile_invalidation_run_task"


@pytest.fixture
def cache_redis(tmp_path: Path, settings: Any) -> Iterator[RedisServer]:
    with redis_server(tmp_path / "cache-redis", persistent=True) as server:
        settings.TILES_CACHE_URL = server.url()
        settings.TILES_CACHE_RETRY_AFTER_SECONDS = RETRY_AFTER
        settings.OUTBOX_RETRY_BASE_SECONDS = 2
        yield server
        if server.process is None:
            server.start()


@pytest.fixture
def broker_at() -> Iterator[Any]:
    """Point this process's Celery producer at a broker of the test's (restored afterwards)."""
    saved = django_settings.CELERY_BROKER_URL
    yield point_producer_at
    point_producer_at(saved)


def publish(dossier: Dossier) -> None:
    """Published as the last signature of its decision would (test data: `decided_state_write`), in one transaction."""
    with transaction.atomic():
        decided_state_write(dossier, DossierStatus.PUBLISHED)


def projects(client: Client, expected_cache: str) -> list[str]:
    response = fetch(client, "authorised_projects", tile_at(16))
    assert response["X-Tile-Cache"] == expected_cache
    return [project["properties"]["reference"] for project in features(response, "authorised_projects")]


def cached_without_projects(client: Client) -> None:
    assert projects(client, "miss") == []
    assert projects(client, "hit") == []


def queued(broker: RedisServer) -> list[tuple[str, list[Any], datetime]]:
    """The invalidation task's messages waiting in the broker's default queue: task name, arguments, ETA."""
    found = []
    for raw in redis.Redis.from_url(broker.url(0)).lrange("celery", 0, -1):
        message = json.loads(raw)
        arguments = json.loads(base64.b64decode(message["body"]))[0]
        headers = message["headers"]
        if headers["task"] == TASK:  # the publication's notifications are there too
            found.append((headers["task"], arguments, datetime.fromisoformat(headers["eta"])))
    return found


def test_redis_down_at_publication_the_row_waits_and_the_retry_forgets_the_tiles_once_it_is_back(
    cache_redis: RedisServer, broker_at: Any, tmp_path: Path
) -> None:
    with redis_server(tmp_path / "broker-redis") as broker:
        broker_at(broker.url(0))
        dossier = DossierFactory.create(signed=True)
        client = Client()
        cached_without_projects(client)

        cache_redis.stop()
        published_at = datetime.now(UTC)
        publish(dossier)  # the publication itself succeeds
        invalidation = TileInvalidation.objects.get(dossier_id=dossier.pk)
        assert invalidation.status == OutboxStatus.PENDING and invalidation.attempts == 1
        assert invalidation.last_error.startswith("TileCacheUnavailable")
        [(task, arguments, eta)] = queued(broker)
        assert task == TASK and arguments == [invalidation.pk]
        assert timedelta(seconds=1.5) < eta - published_at < timedelta(seconds=5), "retried after the backoff (2 s)"
        assert projects(client, "unavailable") == [dossier.reference], "meanwhile tiles come from PostGIS"

        cache_redis.start()  # its keys are back, the stale tile among them
        time.sleep(RETRY_AFTER + 0.1)
        assert projects(client, "hit") == [], "the stale tile the retry is there to forget"

        assert tile_invalidation_run_task.apply(args=[invalidation.pk]).get() == OutboxStatus.DONE
        invalidation.refresh_from_db()
        assert invalidation.status == OutboxStatus.DONE and invalidation.attempts == 2 and invalidation.done_at
        assert projects(client, "miss") == [dossier.reference]
        assert tile_invalidation_run_task.apply(args=[invalidation.pk]).get() == OutboxStatus.DONE
        invalidation.refresh_from_db()
        assert invalidation.attempts == 2, "a done row is not run again"


def test_broker_down_too_the_leftovers_task_forgets_the_tiles(
    cache_redis: RedisServer, broker_at: Any, caplog: pytest.LogCaptureFixture
) -> None:
    broker_at(cache_redis.url(1))  # one Redis for everything, as `make run` has it
    dossier = DossierFactory.create(signed=True)
    client = Client()
    cached_without_projects(client)

    cache_redis.stop()
    with caplog.at_level(logging.WARNING, logger="gis_core.outbox"):
        publish(dossier)
    invalidation = TileInvalidation.objects.get(dossier_id=dossier.pk)
    assert invalidation.status == OutboxStatus.PENDING
    assert any("left to the leftovers' task" in record.getMessage() for record in caplog.records)

    cache_redis.start()
    time.sleep(RETRY_AFTER + 0.1)
    assert projects(client, "hit") == []
    assert tile_invalidations_resume() == 0, "not overdue yet: its retry may still come"
    TileInvalidation.objects.filter(pk=invalidation.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    assert tile_invalidations_resume() == 1
    invalidation.refresh_from_db()
    assert invalidation.status == OutboxStatus.DONE
    assert projects(client, "miss") == [dossier.reference]
    assert tile_invalidations_resume() == 0


def test_a_publication_writes_one_row_done_at_once_and_a_rolled_back_one_none(cache_redis: RedisServer) -> None:
    from django.db import transaction

    dossier, other = DossierFactory.create(signed=True), DossierFactory.create(signed=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(other)
        raise RuntimeError("rolled back")
    assert not TileInvalidation.objects.exists()
    publish(dossier)
    invalidation = TileInvalidation.objects.get()
    assert (invalidation.dossier_id, invalidation.status, invalidation.attempts) == (dossier.pk, "done", 1)


@pytest.mark.parametrize("entry", ["tiles-invalidations-resume", "wms-invalidations-resume"])
def test_beat_runs_the_leftovers_of_both_outboxes(entry: str) -> None:
    from config.celery import app

    app.loader.import_default_modules()
    assert django_settings.CELERY_BEAT_SCHEDULE[entry]["task"] in app.tasks
    assert django_settings.CELERY_BEAT_SCHEDULE[entry]["schedule"] == django_settings.OUTBOX_LEFTOVERS_EVERY_SECONDS
