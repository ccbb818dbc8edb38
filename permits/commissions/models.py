"""Commissions, their members and schedules, sessions and slots, bookings, examinations and output documents.

- `Commission`: one per territory and procedure family (linked to the catalogue's procedures), with its quorum
  (a minimum of members present, agencies that must be present), its president, signing authority and secretary.
- `CommissionMember`: a person sitting for an agency, permanent or occasional.
- `SessionSchedule` -> `Session` -> `Slot`: sessions generated from a recurring schedule, cut into slots.
- `Booking` + `SlotOccupancy`: a file's booking holds one or more consecutive slots; `SlotOccupancy.slot` is
  unique, so two bookings can never hold the same slot, whatever the application does.
- `Attendance`, `Examination`, `MemberOpinion`: the session itself.
- `OutputDocument` + `SignatureRequest`: the agenda, PV, decision and stamped plans (stored in
  `gis_core.documents`) and the signatures each one needs, in order.

A booking's and a signature request's `status` is written only by their machines in
`permits.commissions.lifecycles` (`permits.models.status`).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gis_core.documents.models import StoredDocument
from gis_core.models import Territory
from parcels.models import Agency
from permits.models import Dossier, MachineWrittenStatus, OpinionValue, Procedure, ProcedureFamily

DEFAULT_TIMEZONE = "Africa/Casablanca"


class Commission(models.Model):
    """The commission that examines the files of some procedures in a territory (and the communes below it)."""

    name_fr = models.CharField(max_length=200)
    name_ar = models.CharField(max_length=200, blank=True)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="commissions")
    family = models.CharField(max_length=16, choices=ProcedureFamily.choices)
    procedures = models.ManyToManyField(Procedure, related_name="commissions", blank=True)
    quorum_minimum_members = models.PositiveSmallIntegerField(default=1)
    required_agencies = models.ManyToManyField(Agency, related_name="+", blank=True)
    president = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signing_authority = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Desk agent who runs the secretariat and publishes signed decisions."),
    )
    booking_cutoff_hours = models.PositiveSmallIntegerField(
        default=48, help_text=_("A booking can be made or moved until this many hours before its slot.")
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["territory__code", "family", "name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "family", "name_fr"], name="commission_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name_fr


class MemberKind(models.TextChoices):
    PERMANENT = "permanent", _("Permanent member")
    OCCASIONAL = "occasional", _("Occasional member")


class CommissionMember(models.Model):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commission_seats")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="commission_seats")
    kind = models.CharField(max_length=16, choices=MemberKind.choices, default=MemberKind.PERMANENT)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["commission", "agency__code", "user_id"]
        constraints = [models.UniqueConstraint(fields=["commission", "user"], name="commission_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.agency.code}, {self.kind})"


class SessionSchedule(models.Model):
    """A recurring schedule: e.g. Tuesdays and Thursdays 9:00-12:00 Africa/Casablanca, 30-minute slots."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="schedules")
    weekdays = ArrayField(models.PositiveSmallIntegerField(), help_text=_("Monday = 0 ... Sunday = 6."))
    start_time = models.TimeField()
    end_time = models.TimeField()
    timezone = models.CharField(max_length=64, default=DEFAULT_TIMEZONE)
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="schedule_ends_after_start"),
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="schedule_slot_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.commission}: {self.weekdays} {self.start_time}-{self.end_time}"


