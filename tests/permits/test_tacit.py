"""Tacit opinions: the procedure's legal default once the deadline day has ended, idempotent, current round only;
the members' queue and the deadlines shown to the desk and the applicant."""

from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from permits import selectors, services
from permits.models import ConsultationStatus, OpinionValue
from tests.permits.factories import ADDRESS, DossierFactory, member_for

pytestmark = pytest.mark.django_db


def day_after(deadline: Any, days: int = 1) -> datetime:
    return timezone.make_aware(datetime.combine(deadline + timedelta(days=days), datetime.min.time()))


def test_tacit_after_the_deadline_day_only() -> None:
    dossier = DossierFactory.create(under_instruction=True)
    dossier.procedure.tacit_opinion = OpinionValue.UNFAVOURABLE
    dossier.procedure.save()
    consultation = dossier.consultations.get()
    on_deadline_day = timezone.make_aware(datetime.combine(consultation.deadline, datetime.max.time()))
    assert services.consultations_apply_tacit(now=on_deadline_day) == []
    assert services.consultations_apply_tacit(now=day_after(consultation.deadline)) == [consultation.pk]
    assert services.consultations_apply_tacit(now=day_after(consultation.deadline, 5)) == []
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.TACIT
    assert consultation.opinion == OpinionValue.UNFAVOURABLE
    actions = list(selectors.audit_events_for(dossier=dossier).values_list("action", "actor"))
    assert ("consultation.tacit_opinion", None) in actions


def test_earlier_rounds_and_given_opinions_are_left_alone() -> None:
    dossier = DossierFactory.create(awaiting_applicant=True)
    services.remark_reply(actor=dossier.applicant, address=ADDRESS, remark=dossier.remarks.get(), text="done")
    first, second = dossier.consultations.order_by("round__number")
    assert first.status == ConsultationStatus.CLOSED  # superseded by round 2
    services.opinion_give(
        actor=member_for(second.agency), address=ADDRESS, consultation=second, opinion=OpinionValue.FAVOURABLE
    )
    assert services.consultations_apply_tacit(now=day_after(second.deadline, 30)) == []


def test_command(django_capture_on_commit_callbacks: Any) -> None:
    dossier = DossierFactory.create(under_instruction=True)
    consultation = dossier.consultations.get()
    out = StringIO()
    call_command("apply_tacit_opinions", "--now", day_after(consultation.deadline).isoformat(), stdout=out)
    assert "Tacit opinions applied: 1" in out.getvalue()


def test_member_queue_and_deadlines_for_the_desk() -> None:
    dossier = DossierFactory.create(under_instruction=True)
    consultation = dossier.consultations.select_related("agency").get()
    member = member_for(consultation.agency)
    assert list(selectors.consultations_queue_for(user=member)) == [consultation]
    rows = selectors.consultation_deadlines(dossier=dossier, today=timezone.localdate())
    assert rows[0].agency_code == consultation.agency.code
    assert rows[0].business_days_remaining == 10 and rows[0].status == ConsultationStatus.PENDING
    services.opinion_give(actor=member, address=ADDRESS, consultation=consultation, opinion="favourable")
    assert list(selectors.consultations_queue_for(user=member)) == []
    assert selectors.actions_available(dossier=dossier, user=dossier.applicant) == ["withdraw"]


def test_beat_task_is_idempotent() -> None:
    from permits.tasks import consultations_apply_tacit_task

    DossierFactory.create(under_instruction=True)
    assert consultations_apply_tacit_task.apply().get() == 0  # nothing due today
