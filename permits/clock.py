"""A file's own legal clock, computed in one place: the current step, its deadline, business days left, and what
the platform does at expiry (the catalogue's `clock:` per procedure, rows of `StepDeadline`).

The steps follow the file's status (`STEP_OF_STATUS`): completeness (submitted), instruction (under instruction,
remarks issued), decision (in commission), signature (decided). The clock pauses while the file waits for the
applicant (`PAUSED_STEP`: incomplete, awaiting the applicant's reply); when the file comes back, the step's
`on_applicant_return` says whether it resumes (the business days of the pause are added to the deadline) or
restarts from zero. A step counted from filing (the law's "N months after the filing", the decision's tacit
authorisation) runs from the filing across completeness, instruction and commission, paused the same way;
a file filed again after being returned incomplete starts it again on the new filing date when its rule says
`restart` (it resumes otherwise).

Writes: `clock_transition` is called by `permits.services.common.transition_run` for every transition of the
workflow and keeps `DossierClock` (step start, pauses, deadline dates for the back office's ordering, and the last
day of the limit counted from filing, `filing_limit`, kept once the file is decided: the open-data indicators read it).
Reads: `file_clock(dossier=, today=)` gives the figures every face shows (the page, the back office, the API);
`tacit_shortfall` is the workflow's guard of the tacit decision. `clock_rebuild` replays a file's clock from its
audit trail (`manage.py clock_rebuild`: files filed before the clock existed). Outcomes (reminders, escalations, tacit
decisions) are applied by the beat task (`permits.commissions.tasks.clock_outcomes_task`).

A deadline is the last day to act: a limit in business days ends on the N-th business day after the start; a limit
in months ends on the same day N months later, moved to the next business day when that is not one. The outcome
applies the day after the deadline.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permits.deadlines import add_business_days, business_days_between, business_days_remaining, is_business_day
from permits.models import (
    ApplicantReturn,
    ClockStart,
    Dossier,
    DossierClock,
    DossierStatus,
    Procedure,
    ProcedureStep,
    Role,
    SilenceOutcome,
    StepDeadline,
)
from permits.workflow import DECIDED_GROUP

S = DossierStatus
STEP_OF_STATUS: dict[str, str] = {
    S.SUBMITTED: ProcedureStep.COMPLETENESS,
    S.UNDER_INSTRUCTION: ProcedureStep.INSTRUCTION,
    S.REMARKS_ISSUED: ProcedureStep.INSTRUCTION,
    S.IN_COMMISSION: ProcedureStep.DECISION,
    S.DECIDED: ProcedureStep.SIGNATURE,
}
PAUSED_STEP: dict[str, str] = {
    S.INCOMPLETE: ProcedureStep.COMPLETENESS,
    S.AWAITING_APPLICANT: ProcedureStep.INSTRUCTION,
}
# Who is reminded when a step's deadline comes near (the decision of a service-decided procedure: the role it names).
IN_CHARGE: dict[str, str] = {
    ProcedureStep.COMPLETENESS: Role.DESK_AGENT,
    ProcedureStep.INSTRUCTION: Role.DESK_AGENT,
    ProcedureStep.DECISION: Role.COMMISSION_PRESIDENT,
    ProcedureStep.SIGNATURE: Role.SIGNING_AUTHORITY,
}


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the last day of a shorter month)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def limit_deadline(*, start: date, rule: StepDeadline, paused_days: int = 0) -> date:
    """The last day of a limit that started on `start`, pushed by the business days it was paused."""
    if rule.months:
        deadline = add_months(start, rule.months)
        if paused_days:
            deadline = add_business_days(deadline, paused_days)
        while not is_business_day(deadline):
            deadline = date.fromordinal(deadline.toordinal() + 1)
        return deadline
    return add_business_days(start, rule.business_days + paused_days)


def step_rules(rows: Iterable[StepDeadline]) -> dict[str, StepDeadline]:
    """A procedure's clock steps among its `StepDeadline` rows (those of `CLOCK_STEPS` that set a limit), by step."""
    return {row.step: row for row in rows if row.step in IN_CHARGE and (row.months or row.business_days)}


def clock_rules(procedure: Procedure) -> dict[str, StepDeadline]:
    """The procedure's clock steps, by step."""
    return step_rules(procedure.step_deadlines.all())  # prefetched by the lists that show many files


def filing_rule(rules: dict[str, StepDeadline]) -> StepDeadline | None:
    """The limit counted from filing (the decision's, in the catalogue), if the procedure has one."""
    return next((rule for rule in rules.values() if rule.counted_from == ClockStart.FILING), None)


def filing_limit(*, filed_on: date | None, paused_days: int, rules: dict[str, StepDeadline]) -> date | None:
    """The last day of a file's limit counted from filing: from its filing day, pushed by the business days it was
    paused (None: not filed, or no such limit in its procedure's `rules`). The clock's `filing_limit`."""
    rule = filing_rule(rules)
    if rule is None or filed_on is None:
        return None
    return limit_deadline(start=filed_on, rule=rule, paused_days=paused_days)


