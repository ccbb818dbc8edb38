"""Mandates: an applicant's consent that an architect files and edits on their behalf.

A mandate is an invitation until the invitee answers: an architect invites an applicant (who consents by
accepting), or an applicant invites an architect (the invitation is the consent; the architect accepts the work).
An invitation to an e-mail address with no account yet waits, addressed to that e-mail, until someone signs up and
signs in with it. Scope: one file, or every file of the applicant. The applicant revokes it at any time; the
architect may withdraw from it too. Rows are never deleted; the status only moves forward, written only by its
machine (`permits.lifecycles.MANDATE`).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from permits.models.status import MachineWrittenStatus


class MandateScope(models.TextChoices):
    ONE_FILE = "file", _("One file")
    ALL_FILES = "all", _("All the applicant's files")


class MandateStatus(models.TextChoices):
    PENDING = "pending", _("Invitation awaiting an answer")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Mandate(MachineWrittenStatus):
    INITIAL_STATUS = "pending"
    STATUS_MACHINE = "permits.lifecycles (MANDATE)"

    architect = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mandates_as_architect",
        help_text=_("Empty while an applicant's invitation awaits an architect who has no account yet."),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mandates_as_applicant",
        help_text=_("Empty while an architect's invitation awaits an applicant who has no account yet."),
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_email = models.EmailField(help_text=_("Where the invitation was sent."))
    scope = models.CharField(max_length=8, choices=MandateScope.choices, default=MandateScope.ALL_FILES)
    dossier = models.ForeignKey(
        "permits.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="mandates"
    )
    status = models.CharField(max_length=16, choices=MandateStatus.choices, default=MandateStatus.PENDING)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    active_since = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["architect", "applicant", "status"], name="permits_mandate_parties")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="all", dossier__isnull=True) | models.Q(scope="file", dossier__isnull=False),
                name="mandate_scope_names_file",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(architect__isnull=False, applicant__isnull=False),
                name="mandate_active_has_parties",
            ),
        ]

    def __str__(self) -> str:
        return f"mandate {self.pk} ({self.status})"

    @property
    def invited_by_architect(self) -> bool:
        return self.invited_by_id == self.architect_id
