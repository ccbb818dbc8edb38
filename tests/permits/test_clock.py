"""The file's own legal clock (`permits.clock`), with a frozen clock (time-machine): the steps and their deadlines,
the pause while the file waits for the applicant and how it ends (resume or restart), and the outcomes at expiry
(a reminder and an escalation, each once, audited and notified); the catalogue's values as loaded."""

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.core.management import call_command

from gis_core.notifications.models import Delivery
from permits import clock, services
from permits.clock import add_months, file_clock, limit_deadline
from permits.commissions.tasks import clock_outcomes_apply
from permits.models import (
    ApplicantReturn,
    AuditEvent,
    ClockNotice,
    ClockStart,
    Dossier,
    DossierClock,
    DossierStatus,
    Procedure,
    ProcedureStep,
    Remark,
    Role,
    RoleMembership,
    SilenceOutcome,
    StepDeadline,
)
from permits.services.catalogue import CatalogueError
from tests.conftest import tasks_eager
from tests.permits.factories import ADDRESS, DossierFactory, ProcedureFactory, UserFactory, staff_for, submit

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")


def at(day: date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=CASABLANCA), tick=False)


def clock_catalogue(
    procedure: Procedure,
    *,
    tacit: bool = True,
    instruction_return: str = ApplicantReturn.RESUME,
    decision_return: str = ApplicantReturn.RESUME,
) -> Procedure:
    """The building permit's clock: completeness 3 business days (restart), instruction 20 (reminder 3 days
    before), decision 2 months from filing (tacit, or an escalation), signature 5."""
    rows: dict[str, dict[str, Any]] = {
        ProcedureStep.COMPLETENESS: {"business_days": 3, "remind_before": 1, "on_applicant_return": "restart"},
        ProcedureStep.INSTRUCTION: {"business_days": 20, "remind_before": 3, "on_applicant_return": instruction_return},
        ProcedureStep.DECISION: {
            "months": 2,
            "counted_from": ClockStart.FILING,
            "silence": SilenceOutcome.TACIT_APPROVAL if tacit else SilenceOutcome.ESCALATE,
            "remind_before": 5,
            "on_applicant_return": decision_return,
            "legal_source": "law 12-90 art. 48",
            "legal_source_fr": "loi 12-90, art. 48",
            "legal_source_ar": "القانون 12-90، المادة 48",
        },
        ProcedureStep.SIGNATURE: {"business_days": 5, "remind_before": 1},
    }
    for step, fields in rows.items():
        StepDeadline.objects.update_or_create(
            procedure=procedure, step=step, defaults={"escalate_to": Role.ADMINISTRATOR, **fields}
        )
    return procedure


@pytest.fixture
def procedure() -> Procedure:
    return clock_catalogue(ProcedureFactory.create(code="building-permit"))


def clock_of(dossier: Dossier, *, today: date) -> clock.FileClock | None:
    """The file's clock as a page shows it (the file read again: the services changed its status)."""
    dossier.refresh_from_db()
    return file_clock(dossier=dossier, today=today)


def accept(dossier: Dossier) -> Dossier:
    desk = staff_for(dossier.commune)["desk_agent"]
    return services.dossier_check_completeness(actor=desk, address=ADDRESS, dossier=dossier, complete=True)


def send_remarks(dossier: Dossier) -> Dossier:
    desk = staff_for(dossier.commune)["desk_agent"]
    services.remark_issue(actor=desk, address=ADDRESS, dossier=dossier, text="Show the setback.")
    return services.remarks_send_to_applicant(actor=desk, address=ADDRESS, dossier=dossier)


def reply(dossier: Dossier) -> None:
    for remark in Remark.objects.filter(dossier=dossier, status="open"):
        services.remark_reply(actor=dossier.applicant, address=ADDRESS, remark=remark, text="Done.")