class ProcedureDuration(models.Model):
    """How long the commission spends on one file of a procedure (rounded up to whole slots when booking)."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="durations")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    minutes = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commission", "procedure"], name="procedure_duration_unique")]

    def __str__(self) -> str:
        return f"{self.commission} {self.procedure.code}: {self.minutes} min"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="sessions")
    schedule = models.ForeignKey(
        SessionSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    date = models.DateField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(help_text=_("Number of slots."))
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["commission", "starts_at"], name="session_unique_start")]

    def __str__(self) -> str:
        return f"{self.commission} {self.starts_at:%Y-%m-%d %H:%M}"


class Slot(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="slot_unique_number")]

    def __str__(self) -> str:
        return f"{self.session} #{self.number}"


class BookingStatus(models.TextChoices):
    ACTIVE = "active", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class Booking(MachineWrittenStatus):
    """A file's place on a session's agenda; its slots are held through `SlotOccupancy` rows."""

    INITIAL_STATUS = BookingStatus.ACTIVE
    STATUS_MACHINE = "permits.commissions.lifecycles"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="commission_bookings")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="bookings")
    first_slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="+")
    slot_count = models.PositiveSmallIntegerField(default=1)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    moved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "first_slot__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(status="active"), name="booking_one_active_per_dossier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} @ {self.first_slot}"


class SlotOccupancy(models.Model):
    """One slot held by one booking: the unique `slot` is what makes double booking impossible."""

    slot = models.OneToOneField(Slot, on_delete=models.PROTECT, related_name="occupancy")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="occupancies")

    class Meta:
        verbose_name_plural = _("slot occupancies")

    def __str__(self) -> str:
        return f"{self.slot} -> booking {self.booking_id}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(CommissionMember, on_delete=models.PROTECT, related_name="attendances")
    present = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "member__agency__code"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.member} {'present' if self.present else 'absent'} at {self.session}"


class Examination(models.Model):
    """A file examined in a session: the joint opinion of the commission, then the president's decision."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="examinations")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="examinations")
    joint_opinion = models.CharField(max_length=32, choices=OpinionValue.choices)
    joint_motivation = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "recorded_at"]
        constraints = [models.UniqueConstraint(fields=["session", "dossier"], name="examination_unique")]

    def __str__(self) -> str:
        return f"{self.dossier} in {self.session}"


class OpinionSource(models.TextChoices):
    CONSULTATION = "consultation", _("Opinion given during instruction")
    SESSION = "session", _("Opinion stated in session")


class MemberOpinion(models.Model):
    examination = models.ForeignKey(Examination, on_delete=models.CASCADE, related_name="member_opinions")
    member = models.ForeignKey(CommissionMember, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    opinion = models.CharField(max_length=32, choices=OpinionValue.choices)
    motivation = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=OpinionSource.choices)

    class Meta:
        ordering = ["examination", "agency__code", "member_id"]
        constraints = [models.UniqueConstraint(fields=["examination", "member"], name="member_opinion_unique")]

    def __str__(self) -> str:
        return f"{self.member}: {self.opinion}"


class OutputKind(models.TextChoices):
    AGENDA = "agenda", _("Agenda")
    MINUTES = "minutes", _("Minutes (PV)")
    DECISION = "decision", _("Decision")
    PLAN = "plan", _("Authorised plan")


class OutputDocument(models.Model):
    """A generated document; `document` is its first version, `lineage` groups the stamped and signed ones.

    A session's agenda belongs to the session; every other output belongs to a file (`dossier`): the PV, decision
    and plans of its examination in session, or the decision of a service that decides without a commission
    (no session, no examination)."""

    kind = models.CharField(max_length=16, choices=OutputKind.choices)
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="outputs")
    examination = models.ForeignKey(
        Examination, null=True, blank=True, on_delete=models.PROTECT, related_name="outputs"
    )
    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="commission_outputs"
    )
    document = models.ForeignKey(StoredDocument, on_delete=models.PROTECT, related_name="+")
    lineage = models.UUIDField(db_index=True)
    source_lineage = models.UUIDField(null=True, blank=True, help_text=_("The applicant's plan that was stamped."))
    source_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of what the latest version was generated from (an agenda: its entries)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="agenda", dossier__isnull=True) | (~Q(kind="agenda") & Q(dossier__isnull=False)),
                name="output_of_a_session_or_of_a_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.lineage}"


class SignatureStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting signature")
    SIGNED = "signed", _("Signed")


class SignatureRequest(MachineWrittenStatus):
    """One signature an output document needs, in order (`position`) among the signatures of that document."""

    INITIAL_STATUS = SignatureStatus.PENDING
    STATUS_MACHINE = "permits.commissions.lifecycles"

    output = models.ForeignKey(OutputDocument, on_delete=models.PROTECT, related_name="signature_requests")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    field_name = models.CharField(max_length=64)
    role_label = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=SignatureStatus.choices, default=SignatureStatus.PENDING)
    signed_document = models.ForeignKey(
        StoredDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the signer last asked to sign (the signature task was enqueued).")
    )

    class Meta:
        ordering = ["output", "position"]
        constraints = [
            models.UniqueConstraint(fields=["output", "position"], name="signature_request_position_unique"),
            models.UniqueConstraint(fields=["output", "field_name"], name="signature_request_field_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.output} #{self.position} {self.signer} ({self.status})"
