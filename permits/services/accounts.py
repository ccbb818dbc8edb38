"""Accounts people create themselves: what the platform adds to django-allauth's sign-up (the profile, the role,
the architect's registration the desk checks), the phone change by a one-time SMS code, the personal data export
and the account's deletion (files kept, pseudonymised). Each write runs in one transaction and is audited.

The face (`web.accounts`) owns the allauth flows (sign-up form, e-mail verification, password reset, 2FA, sessions)
and calls these services; these services never import allauth.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_core.notifications.services import PHONE_PATTERN, PHONE_SEPARATORS, notification_schedule_event
from permits import workflow
from permits.access import memberships_of
from permits.audit import audit_record
from permits.errors import AccountRefused, PermissionDenied
from permits.models import (
    BACK_OFFICE_ROLES,
    ArchitectStatus,
    AuditEvent,
    Dossier,
    DossierDocument,
    DossierStatus,
    Language,
    PhoneChange,
    Role,
    RoleMembership,
    UserProfile,
)
from permits.services.people import profile_get, role_grant

SELF_SERVICE_ROLES = frozenset({Role.APPLICANT, Role.ARCHITECT})
#: Roles a person holds by signing up; anyone else (staff) is deleted by an administrator, never by themselves.
DESK_ROLES = frozenset({Role.DESK_AGENT, Role.ADMINISTRATOR})
PSEUDONYM_PREFIX = "deleted-"
CODE_DIGITS = 6


def phone_normalise(phone: str) -> str:
    """A phone number as the SMS gateway takes it (+212..., digits only), or AccountRefused."""
    normalised = PHONE_SEPARATORS.sub("", (phone or "").strip())
    if not PHONE_PATTERN.match(normalised):
        raise AccountRefused(_("Enter a phone number with its country code, for example +212 6 12 34 56 78."))
    return normalised


def national_id_normalise(value: str) -> str:
    """A Moroccan CIN: one or two letters then digits (upper-cased, spaces removed), or AccountRefused."""
    normalised = "".join((value or "").split()).upper()
    letters = len(normalised) - len(normalised.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    digits = normalised[letters:]
    if not (1 <= letters <= 2 and digits.isdigit() and 1 <= len(digits) <= 8):
        raise AccountRefused(_("A national ID number (CIN) is one or two letters followed by digits, e.g. BK123456."))
    return normalised


# --- sign-up -------------------------------------------------------------------------------------------------------


@transaction.atomic
def account_register(
    *,
    user: Any,
    role: str,
    phone: str,
    national_id: str,
    preferred_language: str,
    architect_order_number: str = "",
    address: str | None = None,
) -> UserProfile:
    """Complete an account a person has just created: the profile (phone, CIN, language) and the role (national
    scope). An architect gives their order registration number and waits for the desk's check."""
    if role not in SELF_SERVICE_ROLES:
        raise PermissionDenied("only applicants and architects sign up themselves")
    if preferred_language not in Language.values:
        preferred_language = Language.FRENCH
    profile = profile_get(user=user)
    profile.phone = phone_normalise(phone)
    profile.national_id = national_id_normalise(national_id)
    profile.preferred_language = preferred_language
    if role == Role.ARCHITECT:
        number = "".join((architect_order_number or "").split()).upper()
        if not number:
            raise AccountRefused(_("An architect gives their registration number with the Ordre des architectes."))
        profile.architect_order_number = number
        profile.architect_status = ArchitectStatus.PENDING
    profile.save()
    role_grant(granted_by=None, user=user, role=role, address=address)
    audit_record(action="account.registered", actor_id=user.pk, address=address, payload={"role": role})
    return profile


# --- the architect's registration, checked by the desk ------------------------------------------------------------


def two_factor_required(user: Any) -> bool:
    """Whether this person must sign in with a second factor (TOTP): any back-office role (desk, commission member
    or president, signing authority, administrator), or the admin site's flags."""
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return True
    return memberships_of(user, BACK_OFFICE_ROLES).exists()


