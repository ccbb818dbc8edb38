"""Writes: the tacit path, the outcome of the administration's silence where the catalogue (from the law) gives
it the value of an authorisation (`silence: tacit_approval`, e.g. law 12-90 art. 48 for the building permit).

`tacit_decide` runs `permits.services.dossier_decide_tacitly` (the workflow's TACIT_DECISION: the platform alone,
only once the file's clock says the limit has expired) and, in the same transaction, generates the attestation of
tacit authorisation (`pdf.tacit_attestation_pdf`, French and Arabic), stores and stamps it like every decision
(`signatures.tacit_outputs_prepare`) and asks the platform's seal (`SIGNING_PLATFORM_SEAL_USERNAME`) to sign it:
the PAdES signature runs in Celery after commit like any other (`commission.signature_requested`); once it
verifies, `signatures.dossier_complete_signing` signs the file by SEAL_TACIT_DECISION and publishes it.
`tacit_decisions_apply` is what the beat task runs: every file whose tacit limit has expired, each in its own
transaction; idempotent (a decided file is left).
"""

from datetime import date

from django.db import transaction

from permits import clock, services
from permits.commissions.booking import booking_release_decided
from permits.commissions.models import OutputDocument
from permits.commissions.signatures import tacit_outputs_prepare
from permits.models import DossierClock, SilenceOutcome, StepDeadline
from permits.workflow import SILENCE_DECIDABLE


@transaction.atomic
def tacit_decide(*, dossier_id: int, today: date) -> list[OutputDocument]:
    """Decide one file tacitly if its limit has expired; its attestation awaits the platform's seal."""
    from permits.models import Dossier

    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
    expired = [
        limit
        for limit in clock.running_limits(dossier=dossier, today=today)
        if limit.silence == SilenceOutcome.TACIT_APPROVAL and limit.overdue
    ]
    if not expired:
        return []
    decided = services.dossier_decide_tacitly(dossier=dossier, today=today)
    booking_release_decided(dossier=decided, reason="tacit decision")  # its session will not examine it
    limit = expired[0]
    return tacit_outputs_prepare(
        dossier=decided, filed_on=limit.started_on, deadline=limit.deadline, legal_sources=limit.legal_sources
    )


def tacit_decisions_apply(*, today: date) -> list[int]:
    """Every file past its tacit limit is decided (each in its own transaction). Returns their ids."""
    procedures = StepDeadline.objects.filter(silence=SilenceOutcome.TACIT_APPROVAL).values("procedure_id")
    due = DossierClock.objects.filter(
        dossier__procedure_id__in=procedures,
        dossier__status__in=list(SILENCE_DECIDABLE),
        next_deadline__lt=today,
        paused_since__isnull=True,
    ).values_list("dossier_id", flat=True)
    decided = []
    for dossier_id in list(due):
        if tacit_decide(dossier_id=dossier_id, today=today):
            decided.append(dossier_id)
    return decided
