"""A fault loses nothing: 32 clients on the geoportal and the filing API, and the signers of decided files, while the
Celery worker is killed (twice) and Redis, the broker and tile cache, is killed and started again (empty).

The platform runs as `make run` runs it, in processes of the test's own (`tests.faults.platform`): gunicorn and the
supervised worker (`scripts/worker.sh`) on the test database, a Redis of the test's (`tests.faults.redis_server`)
and an SMTP server (aiosmtpd). Sixteen readers ask for vector tiles, TileJSON, OGC API items, WMS maps and WMTS
tiles, the map page and the parcel look-up; sixteen applicants, each with an API token, create drafts and submit
them. Meanwhile the signers of two files decided through the legal path (`tests.legal_path`: examined in a
session with the quorum, decided by the president) sign in turn through the API, each signature a PAdES signature
applied by the worker; their requests are spread over the faults (one before or after each of them, one while Redis
is down). The faults follow the traffic's progress (not the clock), and every client keeps its last
requests for after the recovery, so the test is bounded by its request counts and a time limit, whatever the
machine's speed.

Afterwards: no 5xx on a public read after the recovery (none during the faults either: the tiles fail open), none on
the filing API; every notification delivery is sent and reached the SMTP server; every file is submitted and
consistent (its reference, one audit event of each step, its delivery) and the audit chain holds; no signature
request is lost: each one asked is signed exactly once (one audit event, one valid PAdES signature that pdfsig
trusts) and each decided file is signed and published. Celery beat's safety nets for deliveries
(`delivery_resume_stale`, every 5 minutes for deliveries 15 minutes old) and for signatures
(`signature_requests_resume_task`, every 5 minutes for requests 15 minutes old) are run by the test itself, at once
after the recovery, where beat would run them later.

Run it alone with `pytest -m faults`: 60 to 150 s on two cores, as loaded as they are.
"""

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User
from django.db import connection

from gis_core.api_tokens.services import api_token_create
from gis_core.notifications.models import Delivery
from gis_core.notifications.tasks import delivery_resume_stale
from gis_core.signing.pki import DevelopmentPki
from permits.audit import audit_verify
from permits.commissions.models import SignatureRequest, SignatureStatus
from permits.commissions.tasks import signature_requests_resume_task
from permits.models import AuditEvent, Dossier, DossierStatus
from tests.conftest import tasks_eager
from tests.factories import ParcelFactory, ZoneFactory, box
from tests.faults.platform import (
    SupervisedWorker,
    WebServer,
    platform_environment,
    wait_for,
    web_start,
    web_stop,
    worker_start,
    worker_stop,
)
from tests.faults.redis_server import RedisServer, redis_server
from tests.legal_path import LegalPath, pdfsig_checked, signing_settings_apply
from tests.notifications.conftest import SmtpServer, point_producer_at
from tests.permits.factories import (
    DossierFactory,
    ProcedureFactory,
    UserFactory,
    application_signature_write,
    commune_tree,
)
from tiles.grid import tiles_touching
from tiles.layers import LAYERS

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

READERS = 16
APPLICANTS = 16
READS_EACH = 36
FILES_EACH = 4
DECIDED_FILES = 2  # their signatures are asked for during the faults, spread over the traffic (`ask_points`)
SIGNER_PAUSE = 0.5  # seconds between a signer's looks at their list
AFTER_RECOVERY = 0.3  # the share of each client's requests kept for after the recovery
TIME_LIMIT = 240.0  # seconds for the whole traffic; the test fails, it does not hang
WEB_WORKERS, WEB_THREADS = 2, 4
PUBLIC_KINDS = {"tile", "tilejson", "ogc", "wms", "wmts", "page", "parcels"}
# The area of the factories (Cambridge, MA): parcels, a zone, the published projects.
AREA = (-71.1215, 42.3690, -71.1185, 42.3720)
FOOTPRINT = {
    "type": "Polygon",
    "coordinates": [[[-71.11995, 42.37005], [-71.11975, 42.37005], [-71.11975, 42.37025], [-71.11995, 42.37025],
                     [-71.11995, 42.37005]]],
}  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    client: str
    kind: str
    status: int  # 0: no answer (connection error, timeout)
    started: float
    seconds: float
    cache: str = ""
    error: str = ""