def architect_reviewer_check(*, actor: Any) -> None:
    """Desk agents (of any commune, or national) and administrators check architects' registrations."""
    if not (actor.is_superuser or memberships_of(actor, DESK_ROLES).exists()):
        raise PermissionDenied("only the desk checks architects' registrations")


@transaction.atomic
def architect_review(*, actor: Any, architect_id: int, verified: bool, reason: str = "", address: str | None) -> Any:
    """The desk verifies or refuses a pending architect (audited; the architect is told by e-mail/SMS)."""
    architect_reviewer_check(actor=actor)
    profile = UserProfile.objects.select_for_update().select_related("user").filter(user_id=architect_id).first()
    if profile is None or profile.architect_status != ArchitectStatus.PENDING:
        raise AccountRefused(_("This architect is not awaiting a check."))
    reason = (reason or "").strip()
    if not verified and not reason:
        raise AccountRefused(_("Give the reason of the refusal: the architect reads it."))
    profile.architect_status = ArchitectStatus.VERIFIED if verified else ArchitectStatus.REFUSED
    profile.architect_checked_at = timezone.now()
    profile.architect_checked_by = actor
    profile.architect_refusal_reason = "" if verified else reason
    profile.save()
    action = "architect.verified" if verified else "architect.refused"
    audit_record(action=action, actor_id=actor.pk, address=address, payload={"user": profile.user_id})
    _notify(
        user=profile.user,
        profile=profile,
        event_key=action,
        reference=f"account-{profile.user_id}#{action}-{profile.architect_checked_at.isoformat()}",
        context={"name": profile.user.get_full_name(), "reason": reason},
    )
    return profile.user


def _notify(*, user: Any, profile: UserProfile, event_key: str, reference: str, context: dict[str, Any]) -> None:
    """Tell the person on each channel they chose (e-mail at least, when they have one)."""
    if user.email and (profile.notify_by_email or not profile.phone):
        notification_schedule_event(
            channel="email",
            recipient=user.email,
            language=profile.preferred_language,
            event_key=event_key,
            reference=reference,
            context=context,
        )
    if profile.phone and profile.notify_by_sms:
        notification_schedule_event(
            channel="sms",
            recipient=profile.phone,
            language=profile.preferred_language,
            event_key=event_key,
            reference=reference,
            context=context,
        )


# --- the phone change by a one-time SMS code -----------------------------------------------------------------------


