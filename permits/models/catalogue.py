"""The procedure catalogue, as data: procedures, required documents, commissions and their members, deadlines.

Everything here is loaded from `permits/fixtures/procedures.yaml` by `manage.py load_procedures` and editable in
the admin. Nothing in the workflow hard-codes a procedure: dispatch, deadlines and tacit opinions read these rows.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcels.models import Agency, OverlayKind
from permits.models.people import Role


class ProcedureFamily(models.TextChoices):
    URBANISM = "urbanism", _("Urban planning")
    ECONOMIC = "economic", _("Economic activity")


class OpinionValue(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    FAVOURABLE_WITH_RESERVATIONS = "favourable_with_reservations", _("Favourable with reservations")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")


class DecisionPath(models.TextChoices):
    """Who decides a file of the procedure: its commission in session, or a service without a commission."""

    COMMISSION = "commission", _("The commission, in session")
    SERVICE = "service", _("The competent service, without a commission")


# The roles a procedure decided by a service may name as the one that decides (`Procedure.decision_role`).
SERVICE_DECISION_ROLES = (Role.DESK_AGENT, Role.SIGNING_AUTHORITY)


class Procedure(models.Model):
    """One kind of authorisation (building permit, classified establishment...)."""

    code = models.SlugField(max_length=64, unique=True)
    name_fr = models.CharField(max_length=200)
    name_ar = models.CharField(max_length=200, blank=True)
    name_en = models.CharField(max_length=200, blank=True)
    family = models.CharField(max_length=16, choices=ProcedureFamily.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_procedures",
        help_text=_("Procedure whose authorisation this one follows (occupancy permit -> building permit)."),
    )
    requires_parent_dossier = models.BooleanField(
        default=False, help_text=_("A file of this procedure must name an authorised file of the parent procedure.")
    )
    establishment_classes = ArrayField(
        models.PositiveSmallIntegerField(),
        default=list,
        blank=True,
        help_text=_("Classes a file may declare (classified establishments: 1, 2, 3); empty when not applicable."),
    )
    commission_name_fr = models.CharField(max_length=200, blank=True)
    tacit_opinion = models.CharField(
        max_length=32,
        choices=OpinionValue.choices,
        default=OpinionValue.FAVOURABLE,
        help_text=_("Opinion a consulted member is deemed to give when silent at the deadline."),
    )
    requires_footprint = models.BooleanField(default=True)
    decided_by = models.CharField(
        max_length=16,
        choices=DecisionPath.choices,
        default=DecisionPath.COMMISSION,
        help_text=_("The commission decides in session; a service decides the procedures that need no commission."),
    )
    decision_role = models.CharField(
        max_length=32,
        blank=True,
        choices=[(role.value, role.label) for role in SERVICE_DECISION_ROLES],
        help_text=_("Decided by a service: the role that decides (empty when the commission decides)."),
    )
    form_fields = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "The procedure's own form: a list of field declarations (key, type, labels, required...), checked by "
            "permits.answers when the catalogue is loaded. Empty: the building parameters (height, floors, use...)."
        ),
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_by=DecisionPath.COMMISSION, decision_role="")
                | models.Q(
                    decided_by=DecisionPath.SERVICE, decision_role__in=[role.value for role in SERVICE_DECISION_ROLES]
                ),
                name="procedure_decision_role_for_service_only",
            ),
        ]

    def __str__(self) -> str:
        return self.name_fr

    def deadline_days(self, step: str) -> int:
        """Legal business days of a step (see `ProcedureStep`); 0 when the catalogue does not set it."""
        for deadline in self.step_deadlines.all():
            if deadline.step == step:
                return deadline.business_days
        return 0


class ProjectUse(models.Model):
    """One use of the catalogue's nomenclature (residential, office, public facility...): a project declares a code
    of this list, never its own words, so what the public views publish is the code (and these labels)."""

    code = models.SlugField(max_length=50, unique=True)
    label_fr = models.CharField(max_length=200)
    label_ar = models.CharField(max_length=200, blank=True)
    label_en = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label_fr or self.code


class EconomicActivity(models.Model):
    """One activity of the catalogue's nomenclature of economic activities (grocery, café, workshop...): a file of
    an economic procedure declares a code of this list, never its own words; `use` is the code of `ProjectUse` the
    activity falls under (what zoning rules and the public views compare)."""

    code = models.SlugField(max_length=50, unique=True)
    label_fr = models.CharField(max_length=200)
    label_ar = models.CharField(max_length=200, blank=True)
    label_en = models.CharField(max_length=200, blank=True)
    use = models.SlugField(max_length=50, blank=True, help_text=_("Code of the use the activity falls under."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name_plural = _("economic activities")

    def __str__(self) -> str:
        return self.label_fr or self.code


class ProcedureStep(models.TextChoices):
    COMPLETENESS = "completeness", _("Completeness check by the desk")
    INSTRUCTION = "instruction", _("Instruction of the file")
    CONSULTATION = "consultation", _("Opinion of each consulted member")
    APPLICANT_REPLY = "applicant_reply", _("Applicant's reply to remarks")
    COMMISSION = "commission", _("Commission review")
    DECISION = "decision", _("Decision")
    SIGNATURE = "signature", _("Signature")


# The steps of the file's own legal clock (`permits.clock`); consultation and applicant_reply are the deadlines
# of the consulted members and of the applicant, not the file's clock.
CLOCK_STEPS = (ProcedureStep.COMPLETENESS, ProcedureStep.INSTRUCTION, ProcedureStep.DECISION, ProcedureStep.SIGNATURE)


class ClockStart(models.TextChoices):
    STEP = "step", _("From the start of the step")
    FILING = "filing", _("From the filing of the file")


class SilenceOutcome(models.TextChoices):
    """What the platform does when a step's time limit expires without the administration acting."""

    ESCALATE = "escalate", _("A reminder, then an escalation to the named role")
    TACIT_APPROVAL = "tacit_approval", _("Tacit authorisation: the file is deemed authorised")