@dataclass
class Traffic:
    """What the clients did, and when the faults happened (monotonic clock)."""

    planned: int
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    recovered: threading.Event = field(default_factory=threading.Event)
    recovered_at: float = float("inf")
    redis_down: tuple[float, float] = (float("inf"), float("inf"))  # from, to
    deadline: float = 0.0
    created: dict[int, str] = field(default_factory=dict)  # dossier id -> applicant
    submitted: set[int] = field(default_factory=set)

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    @property
    def done(self) -> int:
        with self.lock:
            return len(self.outcomes)


@dataclass
class Signing:
    """What the signers did: their answers, and which requests they asked to sign."""

    outcomes: list[Outcome] = field(default_factory=list)
    asked: set[int] = field(default_factory=set)
    resumed: int = 0  # requests re-enqueued by the recovery job
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)


def public_paths() -> list[tuple[str, str]]:
    """(kind, path) of the public reads, over the test area."""
    west, south, east, north = AREA
    paths: list[tuple[str, str]] = []
    for layer in (LAYERS["parcels"], LAYERS["authorised_projects"], LAYERS["zones"]):
        for tile in tiles_touching(AREA, range(max(layer.minzoom, 13), layer.maxzoom + 1)):
            paths.append(("tile", f"/tiles/{layer.name}/{tile.z}/{tile.x}/{tile.y}.pbf"))
    paths += [("tilejson", "/tiles/parcels.json"), ("tilejson", "/tiles/authorised_projects.json")]
    bbox = f"{west},{south},{east},{north}"
    paths += [
        ("ogc", f"/ogc/collections/parcels/items?f=json&limit=10&bbox={bbox}"),
        ("ogc", "/ogc/collections/authorised_projects/items?f=json"),
    ]
    for step in range(3):
        shift = step * 0.0005
        paths.append(
            (
                "wms",
                "/ows/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=zones,parcels,authorised_projects"
                f"&STYLES=,,&SRS=EPSG:4326&BBOX={west + shift},{south},{east + shift},{north}"
                "&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE",
            )
        )
    for tile in tiles_touching(AREA, range(17, 18)):
        paths.append(("wmts", f"/ows/wmts/parcels/webmercator/{tile.z:02d}/{tile.x}/{tile.y}.png"))
    paths += [("page", "/"), ("parcels", "/api/parcels/at/?lon=-71.11985&lat=42.37015")]
    return paths


def request(session: requests.Session, traffic: "Traffic | Signing", client: str, kind: str, method: str, url: str,
            **arguments: Any) -> requests.Response | None:  # fmt: skip
    started = time.monotonic()
    for attempt in (1, 2):
        try:
            response = session.request(method, url, timeout=(5, 60), **arguments)
            break
        except requests.ConnectionError as error:
            # A kept-alive connection the server closed as the request went out: an HTTP client retries an
            # idempotent request once on a new connection (RFC 9112 §9.3.1); anything else is recorded.
            if method == "GET" and attempt == 1:
                continue
            traffic.record(Outcome(client, kind, 0, started, time.monotonic() - started, error=repr(error)))
            return None
        except requests.RequestException as error:
            traffic.record(Outcome(client, kind, 0, started, time.monotonic() - started, error=repr(error)))
            return None
    traffic.record(
        Outcome(
            client,
            kind,
            response.status_code,
            started,
            time.monotonic() - started,
            cache=response.headers.get("X-Tile-Cache", ""),
            error=response.text[:300] if response.status_code >= 500 else "",
        )
    )
    return response


def wait_for_recovery(traffic: Traffic) -> bool:
    return traffic.recovered.wait(timeout=max(traffic.deadline - time.monotonic(), 0))


def reader(base: str, number: int, traffic: Traffic) -> None:
    paths = public_paths()
    picker = random.Random(number)
    before = round(READS_EACH * (1 - AFTER_RECOVERY))
    with requests.Session() as session:
        for count in range(READS_EACH):
            if count == before and not wait_for_recovery(traffic):
                return
            if time.monotonic() > traffic.deadline:
                return
            kind, path = picker.choice(paths)
            request(session, traffic, f"reader-{number}", kind, "GET", base + path)


def application_signed(dossier_id: int) -> None:
    """The applicant's signature of the draft's application form, as test data (`application_signature_write`): the
    real path (a one-time code, the form rendered and sealed) costs seconds a file and is tested on its own."""
    try:
        application_signature_write(Dossier.objects.get(pk=dossier_id))
    finally:
        connection.close()  # this thread's own connection


