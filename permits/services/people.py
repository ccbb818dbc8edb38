"""Profiles and role memberships of users (the platform keeps Django's own `auth.User`).

Separation of duties on the administration's side: nobody grants a role to themselves, and the roles that decide,
sign or grant (`SENSITIVE_ROLES`: commission member and president, signing authority, administrator) take two
people: an administrator asks (`role_grant_request`), another one, neither the asker nor the user, approves
(`role_grant_approve`, which grants the membership) or rejects (`role_grant_reject`). `role_grant` gives the other
roles at once. Each step is audited (`role.grant_requested`, `role.granted`, `role.grant_rejected`), each refusal too
(`permission.refused`, after the rollback). A management command (no person: `granted_by` None) grants directly,
as the operator at the server's shell.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from gis_core.models import Territory
from parcels.models import Agency
from permits.audit import audit_record
from permits.errors import IllegalTransition, InvalidDossier, PermissionDenied
from permits.models import (
    SENSITIVE_ROLES,
    ArchitectStatus,
    Language,
    Role,
    RoleGrantRequest,
    RoleMembership,
    UserProfile,
)
from permits.refusals import no_dossier, refusals_audited


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


def _is_administrator(user: Any) -> bool:
    return bool(
        user.is_superuser or RoleMembership.objects.filter(user=user, role=Role.ADMINISTRATOR, active=True).exists()
    )


def _role_checked(*, role: str, agency: Agency | None) -> None:
    if role not in Role.values:
        raise InvalidDossier(f"unknown role {role!r}")
    if role == Role.COMMISSION_MEMBER and agency is None:
        raise InvalidDossier("a commission member speaks for an agency")


def _grant_payload(
    *, user: Any, role: str, territory: Territory | None, agency: Agency | None, **more: Any
) -> dict[str, Any]:
    return {
        "user": user.pk,
        "role": role,
        "territory": territory.code if territory else None,
        "agency": agency.code if agency else None,
        **more,
    }


def _membership_grant(*, user: Any, role: str, territory: Territory | None, agency: Agency | None) -> RoleMembership:
    membership, _ = RoleMembership.objects.update_or_create(
        user=user, role=role, territory=territory, agency=agency, defaults={"active": True}
    )
    return membership


def role_grant_refusal(*, granted_by: Any, user: Any, role: str) -> PermissionDenied | None:
    """Why `granted_by` may not give `user` the role at once (None: they may); for forms that check before saving."""
    if not _is_administrator(granted_by):
        return PermissionDenied("only an administrator may grant roles", role=role)
    if granted_by.pk == user.pk:
        return PermissionDenied("nobody grants a role to themselves", role=role)
    if role in SENSITIVE_ROLES:
        return PermissionDenied("this role is granted by two administrators: one asks, another approves", role=role)
    return None


@refusals_audited("role.grant", dossier_of=no_dossier, actor_argument="granted_by")
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
    """Give a user a role that is not sensitive (a commission member needs the agency they speak for); the sensitive
    ones take two people (`role_grant_request`). `granted_by` None: a management command."""
    _role_checked(role=role, agency=agency)
    if granted_by is not None:
        if not _is_administrator(granted_by):
            raise PermissionDenied("only an administrator may grant roles", role=role)
        if granted_by.pk == user.pk:
            raise PermissionDenied("nobody grants a role to themselves", role=role)
        if role in SENSITIVE_ROLES:
            raise PermissionDenied("this role is granted by two administrators: one asks, another approves", role=role)
    membership = _membership_grant(user=user, role=role, territory=territory, agency=agency)
    audit_record(
        action="role.granted",
        actor_id=granted_by.pk if granted_by else None,
        address=address,
        payload=_grant_payload(user=user, role=role, territory=territory, agency=agency),
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


@refusals_audited("role.grant_request", dossier_of=no_dossier, actor_argument="requested_by")
@transaction.atomic
def role_grant_request(
    *,
    requested_by: Any,
    user: Any,
    role: str,
    territory: Territory | None = None,
    agency: Agency | None = None,
    address: str | None = None,
) -> RoleGrantRequest:
    """An administrator asks that `user` be given a sensitive role; another administrator decides."""
    _role_checked(role=role, agency=agency)
    if not _is_administrator(requested_by):
        raise PermissionDenied("only an administrator may ask for a role", role=role)
    if requested_by.pk == user.pk:
        raise PermissionDenied("nobody asks for a role for themselves", role=role)
    if role not in SENSITIVE_ROLES:
        raise InvalidDossier(f"{role} is not a sensitive role: grant it at once (role_grant)")
    request = RoleGrantRequest.objects.create(
        user=user, role=role, territory=territory, agency=agency, requested_by=requested_by
    )
    audit_record(
        action="role.grant_requested",
        actor_id=requested_by.pk,
        address=address,
        payload=_grant_payload(user=user, role=role, territory=territory, agency=agency, request=request.pk),
    )
    return request


def _decision_checked(*, request: RoleGrantRequest, decided_by: Any) -> RoleGrantRequest:
    request = (
        RoleGrantRequest.objects.select_for_update(of=("self",))
        .select_related("territory", "agency", "user")
        .get(pk=request.pk)
    )
    if not _is_administrator(decided_by):
        raise PermissionDenied("only an administrator may decide on a role", role=request.role)
    if decided_by.pk == request.requested_by_id:
        raise PermissionDenied("a second administrator decides, not the one who asked", role=request.role)
    if decided_by.pk == request.user_id:
        raise PermissionDenied("nobody approves a role for themselves", role=request.role)
    if request.decided_at is not None:
        raise IllegalTransition("this request is already decided")
    return request


@refusals_audited("role.grant_approve", dossier_of=no_dossier, actor_argument="approved_by")
@transaction.atomic
def role_grant_approve(*, approved_by: Any, request: RoleGrantRequest, address: str | None = None) -> RoleMembership:
    """A second administrator approves: the membership is granted (both names in the audit trail)."""
    request = _decision_checked(request=request, decided_by=approved_by)
    request.decided_by, request.decided_at, request.approved = approved_by, timezone.now(), True
    request.save(update_fields=["decided_by", "decided_at", "approved"])
    membership = _membership_grant(
        user=request.user, role=request.role, territory=request.territory, agency=request.agency
    )
    audit_record(
        action="role.granted",
        actor_id=approved_by.pk,
        address=address,
        payload=_grant_payload(
            user=request.user,
            role=request.role,
            territory=request.territory,
            agency=request.agency,
            request=request.pk,
            requested_by=request.requested_by_id,
            approved_by=approved_by.pk,
        ),
    )
    return membership


@refusals_audited("role.grant_reject", dossier_of=no_dossier, actor_argument="rejected_by")
@transaction.atomic
def role_grant_reject(*, rejected_by: Any, request: RoleGrantRequest, address: str | None = None) -> RoleGrantRequest:
    """A second administrator rejects the request: nothing is granted."""
    request = _decision_checked(request=request, decided_by=rejected_by)
    request.decided_by, request.decided_at, request.approved = rejected_by, timezone.now(), False
    request.save(update_fields=["decided_by", "decided_at", "approved"])
    audit_record(
        action="role.grant_rejected",
        actor_id=rejected_by.pk,
        address=address,
        payload=_grant_payload(
            user=request.user, role=request.role, territory=request.territory, agency=request.agency, request=request.pk
        ),
    )
    return request