def _code_hash(*, user_id: int, phone: str, code: str) -> str:
    message = f"phone-change\x1f{user_id}\x1f{phone}\x1f{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def phone_change_request(*, user: Any, phone: str, address: str | None) -> PhoneChange:
    """Send a one-time code by SMS to the new number; the number replaces the old one once the code is typed.

    The code is kept hashed; it expires after `ACCOUNT_PHONE_CHANGE_CODE_TTL_SECONDS`; a new request closes the
    open one.
    """
    normalised = phone_normalise(phone)
    profile = profile_get(user=user)
    PhoneChange.objects.select_for_update().filter(user_id=user.pk, closed=False).update(closed=True)
    code = "".join(secrets.choice("0123456789") for _position in range(CODE_DIGITS))
    change = PhoneChange.objects.create(
        user=user,
        phone=normalised,
        code_hash=_code_hash(user_id=user.pk, phone=normalised, code=code),
        expires_at=timezone.now() + timedelta(seconds=settings.ACCOUNT_PHONE_CHANGE_CODE_TTL_SECONDS),
    )
    notification_schedule_event(
        channel="sms",
        recipient=normalised,
        language=profile.preferred_language,
        event_key="account.phone_code",
        reference=f"phone-change#{change.pk}",
        context={"code": code, "minutes": max(1, settings.ACCOUNT_PHONE_CHANGE_CODE_TTL_SECONDS // 60)},
        secret=True,
    )
    audit_record(action="account.phone_change_requested", actor_id=user.pk, address=address, payload={})
    return change


@dataclass(frozen=True)
class PhoneChangeOutcome:
    confirmed: bool
    attempts_left: int


def phone_change_open(*, user: Any) -> PhoneChange | None:
    return PhoneChange.objects.filter(user_id=user.pk, closed=False).first()


def phone_change_confirm(*, user: Any, code: str, address: str | None) -> PhoneChangeOutcome:
    """Check the code typed: the right one sets the phone; a wrong one costs an attempt (the last one closes the
    change); an expired change is closed. A refusal is raised after its count is committed."""
    with transaction.atomic():
        change = PhoneChange.objects.select_for_update().filter(user_id=user.pk, closed=False).first()
        if change is None:
            raise AccountRefused(_("No code is waiting: ask for a new one."))
        if change.expires_at <= timezone.now():
            change.closed = True
            change.save(update_fields=["closed"])
            refusal = _("This code has expired: ask for a new one.")
        else:
            expected = change.code_hash
            typed = _code_hash(user_id=user.pk, phone=change.phone, code="".join((code or "").split()))
            if hmac.compare_digest(expected, typed):
                change.closed = True
                change.confirmed_at = timezone.now()
                change.save(update_fields=["closed", "confirmed_at"])
                profile = profile_get(user=user)
                profile.phone = change.phone
                profile.save(update_fields=["phone"])
                audit_record(action="account.phone_changed", actor_id=user.pk, address=address, payload={})
                return PhoneChangeOutcome(confirmed=True, attempts_left=0)
            change.failed_attempts += 1
            left = settings.ACCOUNT_PHONE_CHANGE_MAX_ATTEMPTS - change.failed_attempts
            if left <= 0:
                change.closed = True
                refusal = _("Too many wrong codes: ask for a new one.")
            else:
                refusal = _("This code is not the one sent: %(left)d attempts left.") % {"left": left}
            change.save(update_fields=["failed_attempts", "closed"])
    raise AccountRefused(refusal)


# --- personal data export ------------------------------------------------------------------------------------------


def _dossier_export(dossier: Dossier) -> dict[str, Any]:
    documents: list[dict[str, Any]] = [
        {
            "type": upload.document_type,
            "round": upload.round_number,
            "file_name": upload.stored_document.original_filename,
            "content_type": upload.stored_document.content_type,
            "size_bytes": upload.stored_document.size_bytes,
            "sha256": upload.stored_document.sha256,
            "uploaded_at": upload.uploaded_at.isoformat(),
        }
        for upload in DossierDocument.objects.filter(dossier=dossier).select_related("stored_document")
    ]
    return {
        "id": dossier.pk,
        "reference": dossier.reference,
        "procedure": dossier.procedure.code,
        "commune": dossier.commune.code,
        "status": dossier.status,
        "title": dossier.title,
        "use": dossier.use,
        "height_m": dossier.height_m,
        "floors": dossier.floors,
        "gross_floor_area_m2": dossier.gross_floor_area_m2,
        "units": dossier.units,
        "establishment_class": dossier.establishment_class,
        "parcels": [parcel.reference for parcel in dossier.parcels.all()],
        "footprint": dossier.footprint.geojson if dossier.footprint else None,
        "decision": dossier.decision,
        "decision_motivation": dossier.decision_motivation,
        "decision_conditions": dossier.decision_conditions,
        "created_at": dossier.created_at.isoformat(),
        "submitted_at": dossier.submitted_at.isoformat() if dossier.submitted_at else None,
        "decided_at": dossier.decided_at.isoformat() if dossier.decided_at else None,
        "published_at": dossier.published_at.isoformat() if dossier.published_at else None,
        "withdrawn_at": dossier.withdrawn_at.isoformat() if dossier.withdrawn_at else None,
        "documents": documents,
    }


def _files_of(user: Any) -> Any:
    return (
        Dossier.objects.filter(Q(applicant_id=user.pk) | Q(architect_id=user.pk))
        .select_related("procedure", "commune")
        .prefetch_related("parcels")
        .order_by("pk")
    )


def account_export(*, user: Any, address: str | None) -> dict[str, Any]:
    """Everything the platform holds about the person, as one JSON document (their own data only); audited."""
    profile = profile_get(user=user)
    memberships = RoleMembership.objects.filter(user_id=user.pk).select_related("territory", "agency")
    events = AuditEvent.objects.filter(
        Q(actor_id=user.pk)
        | Q(payload__user=user.pk)
        | Q(dossier__applicant_id=user.pk)
        | Q(dossier__architect_id=user.pk)
    ).order_by("sequence")
    document = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "profile": {
            "phone": profile.phone,
            "national_id": profile.national_id,
            "preferred_language": profile.preferred_language,
            "notify_by_email": profile.notify_by_email,
            "notify_by_sms": profile.notify_by_sms,
            "architect_order_number": profile.architect_order_number,
            "architect_status": profile.architect_status,
        },
        "role_memberships": [
            {
                "role": membership.role,
                "territory": membership.territory.code if membership.territory else None,
                "agency": membership.agency.code if membership.agency else None,
                "active": membership.active,
                "since": membership.created_at.isoformat(),
            }
            for membership in memberships
        ],
        "files": [_dossier_export(dossier) for dossier in _files_of(user)],
        "audit_events": [
            {
                "sequence": event.sequence,
                "action": event.action,
                "at": event.at.isoformat(),
                "file": event.dossier_id,
                "address": event.address if event.actor_id == user.pk else None,
            }
            for event in events
        ],
    }
    audit_record(action="account.exported", actor_id=user.pk, address=address, payload={})
    return document


# --- account deletion ----------------------------------------------------------------------------------------------


def account_deletion_blockers(*, user: Any) -> list[Dossier]:
    """The files that stop a deletion: filed and still open (the person withdraws them first)."""
    return list(_files_of(user).filter(applicant_id=user.pk, status__in=workflow.FILED))


@transaction.atomic
def account_delete(*, user: Any, address: str | None) -> None:
    """Delete an applicant's or architect's account.

    Open filed files refuse the deletion (withdraw them first). Drafts are withdrawn (the audit trail, which never
    forgets a file, keeps them as withdrawn); files already decided or withdrawn are kept. The person is then
    pseudonymised: name, e-mail, phone and CIN cleared, the username replaced, the password made unusable, the
    account deactivated, its roles ended. The face ends the sessions and removes allauth's records.
    """
    from permits.services.filing import dossier_withdraw

    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.is_superuser or user.is_staff or memberships_of(user, set(Role.values) - SELF_SERVICE_ROLES).exists():
        raise PermissionDenied("staff accounts are closed by an administrator")
    blockers = account_deletion_blockers(user=user)
    if blockers:
        references = ", ".join(dossier.reference or f"#{dossier.pk}" for dossier in blockers)
        raise AccountRefused(
            _("Your files %(references)s are being examined: withdraw them first, then delete your account.")
            % {"references": references}
        )
    drafts = list(_files_of(user).filter(applicant_id=user.pk, status=DossierStatus.DRAFT))
    for draft in drafts:
        dossier_withdraw(actor=user, address=address, dossier=draft, reason="account deleted")
    kept = _files_of(user).count()
    profile = profile_get(user=user)
    profile.phone = ""
    profile.national_id = ""
    profile.architect_order_number = ""
    profile.notify_by_email = False
    profile.notify_by_sms = False
    profile.pseudonymised_at = timezone.now()
    profile.save()
    PhoneChange.objects.filter(user_id=user.pk).delete()
    RoleMembership.objects.filter(user_id=user.pk).update(active=False)
    user.username = f"{PSEUDONYM_PREFIX}{user.pk}"
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    audit_record(
        action="account.deleted",
        actor_id=user.pk,
        address=address,
        payload={"user": user.pk, "drafts_withdrawn": len(drafts), "files_kept": kept},
    )