def applicant(base: str, username: str, token: str, parcel_id: int, traffic: Traffic) -> None:
    before = round(FILES_EACH * (1 - AFTER_RECOVERY))
    headers = {"Authorization": f"Token {token}"}
    draft = {
        "procedure": "small-works",
        "commune": "CASA-ANFA",
        "parcels": [parcel_id],
        "footprint": FOOTPRINT,
        "title": "House",
        "height_m": 9,
        "floors": 3,
        "gross_floor_area_m2": 300,
        "use": "residential",
    }
    with requests.Session() as session:
        session.headers.update(headers)
        for count in range(FILES_EACH):
            if count == before and not wait_for_recovery(traffic):
                return
            if time.monotonic() > traffic.deadline:
                return
            created = request(session, traffic, username, "create", "POST", f"{base}/api/dossiers/", json=draft)
            if created is None or created.status_code != 201:
                continue
            dossier_id = created.json()["id"]
            with traffic.lock:
                traffic.created[dossier_id] = username
            application_signed(dossier_id)
            submit_url = f"{base}/api/dossiers/{dossier_id}/submit/"
            submitted = request(session, traffic, username, "submit", "POST", submit_url)
            if submitted is not None and submitted.status_code == 200:
                with traffic.lock:
                    traffic.submitted.add(dossier_id)
            request(session, traffic, username, "read-file", "GET", f"{base}/api/dossiers/{dossier_id}/")


def ask_points(request_ids: set[int], traffic: Traffic) -> dict[int, int]:
    """When each signature is asked for: after this many answered requests of the traffic, evenly over the share
    before the recovery (with two files: once the worker is dead, while Redis is down, after its restart, after the
    worker's second death)."""
    before = traffic.planned * (1 - AFTER_RECOVERY)
    ordered = sorted(request_ids)
    return {request_id: round(before * (index + 1) / (len(ordered) + 1)) for index, request_id in enumerate(ordered)}


def signer(base: str, username: str, token: str, due: dict[int, int], traffic: Traffic, signing: Signing) -> None:
    """A signer signs each of their requests once it is due (`ask_points`) and its turn has come (their list), once
    each, until all are asked."""
    asked: set[int] = set()
    with requests.Session() as session:
        session.headers.update({"Authorization": f"Token {token}"})
        while asked != set(due) and time.monotonic() < traffic.deadline:
            time.sleep(SIGNER_PAUSE)
            ready = {request_id for request_id, point in due.items() if traffic.done >= point} - asked
            if not ready:
                continue
            listed = request(session, signing, username, "sign-list", "GET", f"{base}/api/commission/signatures/")
            turns = [item["id"] for item in listed.json()] if listed is not None and listed.status_code == 200 else []
            for request_id in sorted(set(turns) & ready):
                url = f"{base}/api/commission/signatures/{request_id}/sign/"
                answer = request(session, signing, username, "sign", "POST", url)
                if answer is not None and answer.status_code == 202:
                    asked.add(request_id)
                    with signing.lock:
                        signing.asked.add(request_id)


def signatures_left(request_ids: set[int]) -> int:
    return SignatureRequest.objects.filter(pk__in=request_ids).exclude(status=SignatureStatus.SIGNED).count()


def signature_recovery(request_ids: set[int], traffic: Traffic, signing: Signing) -> None:
    """Beat's safety net for signatures, run at once once the platform has recovered: every request asked and still
    pending (its task lost with the worker or the broker) is enqueued again, until every signature is in."""
    try:
        if not wait_for_recovery(traffic):
            return
        while signatures_left(request_ids) and time.monotonic() < traffic.deadline:
            resumed = signature_requests_resume_task(stale_after_seconds=0)
            with signing.lock:
                signing.resumed += resumed
            time.sleep(3)
    finally:
        connection.close()


@dataclass
class World:
    applicants: list[tuple[str, str]]  # username, API token
    parcel_id: int
    decided: list[int] = field(default_factory=list)  # files decided through the legal path, to be signed
    signers: list[tuple[str, str, set[int]]] = field(default_factory=list)  # username, API token, request ids


