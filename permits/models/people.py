"""People: a profile next to Django's own `auth.User`, and role memberships scoped by territory (and agency)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gis_core.models import Territory
from parcels.models import Agency


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


class UserProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="permit_profile")
    phone = models.CharField(max_length=32, blank=True)
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.FRENCH)
    notify_by_email = models.BooleanField(default=True)
    notify_by_sms = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"profile of {self.user}"


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ARCHITECT = "architect", _("Architect")
    DESK_AGENT = "desk_agent", _("Desk agent (guichet)")
    COMMISSION_MEMBER = "commission_member", _("Commission member")
    COMMISSION_PRESIDENT = "commission_president", _("Commission president")
    SIGNING_AUTHORITY = "signing_authority", _("Signing authority")
    ADMINISTRATOR = "administrator", _("Administrator")


BACK_OFFICE_ROLES = frozenset(
    {Role.DESK_AGENT, Role.COMMISSION_MEMBER, Role.COMMISSION_PRESIDENT, Role.SIGNING_AUTHORITY, Role.ADMINISTRATOR}
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
