"""Profiles and role memberships of users (the platform keeps Django's own `auth.User`)."""

from typing import Any

from django.db import transaction

from gis_core.models import Territory
from parcels.models import Agency
from permits.audit import audit_record
from permits.errors import InvalidDossier, PermissionDenied
from permits.models import ArchitectStatus, Language, Role, RoleMembership, UserProfile


def profile_get(*, user: Any) -> UserProfile:
    profile, _ = UserProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(
    *,
    user: Any,
    phone: str | None = None,
    preferred_language: str | None = None,
    notify_by_email: bool | None = None,
    notify_by_sms: bool | None = None,
) -> UserProfile:
    """The user's own contact details, language (fr, ar, en) and notification channels (e-mail, SMS)."""
    profile = profile_get(user=user)
    if preferred_language is not None:
        if preferred_language not in Language.values:
            raise InvalidDossier(f"preferred_language: one of {', '.join(Language.values)}")
        profile.preferred_language = preferred_language
    if phone is not None:
        profile.phone = phone.strip()
    if notify_by_email is not None:
        profile.notify_by_email = notify_by_email
    if notify_by_sms is not None:
        profile.notify_by_sms = notify_by_sms
    if profile.notify_by_sms and not profile.phone:
        raise InvalidDossier("SMS notifications need a phone number")
    profile.save()
    return profile


@transaction.atomic
def role_grant(
    *,
    granted_by: Any | None,
    user: Any,
    role: str,
    territory: Territory | None = None,
    agency: Agency | None = None,
    address: str | None = None,
) -> RoleMembership:
    """Give a user a role (a commission member needs the agency they speak for). `granted_by` None: a command."""
    if role not in Role.values:
        raise InvalidDossier(f"unknown role {role!r}")
    if role == Role.COMMISSION_MEMBER and agency is None:
        raise InvalidDossier("a commission member speaks for an agency")
    if granted_by is not None and not (
        granted_by.is_superuser
        or RoleMembership.objects.filter(user=granted_by, role=Role.ADMINISTRATOR, active=True).exists()
    ):
        raise PermissionDenied("only an administrator may grant roles")
    membership, _ = RoleMembership.objects.update_or_create(
        user=user, role=role, territory=territory, agency=agency, defaults={"active": True}
    )
    audit_record(
        action="role.granted",
        actor_id=granted_by.pk if granted_by else None,
        address=address,
        payload={
            "user": user.pk,
            "role": role,
            "territory": territory.code if territory else None,
            "agency": agency.code if agency else None,
        },
    )
    return membership


def architect_verified(user: Any) -> bool:
    """Whether the user is an architect the desk has checked with the Ordre des architectes: only they may file
    for others. An architect an administrator named (a role without a sign-up) counts as checked."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not RoleMembership.objects.filter(user_id=user.pk, role=Role.ARCHITECT, active=True).exists():
        return False
    status = UserProfile.objects.filter(user_id=user.pk).values_list("architect_status", flat=True).first()
    return status in (ArchitectStatus.VERIFIED, ArchitectStatus.NONE, None)