def decided_files_make(legal_path: LegalPath, procedure: Any) -> tuple[list[int], list[tuple[str, str, set[int]]]]:
    """Files decided through the legal path (tasks in-process), their signers certified and given API tokens."""
    decided = []
    with tasks_eager(propagate=True):
        for index in range(DECIDED_FILES):
            owner = UserFactory.create(username=f"owner-{index}")
            dossier = DossierFactory.create(under_instruction=True, procedure=procedure, applicant=owner)
            legal_path.decide(dossier)
            assert dossier.status == DossierStatus.DECIDED
            legal_path.certify_signers(dossier)
            decided.append(dossier.pk)
    by_signer: dict[int, set[int]] = {}
    for request_id, signer_id in SignatureRequest.objects.filter(output__dossier__in=decided).values_list(
        "pk", "signer_id"
    ):
        by_signer.setdefault(signer_id, set()).add(request_id)
    signers = [
        (user.username, api_token_create(user=user, name="fault test").key, by_signer[user.pk])
        for user in User.objects.filter(pk__in=by_signer).order_by("pk")
    ]
    return decided, signers


def world_make(legal_path: LegalPath) -> World:
    commune = commune_tree("CASA-ANFA")
    procedure = ProcedureFactory.create(code="small-works")
    parcel = ParcelFactory.create(commune=commune, reference="FAULT-1")
    for index in range(20):
        west = -71.1212 + (index % 5) * 0.0005
        south = 42.3692 + (index // 5) * 0.0006
        ParcelFactory.create(commune=commune, geom=box(west, south, west + 0.0003, south + 0.0003))
    ZoneFactory.create(commune=commune, code="C-1", geom=box(*AREA))
    for _ in range(2):
        DossierFactory.create(published=True)  # authorised projects on the map
    applicants = []
    for index in range(APPLICANTS):
        user: User = UserFactory.create(username=f"applicant-{index}")
        applicants.append((user.username, api_token_create(user=user, name="fault test").key))
    decided, signers = decided_files_make(legal_path, procedure)
    return World(applicants=applicants, parcel_id=parcel.pk, decided=decided, signers=signers)


@pytest.fixture
def platform(
    tmp_path: Path, smtp_server: SmtpServer, transactional_db: None, settings: Any, pki: DevelopmentPki
) -> Iterator[tuple[WebServer, SupervisedWorker, RedisServer, SmtpServer, World]]:
    smtp_server.clear()
    # What this process publishes (the projects on the map) stays the test's: no tile cache, its own WMS folder.
    settings.TILES_CACHE_URL = ""
    settings.TILES_READER_ALIAS = "tiles-test-own-connection"
    settings.WMS_DIR, settings.WMS_CACHE_DIR = tmp_path / "test-wms", tmp_path / "test-wms" / "cache"
    # The decisions' documents and their signatures: the test's store and the session's development PKI, for this
    # process (which decides) and the platform's (whose worker signs); mail sent here reaches the SMTP server too.
    (tmp_path / "signing").mkdir()
    documents = signing_settings_apply(settings, pki, tmp_path / "signing")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    world = world_make(LegalPath(pki))
    saved_broker = settings.CELERY_BROKER_URL
    with redis_server(tmp_path / "redis") as redis:
        environment = platform_environment(redis=redis, directory=tmp_path, smtp_port=smtp_server.port)
        environment.update(
            DOCUMENTS_DIR=str(documents),
            SIGNING_PKI_DIR=str(pki.directory),
            SIGNING_TRUST_ROOTS=str(pki.directory / "root-ca.pem"),
            SIGNING_INTERMEDIATES=str(pki.directory / "intermediate-ca.pem"),
            SIGNING_TSA_URL="",
            SIGNING_TSA_LOCAL="true",
            SIGNING_SIGNER_BACKEND="gis_core.signing.signers.Pkcs12Backend",
            SIGNING_PUBLIC_BASE_URL="http://testserver",
            SIGNING_EMBED_VALIDATION_INFO="true",
        )
        web = web_start(environment=environment, directory=tmp_path, workers=WEB_WORKERS, threads=WEB_THREADS)
        worker: SupervisedWorker | None = None
        try:
            worker = worker_start(environment=environment)
            point_producer_at(environment["CELERY_BROKER_URL"])  # the test's own enqueuing (beat's safety net)
            yield web, worker, redis, smtp_server, world
        finally:
            point_producer_at(saved_broker)
            web_stop(web)
            if worker is not None:
                worker_stop(worker)
            if redis.process is None:
                redis.start()


def faults(worker: SupervisedWorker, redis: RedisServer, traffic: Traffic) -> list[tuple[float, str]]:
    """Kill the worker, kill Redis and start it again (empty), kill the worker again, as the traffic progresses;
    then wait for the recovery (Redis answering, the worker started again and ready) and tell the clients."""
    before = traffic.planned * (1 - AFTER_RECOVERY)
    timeline: list[tuple[float, str]] = []

    def at(share: float, what: str) -> None:
        wait_for(lambda: traffic.done >= share * before or time.monotonic() > traffic.deadline, what, TIME_LIMIT)
        timeline.append((time.monotonic(), what))

    at(0.15, "worker killed")
    worker.kill_worker()
    at(0.35, "Redis killed")
    redis.stop()
    traffic.redis_down = (time.monotonic(), float("inf"))
    at(0.55, "Redis started (empty)")
    time.sleep(1.0)  # down for a while even on a fast machine
    redis.start()
    traffic.redis_down = (traffic.redis_down[0], time.monotonic())
    at(0.75, "worker killed again")
    ready_before = worker.starts()  # a worker started while Redis was down may never have become ready
    worker.kill_worker()
    worker.wait_ready(ready_before + 1)
    wait_for(redis.answers, "Redis", 30)
    traffic.recovered_at = time.monotonic()
    timeline.append((traffic.recovered_at, "recovered"))
    traffic.recovered.set()
    return timeline


def summary(traffic: Traffic, timeline: list[tuple[float, str]], start: float) -> str:
    counts = Counter((outcome.kind, outcome.status, outcome.cache) for outcome in traffic.outcomes)
    lines = [f"{kind:10} {status} {cache:11}: {count}" for (kind, status, cache), count in sorted(counts.items())]
    lines += [f"{moment - start:6.1f} s  {what}" for moment, what in timeline]
    errors = [outcome for outcome in traffic.outcomes if outcome.status >= 500 or outcome.status == 0]
    lines += [f"{outcome.kind} {outcome.status} {outcome.error[:200]}" for outcome in errors[:10]]
    return "\n".join(lines)


def test_a_fault_loses_nothing(
    platform: tuple[WebServer, SupervisedWorker, RedisServer, SmtpServer, World], pki: DevelopmentPki
) -> None:
    web, worker, redis, smtp, world = platform
    start = time.monotonic()
    traffic = Traffic(planned=READERS * READS_EACH + APPLICANTS * FILES_EACH * 3, deadline=start + TIME_LIMIT)
    signing = Signing()
    all_requests = set().union(*(request_ids for _, _, request_ids in world.signers))
    points = ask_points(all_requests, traffic)
    clients = [threading.Thread(target=reader, args=(web.url, number, traffic)) for number in range(READERS)]
    clients += [
        threading.Thread(target=applicant, args=(web.url, username, token, world.parcel_id, traffic))
        for username, token in world.applicants
    ]
    clients += [
        threading.Thread(
            target=signer,
            args=(web.url, username, token, {pk: points[pk] for pk in request_ids}, traffic, signing),
        )
        for username, token, request_ids in world.signers
    ]
    clients.append(threading.Thread(target=signature_recovery, args=(all_requests, traffic, signing)))
    for client in clients:
        client.start()
    try:
        timeline = faults(worker, redis, traffic)
    finally:
        traffic.recovered.set()  # never leave a client waiting
        for client in clients:
            client.join(timeout=max(traffic.deadline - time.monotonic(), 1))
    assert not any(client.is_alive() for client in clients), "the clients did not finish within the time limit"
    report = summary(traffic, timeline, start)
    print(report)

    # Every client did all its requests, answered.
    assert len(traffic.outcomes) == traffic.planned, report
    assert not [outcome for outcome in traffic.outcomes if outcome.status == 0], report
    public = [outcome for outcome in traffic.outcomes if outcome.kind in PUBLIC_KINDS]
    after = [outcome for outcome in public if outcome.started >= traffic.recovered_at]
    assert len(after) >= READERS * READS_EACH * AFTER_RECOVERY - READERS, report
    assert not [outcome for outcome in after if outcome.status >= 500], report
    assert not [outcome for outcome in public if outcome.status >= 500], "the public reads fail open\n" + report
    filing = [outcome for outcome in traffic.outcomes if outcome.kind in {"create", "submit", "read-file"}]
    assert {outcome.status for outcome in filing} <= {200, 201}, report
    assert len(traffic.submitted) == APPLICANTS * FILES_EACH, report
    # Tiles were served without Redis while it was down, its cache used again after the recovery, and its outage
    # logged once per web process that saw it.
    down_from, down_to = traffic.redis_down
    assert any(
        outcome.kind == "tile" and outcome.status == 200 and outcome.cache == "unavailable"
        for outcome in public
        if down_from <= outcome.started < down_to
    ), report
    assert any(outcome.kind == "tile" and outcome.cache == "hit" for outcome in after), report
    assert 1 <= web.log_text().count("Redis tile cache unavailable") <= WEB_WORKERS, web.log_text()[-3000:]

    # Zero lost notifications: beat's safety net (run here at once) and the worker send every delivery.
    def all_sent() -> bool:
        if Delivery.objects.exclude(status=Delivery.Status.SENT).exists():
            delivery_resume_stale(stale_after=timedelta(0))
            time.sleep(2)
            return False
        return True

    wait_for(all_sent, "every delivery sent", 90, lambda: worker.log_text()[-3000:])
    deliveries = list(Delivery.objects.values_list("recipient", "subject", "event_key"))
    submitted_to = Counter(
        recipient
        for recipient, _, key in deliveries
        if key == "dossier.submitted" and recipient.startswith("applicant-")
    )
    assert submitted_to == {f"{username}@example.org": FILES_EACH for username, _ in world.applicants}
    received = {
        (recipient, " ".join(str(mail.message["Subject"]).split()))  # a folded header may keep a leading space
        for mail in smtp.messages
        for recipient in mail.recipients
    }
    assert {(recipient, subject) for recipient, subject, _ in deliveries} <= received

    # Zero lost signature requests: each was asked for and signed once, each decided file signed and published
    # (its guards verified every PAdES signature), each document carrying every signature, valid and trusted.
    signing_answers = Counter((outcome.kind, outcome.status) for outcome in signing.outcomes)
    assert not [outcome for outcome in signing.outcomes if outcome.status >= 500 or outcome.status == 0], (
        signing_answers,
        [outcome.error for outcome in signing.outcomes if outcome.status >= 500 or outcome.status == 0][:5],
    )
    assert signing.asked == all_requests, (signing_answers, all_requests - signing.asked)
    assert signatures_left(all_requests) == 0, (signing_answers, worker.log_text()[-3000:])
    signed_events = Counter(
        (dossier_id, payload["kind"], payload["field"])
        for dossier_id, payload in AuditEvent.objects.filter(
            action="commission.document_signed", dossier__in=world.decided
        ).values_list("dossier_id", "payload")
    )
    expected_signatures = SignatureRequest.objects.filter(pk__in=all_requests).values_list(
        "output__dossier_id", "output__kind", "field_name"
    )
    assert signed_events == dict.fromkeys(expected_signatures, 1), signed_events
    checked = worker.run_dir.parent / "pdfsig"
    checked.mkdir()
    for dossier in Dossier.objects.filter(pk__in=world.decided):
        assert dossier.status == DossierStatus.PUBLISHED, (dossier.pk, dossier.status)
        actions = Counter(AuditEvent.objects.filter(dossier=dossier).values_list("action", flat=True))
        assert actions["dossier.sign"] == 1 and actions["dossier.publish"] == 1, (dossier.pk, actions)
        pdfsig_checked(dossier, pki, checked)
    sign_times = sorted(
        f"{outcome.started - start:.1f} s ({outcome.status})" for outcome in signing.outcomes if outcome.kind == "sign"
    )
    print(f"signatures asked at {sign_times}: {signing_answers}, re-enqueued by the recovery job: {signing.resumed}")
    down_from, down_to = traffic.redis_down
    assert any(down_from <= outcome.started < down_to for outcome in signing.outcomes if outcome.kind == "sign"), (
        "a signature was asked for while Redis was down"
    )

    # Zero files in an inconsistent state.
    dossiers = Dossier.objects.filter(applicant__username__startswith="applicant-")
    assert set(dossiers.values_list("pk", flat=True)) == set(traffic.created)
    for dossier in dossiers:
        actions = Counter(AuditEvent.objects.filter(dossier=dossier).values_list("action", flat=True))
        assert dossier.status == DossierStatus.SUBMITTED and dossier.pk in traffic.submitted, dossier.pk
        assert dossier.reference and dossier.reference.startswith("CASA-ANFA/"), dossier.pk
        assert actions["dossier.created"] == 1 and actions["dossier.submit"] == 1, (dossier.pk, actions)
    assert audit_verify().ok
