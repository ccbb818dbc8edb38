"""People: a profile next to Django's own `auth.User`, and role memberships scoped by territory (and agency);
the architect's registration with the Ordre des architectes, checked by the desk; a phone change's one-time code.

PERSONAL DATA. The profile holds the phone number and the national ID number (CIN): shown to their owner and to
the desk only (masked elsewhere with `mask_national_id`), never in an API list, a log, a public view or a feed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gis_core.models import Territory
from parcels.models import Agency


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


class ArchitectStatus(models.TextChoices):
    NONE = "", _("Not an architect")
    PENDING = "pending", _("Awaiting the desk's check")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")


class UserProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="permit_profile")
    phone = models.CharField(max_length=32, blank=True)
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.FRENCH)
    notify_by_email = models.BooleanField(default=True)
    notify_by_sms = models.BooleanField(default=False)
    national_id = models.CharField(
        max_length=20, blank=True, help_text=_("National ID number (CIN): its owner and the desk only.")
    )
    architect_order_number = models.CharField(
        max_length=32, blank=True, help_text=_("Registration number with the Ordre des architectes.")
    )
    architect_status = models.CharField(
        max_length=10, choices=ArchitectStatus.choices, default=ArchitectStatus.NONE, blank=True, db_index=True
    )
    architect_checked_at = models.DateTimeField(null=True, blank=True)
    architect_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    architect_refusal_reason = models.TextField(blank=True)
    pseudonymised_at = models.DateTimeField(
        null=True, blank=True, help_text=_("The account was deleted: its files kept, the person's data cleared.")
    )

    def __str__(self) -> str:
        return f"profile of {self.user}"


def mask_national_id(value: str) -> str:
    """A CIN as anyone but its owner and the desk sees it: its last two characters ("••••••42")."""
    value = (value or "").strip()
    if not value:
        return ""
    return "\u2022" * max(len(value) - 2, 4) + value[-2:]


class PhoneChange(models.Model):
    """A phone number waiting for its one-time code (sent by SMS): the code kept hashed, valid for a while, a few
    attempts; a new request replaces the open one. Confirmed or abandoned changes are kept for the audit trail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_changes")
    phone = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed = models.BooleanField(default=False, help_text=_("Confirmed, replaced, expired or out of attempts."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(closed=False), name="phone_change_one_open_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"phone change #{self.pk} of user {self.user_id}"


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ARCHITECT = "architect", _("Architect")
    DESK_AGENT = "desk_agent", _("Desk agent (guichet)")
    COMMISSION_MEMBER = "commission_member", _("Commission member")
    COMMISSION_PRESIDENT = "commission_president", _("Commission president")
    SIGNING_AUTHORITY = "signing_authority", _("Signing authority")
    INSPECTOR = "inspector", _("Site inspector")
    ADMINISTRATOR = "administrator", _("Administrator")


BACK_OFFICE_ROLES = frozenset(
    {
        Role.DESK_AGENT,
        Role.COMMISSION_MEMBER,
        Role.COMMISSION_PRESIDENT,
        Role.SIGNING_AUTHORITY,
        Role.INSPECTOR,
        Role.ADMINISTRATOR,
    }
)


# Roles that decide, sign or grant: given only by two people (`permits.services.people`): one administrator asks
# (`role_grant_request`), another approves (`role_grant_approve`); never to oneself.
SENSITIVE_ROLES = frozenset(
    {Role.COMMISSION_MEMBER, Role.COMMISSION_PRESIDENT, Role.SIGNING_AUTHORITY, Role.ADMINISTRATOR}
)


class RoleMembership(models.Model):
    """A user holds a role within a territory (a commune, or the province/region above it; none = national).

    A commission member also names the agency they speak for.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="permit_roles")
    role = models.CharField(max_length=32, choices=Role.choices)
    territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="permit_roles"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "territory", "agency"], name="role_membership_unique", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=~models.Q(role="commission_member") | models.Q(agency__isnull=False),
                name="commission_member_has_agency",
            ),
        ]

    def __str__(self) -> str:
        scope = self.territory.code if self.territory else "national"
        return f"{self.user} {self.role} ({scope}{', ' + self.agency.code if self.agency else ''})"


class RoleGrantRequest(models.Model):
    """An administrator asks that a user be given a sensitive role (`SENSITIVE_ROLES`); a second administrator,
    neither the one who asked nor the user, approves it (the membership is then granted) or rejects it. Pending
    while `decided_at` is empty."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=32, choices=Role.choices)
    territory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True, blank=True, help_text="Empty while pending.")

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        scope = self.territory.code if self.territory else "national"
        return f"{self.role} for {self.user} ({scope}), asked by {self.requested_by}"
