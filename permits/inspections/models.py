"""The site inspection (récolement) of a file: the catalogue's part, the appointment, the report.

- `ProcedureInspection`: the catalogue's `inspection: required` key of a procedure; `ChecklistItem`: its
  checklist (per procedure, in order), loaded from `permits/fixtures/procedures.yaml`.
- `Inspection`: one visit of the site for one instruction round of a file: the appointment (proposed by the desk or
  an inspector, confirmed by the applicant or asked for another slot, rescheduled, cancelled), then the report
  (remarks, verdict against the authorised plans, deviations) closed by the inspector. Its `status` is written only
  by `permits.inspections.lifecycles.INSPECTION`; a closed inspection is immutable (`save` refuses any change).
- `ChecklistAnswer`: one item of the checklist as answered on site (the item's labels are copied: the report says
  what the inspector saw even if the catalogue changes later); `InspectionPhoto`: a photo taken on site, an
  immutable `gis_core.documents` document, with the browser's position and the one read from its EXIF.
Answers and photos of a closed inspection can be neither added nor changed.
"""

from typing import Any

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gis_core.documents.models import StoredDocument
from permits.models import Dossier, MachineWrittenStatus, Procedure
from permits.models.status import IllegalStatusWrite


class ClosedInspectionChanged(IllegalStatusWrite):
    """A closed inspection (or its answers and photos) was changed: its report is immutable."""


class ProcedureInspection(models.Model):
    """Whether the files of a procedure need a site inspection before their decision (catalogue key)."""

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, related_name="inspection_rule")
    required = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.procedure.code}: inspection {'required' if self.required else 'not required'}"


class ChecklistItem(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="inspection_checklist")
    code = models.SlugField(max_length=64)
    label_fr = models.CharField(max_length=300)
    label_ar = models.CharField(max_length=300, blank=True)
    label_en = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["procedure", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["procedure", "code"], name="checklist_item_unique")]

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.label_fr}"


class InspectionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Date proposed")
    RESCHEDULE_REQUESTED = "reschedule_requested", _("Another date asked")
    CONFIRMED = "confirmed", _("Date confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Report closed")


class Verdict(models.TextChoices):
    CONFORM = "conform", _("Conform to the authorised plans")
    MINOR_DEVIATIONS = "minor_deviations", _("Conform with minor deviations")
    NOT_CONFORM = "not_conform", _("Not conform")


class Inspection(MachineWrittenStatus):
    INITIAL_STATUS = InspectionStatus.PROPOSED
    STATUS_MACHINE = "permits.inspections.lifecycles"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="inspections")
    round_number = models.PositiveSmallIntegerField(help_text=_("The file's instruction round it was scheduled in."))
    status = models.CharField(max_length=24, choices=InspectionStatus.choices, default=InspectionStatus.PROPOSED)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    applicant_message = models.TextField(blank=True, help_text=_("Why the applicant asked for another date."))
    cancel_reason = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    remarks = models.TextField(blank=True)
    verdict = models.CharField(max_length=24, choices=Verdict.choices, blank=True)
    deviations = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report = models.ForeignKey(StoredDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dossier", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(status__in=["proposed", "reschedule_requested", "confirmed"]),
                name="inspection_one_open_per_dossier",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (~Q(verdict="") & Q(closed_at__isnull=False)),
                name="inspection_closed_with_verdict",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(verdict="not_conform") | ~Q(deviations=""),
                name="inspection_not_conform_lists_deviations",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_status == InspectionStatus.CLOSED:
            raise ClosedInspectionChanged(f"inspection {self.pk} is closed: its report cannot change")
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in (
            InspectionStatus.PROPOSED,
            InspectionStatus.RESCHEDULE_REQUESTED,
            InspectionStatus.CONFIRMED,
        )

    def __str__(self) -> str:
        return f"inspection of {self.dossier} at {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"


class _OfOpenInspection(models.Model):
    """Abstract: a row of an inspection's report, written only while the inspection is not closed."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        status = Inspection.objects.filter(pk=self.inspection_id).values_list("status", flat=True).first()  # type: ignore[attr-defined]
        if status == InspectionStatus.CLOSED:
            raise ClosedInspectionChanged(f"inspection {self.inspection_id} is closed: its report cannot change")  # type: ignore[attr-defined]
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        status = Inspection.objects.filter(pk=self.inspection_id).values_list("status", flat=True).first()  # type: ignore[attr-defined]
        if status == InspectionStatus.CLOSED:
            raise ClosedInspectionChanged(f"inspection {self.inspection_id} is closed: its report cannot change")  # type: ignore[attr-defined]
        return super().delete(*args, **kwargs)


class ItemResult(models.TextChoices):
    CONFORM = "conform", _("Conform")
    NOT_CONFORM = "not_conform", _("Not conform")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ChecklistAnswer(_OfOpenInspection):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="answers")
    item_code = models.SlugField(max_length=64)
    label_fr = models.CharField(max_length=300)
    label_ar = models.CharField(max_length=300, blank=True)
    label_en = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(max_length=16, choices=ItemResult.choices)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["inspection", "order", "item_code"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item_code"], name="checklist_answer_unique")]

    def __str__(self) -> str:
        return f"{self.item_code}: {self.result}"


class PositionSource(models.TextChoices):
    EXIF = "exif", _("The photo's EXIF GPS")
    BROWSER = "browser", _("The browser's geolocation")


class InspectionPhoto(_OfOpenInspection):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="photos")
    document = models.OneToOneField(StoredDocument, on_delete=models.PROTECT, related_name="+")
    caption = models.CharField(max_length=300, blank=True)
    browser_position = gis_models.PointField(srid=4326, null=True, blank=True)
    browser_accuracy_m = models.FloatField(null=True, blank=True)
    exif_position = gis_models.PointField(srid=4326, null=True, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection", "created_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.document_id} of inspection {self.inspection_id}"

    @property
    def position(self) -> Any:
        """The EXIF position when the photo has one (where it was taken), else the browser's (where it was sent)."""
        return self.exif_position or self.browser_position

    @property
    def position_source(self) -> str:
        if self.exif_position is not None:
            return PositionSource.EXIF
        return PositionSource.BROWSER if self.browser_position is not None else ""
