"""A signature asked for whose task was lost (the broker down when the request committed: the on-commit enqueue
fails, is logged, and the request stays pending) is enqueued again by the recovery job, Celery beat's
`signature_requests_resume_task`, like the notifications' `delivery_resume_stale`: the file is then signed and
published. The job picks only what was asked for and is stale, and a file whose signatures are all in but that is
still decided (its completion did not run)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from gis_core.signing.pki import DevelopmentPki
from permits.commissions import selectors, services
from permits.commissions.lifecycles import SIGNATURE, SignatureAction
from permits.commissions.models import SignatureRequest, SignatureStatus
from permits.commissions.tasks import signature_requests_resume_task
from permits.models import DossierStatus
from tests.commissions.conftest import World
from tests.commissions.publishing import certify_signers, decided_file, pending_signatures, sign
from tests.permits.factories import ADDRESS


def test_the_beat_schedule_runs_the_recovery_job() -> None:
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    assert tasks["permits.commissions.tasks.signature_requests_resume_task"] <= 600


def test_a_signature_whose_task_was_lost_is_enqueued_again_and_the_file_published(
    world: World, pki: DevelopmentPki, django_capture_on_commit_callbacks: Any
) -> None:
    certify_signers(world, pki)
    dossier, examination = decided_file(world, django_capture_on_commit_callbacks)
    *first, last = pending_signatures(examination)
    for request in first:
        sign(request, django_capture_on_commit_callbacks)
    # The signer signs while the broker is down: the request commits, its task is never enqueued (the on-commit
    # callbacks that would enqueue it are dropped here, as a failed enqueue leaves nothing behind).
    with django_capture_on_commit_callbacks(execute=False) as dropped:
        services.signature_request_sign(actor=last.signer, address=ADDRESS, request=last)
    assert len(dropped) >= 1
    last.refresh_from_db()
    assert last.status == SignatureStatus.PENDING and last.requested_at is not None
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED

    with django_capture_on_commit_callbacks(execute=True):
        assert signature_requests_resume_task(stale_after_seconds=3600) == 0  # not stale yet: its task may run
    last.refresh_from_db()
    assert last.status == SignatureStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        assert signature_requests_resume_task(stale_after_seconds=0) == 1
    last.refresh_from_db()
    dossier.refresh_from_db()
    assert last.status == SignatureStatus.SIGNED and dossier.status == DossierStatus.PUBLISHED
    assert dossier.audit_events.filter(action="commission.document_signed").count() == len(first) + 1
    with django_capture_on_commit_callbacks(execute=True):
        assert signature_requests_resume_task(stale_after_seconds=0) == 0  # nothing left: run again, nothing to do


def test_the_recovery_job_picks_stale_requests_asked_for_and_files_left_decided(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    dossier, examination = decided_file(world, django_capture_on_commit_callbacks)
    first = SignatureRequest.objects.get(output__examination=examination, output__kind="minutes", position=1)
    later = timezone.now() + timedelta(minutes=1)
    assert selectors.signature_requests_to_resume(stale_before=later) == []  # nobody asked to sign yet
    services.signature_request_sign(actor=first.signer, address=ADDRESS, request=first)
    assert selectors.signature_requests_to_resume(stale_before=later) == [first.pk]
    assert selectors.signature_requests_to_resume(stale_before=timezone.now() - timedelta(minutes=15)) == []
    # test data: every signature recorded without its PAdES task, so the file was never completed
    for request in SignatureRequest.objects.filter(output__dossier=dossier).order_by("output_id", "position"):
        SIGNATURE.apply(record=request, action=SignatureAction.SIGN, changes={"signed_at": timezone.now()})
    last = SignatureRequest.objects.filter(output__dossier=dossier).order_by("-signed_at", "-pk").first()
    assert last is not None
    assert selectors.signature_requests_to_resume(stale_before=later) == [last.pk]