def test_months_and_business_days() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 15), 2) == date(2028, 1, 15)
    rule = StepDeadline(months=1)
    # 14 February 2027 is a Sunday: the limit ends on the next business day
    assert limit_deadline(start=date(2027, 1, 14), rule=rule) == date(2027, 2, 15)
    # 10-11 March 2027 is Eid al-Fitr: three business days from Tuesday 9 March end on Tuesday 16 March
    assert limit_deadline(start=date(2027, 3, 9), rule=StepDeadline(business_days=3)) == date(2027, 3, 16)


def test_the_clock_follows_each_step(procedure: Procedure) -> None:
    dossier = DossierFactory.create(procedure=procedure)
    assert clock_of(dossier, today=date(2027, 2, 1)) is None  # a draft has no clock
    with at(date(2027, 2, 1)):  # Monday
        submit(dossier)
    found = clock_of(dossier, today=date(2027, 2, 1))
    assert found is not None and found.step == ProcedureStep.COMPLETENESS
    assert found.current is not None and found.current.deadline == date(2027, 2, 4)
    assert found.current.days_left == 3 and found.current.silence == SilenceOutcome.ESCALATE
    assert found.filing is not None and found.filing.deadline == date(2027, 4, 1)  # two months after the filing
    assert found.filing.silence == SilenceOutcome.TACIT_APPROVAL

    with at(date(2027, 2, 2)):
        accept(dossier)
    found = clock_of(dossier, today=date(2027, 2, 5))
    assert found is not None and found.step == ProcedureStep.INSTRUCTION and found.current is not None
    assert found.current.started_on == date(2027, 2, 2)
    assert found.current.deadline == date(2027, 3, 2)  # 20 business days
    assert found.current.days_left == 17
    assert found.next is found.current
    assert DossierClock.objects.get(dossier=dossier).next_deadline == date(2027, 3, 2)
    # overdue: negative business days
    assert clock_of(dossier, today=date(2027, 3, 4)).current.days_left == -2  # type: ignore[union-attr]

    with at(date(2027, 2, 3)):
        services.dossier_send_to_commission(
            actor=staff_for(dossier.commune)["desk_agent"], address=ADDRESS, dossier=_opinions_given(dossier)
        )
    found = clock_of(dossier, today=date(2027, 2, 3))
    assert found is not None and found.step == ProcedureStep.DECISION and found.current is not None
    assert found.current.deadline == date(2027, 4, 1) and found.current.counted_from == ClockStart.FILING
    assert found.filing is None  # the decision's own limit is the one counted from filing


def _opinions_given(dossier: Dossier) -> Dossier:
    from tests.permits.factories import give_all_opinions

    give_all_opinions(dossier)
    dossier.refresh_from_db()
    return dossier


def test_the_clock_pauses_for_the_applicant_and_resumes(procedure: Procedure) -> None:
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
        accept(dossier)
    with at(date(2027, 2, 3)):  # Wednesday: 18 business days of instruction left
        send_remarks(dossier)
    found = clock_of(dossier, today=date(2027, 2, 9))
    assert found is not None and found.paused and found.paused_since == date(2027, 2, 3)
    assert found.current is None and found.filing is None and found.paused_days_left == 18
    assert DossierClock.objects.get(dossier=dossier).next_deadline is None  # last in the back office
    with at(date(2027, 2, 10)):  # five business days later
        reply(dossier)
    found = clock_of(dossier, today=date(2027, 2, 10))
    assert found is not None and not found.paused and found.current is not None and found.filing is not None
    assert found.current.started_on == date(2027, 2, 1)
    assert found.current.deadline == date(2027, 3, 8)  # 1 March + 5 business days of pause
    assert found.current.days_left == 18  # what was left when the pause began
    assert found.filing.deadline == date(2027, 4, 8)  # 1 April + 5 business days


def test_a_step_that_restarts_after_the_applicant(procedure: Procedure) -> None:
    clock_catalogue(procedure, instruction_return=ApplicantReturn.RESTART, decision_return=ApplicantReturn.RESTART)
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
        accept(dossier)
    with at(date(2027, 2, 3)):
        send_remarks(dossier)
    with at(date(2027, 2, 10)):
        reply(dossier)
    found = clock_of(dossier, today=date(2027, 2, 10))
    assert found is not None and found.current is not None and found.filing is not None
    assert found.current.started_on == date(2027, 2, 10) and found.current.days_left == 20
    assert found.filing.started_on == date(2027, 2, 10) and found.filing.deadline == date(2027, 4, 12)


