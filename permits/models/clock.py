"""The stored state of a file's legal clock, written by `permits.clock` when a workflow transition runs.

`DossierClock` holds the current step, when it started, the business days it was paused for the applicant, the
deadline dates (kept for the back office's ordering), the filing date the clocks counted from filing start at, and
the last day of the limit counted from filing (`filing_limit`: kept once the file is decided, for the indicators).
`ClockNotice` records each reminder, escalation and tacit outcome once per step occurrence: the beat task
(`permits.commissions.tasks.clock_outcomes_task`) writes a row before it notifies, so a re-run changes nothing.
"""

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from permits.models.catalogue import ProcedureStep
from permits.models.dossiers import Dossier


class DossierClock(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="clock", primary_key=True)
    step = models.CharField(max_length=32, choices=ProcedureStep.choices, blank=True)
    step_started_on = models.DateField(null=True, blank=True)
    step_paused_days = models.PositiveIntegerField(default=0)
    filed_on = models.DateField(null=True, blank=True, help_text=_("Start of the clocks counted from filing."))
    filing_paused_days = models.PositiveIntegerField(default=0)
    paused_since = models.DateField(null=True, blank=True, help_text=_("The file waits for the applicant."))
    step_deadline = models.DateField(null=True, blank=True)
    decision_deadline = models.DateField(null=True, blank=True, help_text=_("A limit counted from filing."))
    next_deadline = models.DateField(null=True, blank=True, db_index=True, help_text=_("The earlier of the two."))
    filing_limit = models.DateField(
        null=True, blank=True, help_text=_("Last day of the limit counted from filing, kept after the decision.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"clock of {self.dossier}: {self.step or '-'} until {self.next_deadline or '-'}"


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")
    TACIT_DECISION = "tacit_decision", _("Tacit decision")


class ClockNotice(models.Model):
    """One outcome of the clock, applied once for one occurrence of a step (its start date)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="clock_notices")
    step = models.CharField(max_length=32, choices=ProcedureStep.choices)
    started_on = models.DateField()
    deadline = models.DateField()
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "step", "started_on", "kind"], name="clock_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.step} of {self.dossier}"
