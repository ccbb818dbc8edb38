"""The file (dossier) and what hangs on it: reference counters, instruction rounds, consultations, remarks.

Each one's `status` is written only by its state machine (`permits.models.status`): a dossier's by
`permits.workflow`, a consultation's and a remark's by `permits.lifecycles`.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from gis_core.models import Territory
from parcels.models import Agency, Parcel
from permits.models.catalogue import OpinionValue, Procedure
from permits.models.status import MachineWrittenStatus


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting the completeness check")
    INCOMPLETE = "incomplete", _("Incomplete, returned to the applicant")
    UNDER_INSTRUCTION = "under_instruction", _("Under instruction")
    REMARKS_ISSUED = "remarks_issued", _("Remarks being issued")
    AWAITING_APPLICANT = "awaiting_applicant", _("Awaiting the applicant's reply")
    IN_COMMISSION = "in_commission", _("In commission")
    DECIDED = "decided", _("Decided")
    SIGNED = "signed", _("Signed")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    FAVOURABLE_WITH_CONDITIONS = "favourable_with_conditions", _("Favourable with conditions")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")


AUTHORISING_DECISIONS = frozenset({Decision.FAVOURABLE, Decision.FAVOURABLE_WITH_CONDITIONS})


class Dossier(MachineWrittenStatus):
    INITIAL_STATUS = DossierStatus.DRAFT
    STATUS_MACHINE = "permits.workflow"

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    commune = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="dossiers")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers")
    architect = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers_as_architect",
        help_text=_("Architect filing on the applicant's behalf."),
    )
    mandate = models.ForeignKey(
        "permits.Mandate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text=_("The applicant's mandate under which the architect filed."),
    )
    parent_dossier = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_dossiers",
        help_text=_("The authorised file this one follows (the building permit of an occupancy permit)."),
    )
    reference = models.CharField(max_length=100, unique=True, null=True, blank=True)
    title = models.CharField(max_length=300, blank=True)
    parcels = models.ManyToManyField(Parcel, blank=True, related_name="dossiers")
    footprint = models.MultiPolygonField(srid=4326, null=True, blank=True)
    height_m = models.FloatField(null=True, blank=True)
    floors = models.PositiveSmallIntegerField(null=True, blank=True)
    gross_floor_area_m2 = models.FloatField(null=True, blank=True)
    use = models.CharField(max_length=50, blank=True)
    units = models.PositiveIntegerField(null=True, blank=True)
    establishment_class = models.PositiveSmallIntegerField(null=True, blank=True)
    activity = models.SlugField(
        max_length=50, blank=True, help_text=_("Code of the economic activity (nomenclature), from the answers.")
    )
    answers = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Answers to the procedure's own form (`Procedure.form_fields`), as checked by permits.answers."),
    )
    precheck = models.JSONField(default=dict, blank=True, help_text=_("Zoning pre-check result frozen at filing."))
    overlaps_at_filing = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=32, choices=DossierStatus.choices, default=DossierStatus.DRAFT, db_index=True, editable=False
    )
    current_round = models.PositiveSmallIntegerField(default=0)
    decision = models.CharField(max_length=32, choices=Decision.choices, blank=True)
    decision_motivation = models.TextField(blank=True)
    decision_conditions = models.TextField(blank=True)
    decided_tacitly = models.BooleanField(
        default=False, help_text=_("Deemed authorised by the administration's silence (permits.clock).")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["commune", "status"])]

    def __str__(self) -> str:
        return self.reference or f"draft #{self.pk}"

    @property
    def is_authorised(self) -> bool:
        from permits.workflow import DECIDED_GROUP  # the workflow imports the models

        return self.decision in AUTHORISING_DECISIONS and self.status in DECIDED_GROUP


class DossierCounter(models.Model):
    """Last reference number given in a commune for a year; locked with SELECT ... FOR UPDATE when numbering."""

    commune = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="dossier_counter_unique")]

    def __str__(self) -> str:
        return f"{self.commune.code}/{self.year}: {self.last_number}"


class InstructionRound(models.Model):
    """One pass of instruction: round 1 at dispatch, a new round after each reply to remarks. Never deleted."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["dossier", "number"]
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="instruction_round_unique")]

    def __str__(self) -> str:
        return f"{self.dossier} round {self.number}"


class ConsultationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the opinion")
    GIVEN = "given", _("Opinion given")
    TACIT = "tacit", _("Tacit opinion (deadline passed)")
    CLOSED = "closed", _("Closed without opinion (a new round replaced it, or the file was withdrawn)")


class Consultation(MachineWrittenStatus):
    """One agency asked for its opinion on one dossier in one round, with its legal deadline."""

    INITIAL_STATUS = ConsultationStatus.PENDING
    STATUS_MACHINE = "permits.lifecycles"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="consultations")
    round = models.ForeignKey(InstructionRound, on_delete=models.PROTECT, related_name="consultations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="consultations")
    permanent = models.BooleanField()
    reasons = models.JSONField(default=list, help_text=_("Why the agency is consulted (rules and overlays)."))
    dispatched_at = models.DateTimeField()
    deadline = models.DateField(help_text=_("Last business day to give the opinion."))
    status = models.CharField(max_length=16, choices=ConsultationStatus.choices, default=ConsultationStatus.PENDING)
    opinion = models.CharField(max_length=32, choices=OpinionValue.choices, blank=True)
    motivation = models.TextField(blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "round__number", "agency__code"]
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="consultation_unique_per_round")]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.dossier} / {self.agency.code} (round {self.round.number})"


class RemarkStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Remark(MachineWrittenStatus):
    """A request for changes or information, tracked to closure."""

    INITIAL_STATUS = RemarkStatus.OPEN
    STATUS_MACHINE = "permits.lifecycles"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="remarks")
    round = models.ForeignKey(InstructionRound, on_delete=models.PROTECT, related_name="remarks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    document_reference = models.CharField(
        max_length=200, blank=True, help_text=_("Document (or document version id) the remark is about.")
    )
    location = models.JSONField(default=dict, blank=True, help_text=_("Where on the plan: page, x, y, zoom..."))
    status = models.CharField(max_length=16, choices=RemarkStatus.choices, default=RemarkStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["dossier", "round__number", "created_at"]

    def __str__(self) -> str:
        return f"remark {self.pk} on {self.dossier}"


class RemarkReply(models.Model):
    remark = models.ForeignKey(Remark, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    attachments = models.JSONField(
        default=list, blank=True, help_text=_("Revised plans: ids of the document versions uploaded with the reply.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["remark", "created_at"]
        verbose_name_plural = _("remark replies")

    def __str__(self) -> str:
        return f"reply to remark {self.remark_id}"