def test_a_file_returned_incomplete_is_filed_anew(procedure: Procedure) -> None:
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
    with at(date(2027, 2, 2)):
        services.dossier_check_completeness(
            actor=staff_for(dossier.commune)["desk_agent"],
            address=ADDRESS,
            dossier=dossier,
            complete=False,
            missing_documents=["architectural-plans"],
        )
    assert clock_of(dossier, today=date(2027, 2, 3)).paused  # type: ignore[union-attr]
    with at(date(2027, 2, 15)):
        dossier.refresh_from_db()
        services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    found = clock_of(dossier, today=date(2027, 2, 15))
    assert found is not None and found.current is not None and found.filing is not None
    assert found.current.started_on == date(2027, 2, 15) and found.current.deadline == date(2027, 2, 18)
    assert found.filing.deadline == date(2027, 4, 15)


def test_no_clock_once_withdrawn(procedure: Procedure) -> None:
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
        dossier.refresh_from_db()
        services.dossier_withdraw(actor=dossier.applicant, address=ADDRESS, dossier=dossier, reason="no")
    assert clock_of(dossier, today=date(2027, 2, 1)) is None
    assert DossierClock.objects.get(dossier=dossier).next_deadline is None


def test_reminder_then_escalation_each_once(procedure: Procedure) -> None:
    dossier = DossierFactory.create(procedure=procedure)
    administrator = UserFactory.create(username="head-of-division", email="head@example.org")
    RoleMembership.objects.create(user=administrator, role=Role.ADMINISTRATOR, territory=dossier.commune)
    desk = staff_for(dossier.commune)["desk_agent"]
    desk.email = "desk@example.org"
    desk.save()
    with at(date(2027, 2, 1)):
        submit(dossier)  # completeness: due Thursday 4 February, a reminder one business day before
    with tasks_eager(propagate=False):
        assert clock_outcomes_apply(today=date(2027, 2, 2)) == {"reminders": 0, "escalations": 0, "tacit_decisions": 0}
        assert clock_outcomes_apply(today=date(2027, 2, 3))["reminders"] == 1
        assert clock_outcomes_apply(today=date(2027, 2, 4))["reminders"] == 0  # once
        assert clock_outcomes_apply(today=date(2027, 2, 5))["escalations"] == 1
        assert clock_outcomes_apply(today=date(2027, 2, 8)) == {"reminders": 0, "escalations": 0, "tacit_decisions": 0}
    notices = list(ClockNotice.objects.filter(dossier=dossier).values_list("kind", "step", "deadline"))
    assert sorted(notices) == [
        ("escalation", "completeness", date(2027, 2, 4)),
        ("reminder", "completeness", date(2027, 2, 4)),
    ]
    events = list(AuditEvent.objects.filter(dossier=dossier, action__startswith="dossier.clock_"))
    assert [event.action for event in events] == ["dossier.clock_reminder", "dossier.clock_escalation"]
    assert events[1].actor is None and events[1].payload["escalate_to"] == Role.ADMINISTRATOR
    reminders = Delivery.objects.filter(event_key="dossier.clock_reminder")
    assert list(reminders.values_list("recipient", flat=True)) == ["desk@example.org"]
    escalations = Delivery.objects.filter(event_key="dossier.clock_escalation")
    assert list(escalations.values_list("recipient", flat=True)) == ["head@example.org"]
    assert "2027-02-04" in escalations.get().body
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED  # an escalation decides nothing