class ApplicantReturn(models.TextChoices):
    """How the clock restarts when a file that waited for the applicant comes back."""

    RESUME = "resume", _("The clock resumes: the days already run still count")
    RESTART = "restart", _("The clock restarts from zero")


class StepDeadline(models.Model):
    """The time limit of one step of a procedure. For the steps of the file's clock (`CLOCK_STEPS`) it also says
    from when it runs, what silence gives at expiry, who is told and how a pause for the applicant ends."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="step_deadlines")
    step = models.CharField(max_length=32, choices=ProcedureStep.choices)
    business_days = models.PositiveSmallIntegerField(default=0)
    months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("A limit in calendar months (the law's wording); replaces business_days.")
    )
    counted_from = models.CharField(max_length=16, choices=ClockStart.choices, default=ClockStart.STEP)
    silence = models.CharField(max_length=16, choices=SilenceOutcome.choices, default=SilenceOutcome.ESCALATE)
    remind_before = models.PositiveSmallIntegerField(
        default=0, help_text=_("Business days before the deadline when those in charge are reminded.")
    )
    escalate_to = models.CharField(
        max_length=32, blank=True, choices=Role.choices, help_text=_("Role told when the limit expires.")
    )
    on_applicant_return = models.CharField(
        max_length=16, choices=ApplicantReturn.choices, default=ApplicantReturn.RESUME
    )
    legal_source = models.CharField(
        max_length=300, blank=True, help_text=_("Where the value comes from (the law, or a product choice).")
    )
    legal_source_fr = models.CharField(max_length=300, blank=True, help_text=_("The same, in French."))
    legal_source_ar = models.CharField(max_length=300, blank=True, help_text=_("The same, in Arabic."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["procedure", "step"], name="step_deadline_unique")]

    def __str__(self) -> str:
        if self.months:
            return f"{self.procedure.code} {self.step}: {self.months} month(s)"
        return f"{self.procedure.code} {self.step}: {self.business_days} business days"


class RequiredDocument(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="required_documents")
    code = models.SlugField(max_length=64, help_text=_("Document type, e.g. architectural_plans."))
    label_fr = models.CharField(max_length=200)
    label_ar = models.CharField(max_length=200, blank=True)
    label_en = models.CharField(max_length=200, blank=True)
    accepted_formats = ArrayField(models.CharField(max_length=16), default=list, blank=True)
    mandatory = models.BooleanField(default=True)
    required_when = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            'Mandatory only when an answer of the form has one of the values: {"field": "establishment_class", '
            '"values": ["1"]} (the environmental study of a class 1 establishment). Empty: as `mandatory` says.'
        ),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["procedure", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["procedure", "code"], name="required_document_unique")]

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.label_fr}"


class PermanentMember(models.Model):
    """An agency that sits on the commission of a procedure and is consulted on every file."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="permanent_members")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="permanent_seats")
    role_label = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["procedure", "agency"], name="permanent_member_unique")]

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.agency.code}"


class RuleKind(models.TextChoices):
    OVERLAY = "overlay", _("The footprint or a parcel touches an overlay of this kind")
    GROSS_FLOOR_AREA_ABOVE = "gross_floor_area_above", _("Gross floor area above the threshold (m²)")
    HEIGHT_ABOVE = "height_above", _("Height above the threshold (m)")
    FLOORS_ABOVE = "floors_above", _("Number of floors above the threshold")
    USE_IN = "use_in", _("The project's use is one of the listed uses")
    ESTABLISHMENT_CLASS_IN = "establishment_class_in", _("The establishment class is one of the listed classes")
    ANSWER_IN = "answer_in", _("An answer of the procedure's form is one of the listed values")


class OccasionalMemberRule(models.Model):
    """A rule that adds an agency to the consultation of one file, from its geometry or its parameters.

    For an overlay rule without an agency, the agency named by each touched overlay is consulted.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="occasional_rules")
    kind = models.CharField(max_length=32, choices=RuleKind.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="occasional_rules")
    overlay_kind = models.CharField(max_length=32, choices=OverlayKind.choices, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    values = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    answer_field = models.CharField(
        max_length=64, blank=True, help_text=_("answer_in rules: the key of the form's field whose answer is compared.")
    )
    description = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.kind} -> {self.agency.code if self.agency else 'overlay agency'}"


class OutcomeDocument(models.Model):
    """A document the procedure produces (the permit, the PV, stamped plans...)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="outcome_documents")
    code = models.SlugField(max_length=64)
    label_fr = models.CharField(max_length=200)
    label_ar = models.CharField(max_length=200, blank=True)
    label_en = models.CharField(max_length=200, blank=True)
    signed_by = models.CharField(max_length=32, blank=True, help_text=_("Role that signs it."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["procedure", "code"], name="outcome_document_unique")]

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.label_fr}"
