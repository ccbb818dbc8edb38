"""The plan-review records (app label `permits`, migrations in `permits/migrations`), per document version
(`DossierDocument`) and 1-based page; geometry in PDF points of the unrotated page (see the package docstring).

- `PlanPage`: a page's box (width, height in points), read once from the stored PDF (or the image's pixels);
- `PlanCalibration`: a page's scale as metres per point, declared (1:N) or calibrated on two points;
- `PlanAnnotation`: a reviewer's vector mark (cloud, rectangle, arrow, line, polyline, polygon, text, stamp, or a
  measurement), its author's role and colour, its remark, its status (machine: `lifecycles.ANNOTATION`), the
  annotation of the previous version it was carried from, and the measurement computed by the server.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from permits.models.status import MachineWrittenStatus


class AnnotationKind(models.TextChoices):
    CLOUD = "cloud", _("Cloud")
    RECTANGLE = "rectangle", _("Rectangle")
    ARROW = "arrow", _("Arrow")
    LINE = "line", _("Line")
    POLYLINE = "polyline", _("Polyline")
    POLYGON = "polygon", _("Polygon")
    TEXT = "text", _("Text")
    STAMP = "stamp", _("Stamp")
    DISTANCE = "distance", _("Distance")
    PATH_LENGTH = "path-length", _("Path length")
    AREA = "area", _("Area")
    ANGLE = "angle", _("Angle")


class Stamp(models.TextChoices):
    APPROVED = "approved", _("Approved")
    TO_CORRECT = "to-correct", _("To correct")
    REFUSED = "refused", _("Refused")


class AnnotationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AuthorRole(models.TextChoices):
    """The role an author annotated in, which gives the colour (never the client)."""

    DESK = "desk", _("Desk (instructor)")
    MEMBER = "member", _("Commission member")
    PRESIDENT = "president", _("Commission president")
    INSPECTOR = "inspector", _("Inspector")
    APPLICANT = "applicant", _("Applicant or architect")


ROLE_COLOURS: dict[str, str] = {
    AuthorRole.DESK: "#1d4ed8",
    AuthorRole.MEMBER: "#b91c1c",
    AuthorRole.PRESIDENT: "#7c3aed",
    AuthorRole.INSPECTOR: "#047857",
    AuthorRole.APPLICANT: "#b45309",
}


class CalibrationMethod(models.TextChoices):
    DECLARED = "declared", _("Declared scale")
    CALIBRATED = "calibrated", _("Calibrated on a known dimension")


class PlanPage(models.Model):
    """The box of one page of a version, in points (MediaBox of the unrotated page; an image: its pixels)."""

    document = models.ForeignKey("permits.DossierDocument", on_delete=models.PROTECT, related_name="plan_pages")
    number = models.PositiveIntegerField(help_text=_("1-based page number."))
    width_pt = models.FloatField()
    height_pt = models.FloatField()

    class Meta:
        app_label = "permits"
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="plans_page_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="plans_page_number_from_1"),
        ]

    def __str__(self) -> str:
        return f"page {self.number} of document {self.document_id}"


class PlanCalibration(models.Model):
    """The scale of one page of a version: metres per point, and what it was computed from (for display)."""

    document = models.ForeignKey("permits.DossierDocument", on_delete=models.PROTECT, related_name="plan_calibrations")
    page = models.PositiveIntegerField()
    method = models.CharField(max_length=16, choices=CalibrationMethod.choices)
    metres_per_point = models.FloatField()
    scale_denominator = models.PositiveIntegerField(null=True, blank=True, help_text=_("Declared: 1:N."))
    points = models.JSONField(null=True, blank=True, help_text=_("Calibrated: the two ends of the dimension."))
    length_m = models.FloatField(null=True, blank=True, help_text=_("Calibrated: the dimension's real length."))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "permits"
        ordering = ["document", "page"]
        constraints = [
            models.UniqueConstraint(fields=["document", "page"], name="plans_calibration_unique"),
            models.CheckConstraint(condition=models.Q(metres_per_point__gt=0), name="plans_calibration_positive"),
        ]

    def __str__(self) -> str:
        return f"calibration of page {self.page} of document {self.document_id}"


class PlanAnnotation(MachineWrittenStatus):
    """A reviewer's mark on one page of one version; never deleted (withdrawn instead)."""

    INITIAL_STATUS = AnnotationStatus.OPEN
    STATUS_MACHINE = "permits.plans.lifecycles"

    document = models.ForeignKey("permits.DossierDocument", on_delete=models.PROTECT, related_name="plan_annotations")
    page = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=AnnotationKind.choices)
    points = models.JSONField(help_text=_("[[x, y], ...] in PDF points of the unrotated page."))
    text = models.TextField(blank=True)
    stamp = models.CharField(max_length=16, choices=Stamp.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=16, choices=AuthorRole.choices)
    remark = models.ForeignKey(
        "permits.Remark", null=True, blank=True, on_delete=models.PROTECT, related_name="annotations"
    )
    status = models.CharField(max_length=16, choices=AnnotationStatus.choices, default=AnnotationStatus.OPEN)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_to")
    measurement = models.JSONField(null=True, blank=True, help_text=_("Computed by the server from the page's scale."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "permits"
        ordering = ["document", "page", "created_at", "id"]
        indexes = [models.Index(fields=["document", "page"], name="plans_annotation_page")]

    def __str__(self) -> str:
        return f"{self.kind} annotation {self.pk} on page {self.page} of document {self.document_id}"

    @property
    def colour(self) -> str:
        return ROLE_COLOURS[self.author_role]