FILING_CLOCK_RUNS = frozenset({S.SUBMITTED, S.UNDER_INSTRUCTION, S.REMARKS_ISSUED, S.IN_COMMISSION})


# --- writes: called for every transition ---------------------------------------------------------------------


def clock_transition(*, dossier: Dossier, previous: str, target: str, today: date) -> DossierClock:
    """Move the file's clock with the transition `previous` -> `target` that has just been applied."""
    rules = clock_rules(dossier.procedure)
    clock, _created = DossierClock.objects.select_for_update().get_or_create(dossier=dossier)
    if previous in PAUSED_STEP and clock.paused_since is not None:
        _resume(clock=clock, rules=rules, today=today, step=PAUSED_STEP[previous])
    if target in PAUSED_STEP:
        clock.paused_since = today
    elif target in STEP_OF_STATUS:
        step = STEP_OF_STATUS[target]
        if previous == S.DRAFT:
            clock.filed_on, clock.filing_paused_days = today, 0
        if step != clock.step or clock.step_started_on is None:  # a new step (remarks issued: the same one)
            clock.step, clock.step_started_on, clock.step_paused_days = step, today, 0
    else:  # signed, published, withdrawn: no clock runs any more
        clock.step, clock.step_started_on, clock.paused_since = "", None, None
    _deadlines_store(clock=clock, rules=rules, status=target)
    if previous not in DECIDED_GROUP:  # final once the decision is recorded: kept for the indicators
        clock.filing_limit = filing_limit(filed_on=clock.filed_on, paused_days=clock.filing_paused_days, rules=rules)
    clock.save()
    return clock


def clock_rebuild(*, dossier: Dossier) -> DossierClock | None:
    """The file's clock replayed from its audit trail (every transition's from/to and date): for files filed before
    the clock existed, or after the catalogue's limits changed. Idempotent; None for a file never filed."""
    from permits.models import AuditEvent  # the audit trail is the history the transitions left

    DossierClock.objects.filter(dossier=dossier).delete()
    result = None
    events = AuditEvent.objects.filter(dossier=dossier, action__startswith="dossier.").order_by("sequence")
    for event in events:
        previous, target = event.payload.get("from"), event.payload.get("to")
        if previous in S.values and target in S.values and previous != target:
            result = clock_transition(
                dossier=dossier, previous=previous, target=target, today=timezone.localdate(event.at)
            )
    return result


def _resume(*, clock: DossierClock, rules: dict[str, StepDeadline], today: date, step: str) -> None:
    assert clock.paused_since is not None
    paused = business_days_between(clock.paused_since, today)
    rule = rules.get(step)
    if rule is not None and rule.on_applicant_return == ApplicantReturn.RESTART:
        clock.step_started_on, clock.step_paused_days = today, 0
    else:
        clock.step_paused_days += paused
    if step == ProcedureStep.COMPLETENESS:  # returned incomplete: the completeness rule says if it is filed anew
        filing_restarts = rule is None or rule.on_applicant_return == ApplicantReturn.RESTART
    else:
        filing = filing_rule(rules)
        filing_restarts = filing is not None and filing.on_applicant_return == ApplicantReturn.RESTART
    if filing_restarts:
        clock.filed_on, clock.filing_paused_days = today, 0
    else:
        clock.filing_paused_days += paused
    clock.paused_since = None


def _deadlines_store(*, clock: DossierClock, rules: dict[str, StepDeadline], status: str) -> None:
    if clock.paused_since is not None:  # frozen while the file waits for the applicant
        clock.next_deadline = None
        return
    rule = rules.get(clock.step)
    clock.step_deadline = None
    if rule is not None and clock.step_started_on is not None:
        if rule.counted_from == ClockStart.FILING and clock.filed_on is not None:
            clock.step_deadline = limit_deadline(start=clock.filed_on, rule=rule, paused_days=clock.filing_paused_days)
        else:
            clock.step_deadline = limit_deadline(
                start=clock.step_started_on, rule=rule, paused_days=clock.step_paused_days
            )
    clock.decision_deadline = (
        filing_limit(filed_on=clock.filed_on, paused_days=clock.filing_paused_days, rules=rules)
        if status in FILING_CLOCK_RUNS
        else None
    )
    dates = [day for day in (clock.step_deadline, clock.decision_deadline) if day is not None]
    clock.next_deadline = min(dates) if dates else None


# --- reads ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """One running limit of a file: a step's, or the one counted from filing."""

    step: str
    started_on: date
    deadline: date
    days_left: int  # business days, the deadline day included; negative once overdue
    silence: str
    escalate_to: str
    remind_before: int
    legal_source: str
    counted_from: str
    legal_sources: dict[str, str]  # the source by language (en, fr, ar) for the texts that cite it

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def step_label(self) -> str:
        return str(ProcedureStep(self.step).label)

    @property
    def outcome_label(self) -> str:
        if self.silence == SilenceOutcome.TACIT_APPROVAL:
            return str(_("the file is deemed authorised (tacit authorisation) and its attestation is issued"))
        role = Role(self.escalate_to).label if self.escalate_to in Role.values else ""
        return str(_("a reminder, then the file is escalated to: %(role)s") % {"role": role})

    def as_dict(self) -> dict[str, object]:
        return {
            "step": self.step,
            "step_label": self.step_label,
            "started_on": self.started_on.isoformat(),
            "deadline": self.deadline.isoformat(),
            "business_days_left": self.days_left,
            "overdue": self.overdue,
            "counted_from": self.counted_from,
            "at_expiry": self.silence,
            "at_expiry_label": self.outcome_label,
            "escalate_to": self.escalate_to,
            "legal_source": self.legal_source,
        }


