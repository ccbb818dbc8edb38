"""The delivery log: one `Delivery` per message to one recipient, and one `DeliveryAttempt` per try.

PERSONAL DATA. These tables hold recipients' e-mail addresses and phone numbers and the text sent to them
(names, file references). They are for the platform's staff only:
- never expose them in a public view, the `geoportal` schema, an OGC/tile feed or an open-data export;
- the admin is the only user interface (read-only); logs name a delivery by its id, never by its recipient;
- `__str__` deliberately leaves the recipient out;
- a `secret` delivery (a one-time code, a verification or reset link) loses its text as soon as it is sent.
"""

from django.db import models

#: What a secret delivery's text becomes once sent: staff pages and the database never show a usable code or link.
SECRET_SENT = "[sent: the one-time code or link it carried was removed]"


class Delivery(models.Model):
    """One message on one channel to one recipient, sent at most once (see `idempotency_key`)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    class Language(models.TextChoices):
        FR = "fr", "Français"
        AR = "ar", "العربية"
        EN = "en", "English"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254, help_text="E-mail address or phone number (personal data).")
    language = models.CharField(max_length=2, choices=Language.choices)
    subject = models.CharField(max_length=255, blank=True, help_text="E-mail subject; unused by SMS.")
    body = models.TextField(help_text="Plain-text body (the SMS text).")
    html_body = models.TextField(blank=True, help_text="Optional HTML alternative of an e-mail.")
    event_key = models.CharField(max_length=100, db_index=True, help_text='What triggered it: "dossier.submitted".')
    secret = models.BooleanField(
        default=False,
        help_text="Its text carries a one-time code or a link that verifies, signs in or resets: once sent, the "
        "subject and text are replaced by a mention (SECRET_SENT).",
    )
    idempotency_key = models.CharField(
        max_length=200, unique=True, help_text="The same event to the same recipient is never sent twice."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts made so far, requeues included.")
    requeued_after_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="`attempts` when an operator last requeued it: the retry budget counts from there."
    )
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When a retrying delivery tries again.")
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "created_at"], name="notif_delivery_status_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(channel__in=["email", "sms"]), name="notif_delivery_channel"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "retrying", "sent", "failed"]), name="notif_delivery_status"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="notif_delivery_sent_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event_key} #{self.pk} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try of a delivery: its outcome and, when it failed, the error (append-only)."""

    class Outcome(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_records")
    number = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    permanent = models.BooleanField(default=False, help_text="A failure that retrying cannot fix.")
    error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="notif_attempt_unique_number")]

    def __str__(self) -> str:
        return f"delivery #{self.delivery_id} attempt {self.number}: {self.outcome}"