def test_a_new_occurrence_of_the_step_is_reminded_again(procedure: Procedure) -> None:
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
    with tasks_eager(propagate=False):
        clock_outcomes_apply(today=date(2027, 2, 5))
        with at(date(2027, 2, 8)):
            services.dossier_check_completeness(
                actor=staff_for(dossier.commune)["desk_agent"],
                address=ADDRESS,
                dossier=dossier,
                complete=False,
                missing_documents=["architectural-plans"],
            )
        assert clock_outcomes_apply(today=date(2027, 2, 20))["escalations"] == 0  # paused: nothing runs
        with at(date(2027, 2, 22)):
            dossier.refresh_from_db()
            services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
        assert clock_outcomes_apply(today=date(2027, 3, 1))["escalations"] == 1
    assert ClockNotice.objects.filter(dossier=dossier, kind="escalation").count() == 2


def test_without_tacit_approval_the_decision_limit_escalates(procedure: Procedure) -> None:
    clock_catalogue(procedure, tacit=False)
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
        accept(dossier)
    with tasks_eager(propagate=False):
        summary = clock_outcomes_apply(today=date(2027, 4, 2))
    assert summary["tacit_decisions"] == 0 and summary["escalations"] == 2  # instruction and decision
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_INSTRUCTION and not dossier.decided_tacitly


def test_the_command_runs_the_outcomes(procedure: Procedure, capsys: pytest.CaptureFixture[str]) -> None:
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
    with tasks_eager(propagate=False):
        call_command("apply_clock_outcomes", "--date", "2027-02-05")
        call_command("apply_clock_outcomes", "--date", "2027-02-05")
    output = capsys.readouterr().out
    assert "1 escalation(s)" in output and "0 escalation(s)" in output


def test_the_catalogue_declares_each_procedures_clock() -> None:
    services.procedures_load()
    building = StepDeadline.objects.get(procedure__code="building-permit", step=ProcedureStep.DECISION)
    assert (building.months, building.counted_from, building.silence) == (2, "filing", "tacit_approval")
    assert "12-90" in building.legal_source
    for code in ("occupancy-permit", "certificate-of-conformity"):
        row = StepDeadline.objects.get(procedure__code=code, step=ProcedureStep.DECISION)
        assert (row.months, row.silence) == (1, "tacit_approval") and "art. 55" in row.legal_source
    economic = StepDeadline.objects.filter(procedure__family="economic", step__in=clock.IN_CHARGE)
    assert economic.exists() and not economic.filter(silence="tacit_approval").exists()
    assert not economic.exclude(escalate_to=Role.ADMINISTRATOR).exists()


def test_the_clock_is_replayed_from_the_audit_trail(procedure: Procedure) -> None:
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
        accept(dossier)
    with at(date(2027, 2, 3)):
        send_remarks(dossier)
    with at(date(2027, 2, 10)):
        reply(dossier)
    expected = clock_of(dossier, today=date(2027, 2, 10))
    DossierClock.objects.filter(dossier=dossier).delete()  # a file filed before the clock existed
    call_command("clock_rebuild")
    assert clock_of(dossier, today=date(2027, 2, 10)) == expected
    call_command("clock_rebuild", "--all")
    assert clock_of(dossier, today=date(2027, 2, 10)) == expected


@pytest.mark.parametrize(
    ("clock_entry", "why"),
    [
        ({"consultation": {"business_days": 3}}, "not a step of the file's clock"),
        ({"instruction": {"business_days": 3, "months": 1, "escalate_to": "administrator"}}, "one of them"),
        ({"instruction": {"business_days": 3, "silence": "tacit_approval"}}, "only the decision may be tacit"),
        ({"instruction": {"business_days": 3}}, "needs escalate_to"),
        ({"instruction": {"business_days": 3, "escalate_to": "mayor"}}, "is not a role"),
        ({"instruction": {"business_days": 3, "escalate_to": "administrator", "typo": 1}}, "unknown keys typo"),
    ],
)
def test_the_catalogue_refuses_a_wrong_clock(tmp_path: Path, clock_entry: dict[str, Any], why: str) -> None:
    catalogue = {
        "procedures": [
            {"code": "test-clock", "name_fr": "Test", "family": "urbanism", "clock": clock_entry},
        ]
    }
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(catalogue), encoding="utf-8")
    with pytest.raises(CatalogueError, match=why):
        services.procedures_load(path=path)
    assert not Procedure.objects.filter(code="test-clock").exists()  # one transaction: nothing loaded