@dataclass(frozen=True)
class FileClock:
    """What a face shows: the current step's limit (None while paused or without a limit), the limit counted from
    filing when it is another one, and the pause."""

    step: str
    current: Limit | None
    filing: Limit | None
    paused_since: date | None
    paused_days_left: int | None  # the current step's business days left when the pause began

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

    @property
    def step_label(self) -> str:
        return str(ProcedureStep(self.step).label) if self.step else ""

    @property
    def next(self) -> Limit | None:
        """The limit that expires first (the back office sorts by it)."""
        limits = [limit for limit in (self.current, self.filing) if limit is not None]
        return min(limits, key=lambda limit: limit.deadline) if limits else None

    def as_dict(self) -> dict[str, object]:
        return {
            "step": self.step,
            "step_label": self.step_label,
            "paused": self.paused,
            "paused_since": self.paused_since.isoformat() if self.paused_since else None,
            "paused_business_days_left": self.paused_days_left,
            "current": self.current.as_dict() if self.current else None,
            "from_filing": self.filing.as_dict() if self.filing else None,
        }


def _limit(*, rule: StepDeadline, step: str, started_on: date, deadline: date, today: date) -> Limit:
    return Limit(
        step=step,
        started_on=started_on,
        deadline=deadline,
        days_left=business_days_remaining(today, deadline),
        silence=rule.silence,
        escalate_to=rule.escalate_to,
        remind_before=rule.remind_before,
        legal_source=rule.legal_source,
        counted_from=rule.counted_from,
        legal_sources={"en": rule.legal_source, "fr": rule.legal_source_fr, "ar": rule.legal_source_ar},
    )


def file_clock(*, dossier: Dossier, today: date, clock: DossierClock | None = None) -> FileClock | None:
    """The file's clock today, or None when no clock runs (a draft, a signed or published file, a withdrawn one)."""
    if clock is None:
        cache = dossier._state.fields_cache  # read with the file (`select_related("clock")`; None: it has none)
        clock = cache["clock"] if "clock" in cache else DossierClock.objects.filter(dossier_id=dossier.pk).first()
    if clock is None or not clock.step:
        return None
    if STEP_OF_STATUS.get(dossier.status, PAUSED_STEP.get(dossier.status)) != clock.step:
        return None  # a clock not written by the file's last transition (status written outside the services)
    rules = clock_rules(dossier.procedure)
    rule = rules.get(clock.step)
    filing = filing_rule(rules)
    current = None
    if rule is not None and clock.step_deadline is not None and clock.paused_since is None:
        started = clock.filed_on if rule.counted_from == ClockStart.FILING and clock.filed_on else clock.step_started_on
        assert started is not None
        current = _limit(rule=rule, step=clock.step, started_on=started, deadline=clock.step_deadline, today=today)
    from_filing = None
    if (
        filing is not None
        and filing is not rule
        and clock.decision_deadline is not None
        and clock.filed_on is not None
        and clock.paused_since is None
    ):
        from_filing = _limit(
            rule=filing, step=filing.step, started_on=clock.filed_on, deadline=clock.decision_deadline, today=today
        )
    paused_left = None
    if clock.paused_since is not None and clock.step_deadline is not None:
        paused_left = business_days_remaining(clock.paused_since, clock.step_deadline)
    return FileClock(
        step=clock.step,
        current=current,
        filing=from_filing,
        paused_since=clock.paused_since,
        paused_days_left=paused_left,
    )


def running_limits(*, dossier: Dossier, today: date, clock: DossierClock | None = None) -> list[Limit]:
    """Every limit running on the file today (the current step's and the one counted from filing)."""
    found = file_clock(dossier=dossier, today=today, clock=clock)
    if found is None:
        return []
    return [limit for limit in (found.current, found.filing) if limit is not None]


def tacit_shortfall(*, dossier: Dossier, today: date | None) -> str | None:
    """Why the file may not be deemed authorised today (None: its tacit limit has expired, the outcome applies)."""
    if today is None:
        return "a tacit decision is taken only by the file's clock, on the day after its deadline"
    for limit in running_limits(dossier=dossier, today=today):
        if limit.silence == SilenceOutcome.TACIT_APPROVAL:
            if limit.overdue:
                return None
            return f"the tacit authorisation applies after {limit.deadline.isoformat()}"
    return "no tacit authorisation runs on this file now (its procedure, its step, or a pause for the applicant)"
