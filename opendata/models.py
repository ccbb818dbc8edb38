"""Indicator snapshots (history kept, one row per period (a day, a month or a year), indicator, procedure,
territory and breakdown) and the log of their refresh runs. Only aggregates: no row names a person or a file."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gis_core.models import Territory


class Period(models.TextChoices):
    """The granularity of a snapshot; a month's or a year's figures are computed over its own records (a median
    is not derived from daily medians)."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class IndicatorSnapshot(models.Model):
    """One figure of one period, `day` being its first day. `procedure` is a procedure's code or '' (all
    procedures); `territory` a commune, province or region (rolled up from the communes) or null (the nation);
    `breakdown` an agency's or a commission's code, a use or an activity, or ''. `count` is how many records
    the figure is computed over; `value` a sum or a share, `median` and `p90` the 50th and 90th percentiles
    (`docs/opendata.md`)."""

    period = models.CharField(max_length=8, choices=Period.choices, default=Period.DAY)
    day = models.DateField()
    indicator = models.CharField(max_length=64)
    procedure = models.CharField(max_length=50, blank=True)
    territory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    breakdown = models.CharField(max_length=100, blank=True)
    count = models.PositiveIntegerField()
    value = models.FloatField(null=True, blank=True)
    median = models.FloatField(null=True, blank=True)
    p90 = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "day", "indicator", "procedure", "territory", "breakdown"],
                name="indicator_snapshot_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["indicator", "period", "day"], name="snapshot_indicator_period_day")]

    def __str__(self) -> str:
        where = self.territory_id or "nation"
        return f"{self.period} {self.day} {self.indicator} {self.procedure or '*'} {where}: {self.count}"


class RefreshOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RefreshRun(models.Model):
    """One refresh of one period's snapshots (`day`: the period's first day), kept also when it failed (written
    after the rollback)."""

    period = models.CharField(max_length=8, choices=Period.choices, default=Period.DAY)
    day = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    # "outcome", not "status": a status is what a state machine writes (tests/permits/test_status_writers.py)
    outcome = models.CharField(max_length=16, choices=RefreshOutcome.choices, default=RefreshOutcome.RUNNING)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"refresh of {self.period} {self.day}: {self.outcome} ({self.rows} rows)"
