"""Mandates (the applicant's consent that an architect acts for them): invite, accept, decline, revoke.

The machine is `permits.lifecycles.MANDATE`:

| from | action | to | who |
|---|---|---|---|
| pending | accept | active | the invitee (the applicant an architect invited, or the architect an applicant invited) |
| pending | decline | declined | the invitee |
| pending | revoke | revoked | the applicant, or the inviter (withdrawing the invitation) |
| active | revoke | revoked | the applicant at any time; the architect, withdrawing from the mandate |

An invitation names an e-mail address; when no account has verified it yet, the invitation waits and is shown to
whoever verifies that address (`mandates_invitations_for`; `user.email` alone is never trusted). Every change is
audited (`mandate.<action>`), refusals too (`permission.refused`). `permits.access.mandate_covering` is the one
rule the filing services and `permits.access.is_owner` read: an architect acts on a file only under an active
mandate of its applicant, and sees it only then (`permits.access.mandated_files_q`, the selectors' visibility).

An architect acts for others only once the desk has checked their order registration number
(`permits.services.people.architect_verified`): `_check_architect` refuses the others, at the invitation and at
its acceptance.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from gis_core.notifications.services import notification_schedule_event
from permits import access
from permits.audit import audit_record
from permits.errors import InvalidDossier, NotFound, PermissionDenied
from permits.lifecycles import MANDATE, MandateAction
from permits.models import Dossier, Mandate, MandateScope, MandateStatus, Role
from permits.refusals import refusals_audited
from permits.services.people import architect_verified


def _is_architect(user: Any) -> bool:
    return access.memberships_of(user, [Role.ARCHITECT]).exists()


def _check_architect(user: Any) -> None:
    """An architect by role, whose order registration the desk has checked."""
    if not _is_architect(user):
        raise PermissionDenied("only an architect may act for an applicant", action="mandate")
    if not architect_verified(user):
        raise PermissionDenied(
            "the desk has not yet checked this architect's order registration number", action="mandate"
        )


def _user_with_email(email: str) -> Any | None:
    """The account that proved it owns `email` (a verified address of allauth's, read through the user's relation:
    `user.email` alone proves nothing, anyone may type someone else's address at sign-up)."""
    owners = get_user_model().objects.filter(
        emailaddress__email__iexact=email, emailaddress__verified=True, is_active=True
    )
    return owners.order_by("pk").first()


def _verified_emails(user: Any) -> list[str]:
    return [email.lower() for email in user.emailaddress_set.filter(verified=True).values_list("email", flat=True)]


def _audit(*, mandate: Mandate, actor: Any, address: str | None, action: str, **details: Any) -> None:
    audit_record(
        action=f"mandate.{action}",
        actor_id=actor.pk,
        dossier=mandate.dossier,
        address=address,
        payload={
            "mandate": mandate.pk,
            "architect": mandate.architect_id,
            "applicant": mandate.applicant_id,
            "scope": mandate.scope,
            "status": mandate.status,
            **details,
        },
    )


def _notify_invitee(mandate: Mandate, invitee: Any | None, language: str) -> None:
    inviter = mandate.invited_by
    notification_schedule_event(
        channel="email",
        recipient=mandate.invited_email,
        language=language,
        event_key="mandate.invited",
        reference=f"mandate-{mandate.pk}",
        context={
            "inviter": inviter.get_full_name() or inviter.get_username(),
            "by_architect": mandate.invited_by_architect,
            "has_account": invitee is not None,
            "scope": mandate.scope,
            "dossier": str(mandate.dossier) if mandate.dossier else "",
            "link": "/accounts/mandates/",
        },
    )


@refusals_audited("mandate.invite")
@transaction.atomic
def mandate_invite(
    *,
    actor: Any,
    address: str | None,
    email: str,
    scope: str = MandateScope.ALL_FILES,
    dossier: Dossier | None = None,
    language: str = "fr",
) -> Mandate:
    """An architect invites an applicant, or an applicant invites an architect, by e-mail (one file or all)."""
    email = (email or "").strip()
    if "@" not in email:
        raise InvalidDossier("email: give the e-mail address of the person to invite")
    if scope not in MandateScope.values:
        raise InvalidDossier(f"scope: one of {', '.join(MandateScope.values)}")
    if (scope == MandateScope.ONE_FILE) != (dossier is not None):
        raise InvalidDossier("dossier: a mandate for one file names that file, and only then")
    invitee = _user_with_email(email)
    if invitee is not None and invitee.pk == actor.pk:
        raise InvalidDossier("email: you cannot give yourself a mandate")
    if _is_architect(actor):
        _check_architect(actor)
        architect, applicant = actor, invitee
        if dossier is not None and (invitee is None or dossier.applicant_id != invitee.pk):
            raise PermissionDenied("a mandate for one file is asked of that file's applicant", action="mandate")
    else:
        architect, applicant = invitee, actor
        if invitee is not None and not _is_architect(invitee):
            raise InvalidDossier("email: this account is not an architect's")
        if dossier is not None and dossier.applicant_id != actor.pk:
            raise PermissionDenied("only the file's applicant gives a mandate for it", action="mandate")
    mandate = Mandate.objects.create(
        architect=architect,
        applicant=applicant,
        invited_by=actor,
        invited_email=email.lower(),
        scope=scope,
        dossier=dossier,
    )
    _audit(mandate=mandate, actor=actor, address=address, action="invited")
    _notify_invitee(mandate, invitee, language)
    return mandate


def _invitee_matches(mandate: Mandate, user: Any) -> bool:
    """The user the invitation is for: the named party, or an account that verified the invited e-mail (no party
    yet)."""
    invited_party = mandate.applicant_id if mandate.invited_by_architect else mandate.architect_id
    if invited_party is not None:
        return invited_party == user.pk
    return mandate.invited_email in _verified_emails(user)


def _mandate_lock(mandate: Mandate | int) -> Mandate:
    mandate_id = mandate if isinstance(mandate, int) else mandate.pk
    found = Mandate.objects.select_for_update().filter(pk=mandate_id).first()
    if found is None:
        raise NotFound(f"There is no mandate {mandate_id}.")
    return found


def _mandate_of(arguments: Any) -> int | None:
    mandate = arguments.get("mandate")
    found = Mandate.objects.filter(pk=getattr(mandate, "pk", mandate)).values_list("dossier_id", flat=True).first()
    return found


@refusals_audited("mandate.accept", dossier_of=_mandate_of)
@transaction.atomic
def mandate_accept(*, actor: Any, address: str | None, mandate: Mandate | int) -> Mandate:
    """The invitee accepts: the mandate is active from now (a one-file mandate names its architect on the file)."""
    mandate = _mandate_lock(mandate)
    if not _invitee_matches(mandate, actor):
        raise PermissionDenied("only the invited person answers this invitation", action="mandate.accept")
    if mandate.invited_by_architect:
        mandate.applicant = actor
    else:
        _check_architect(actor)
        mandate.architect = actor
    now = timezone.now()
    MANDATE.apply(
        record=mandate,
        action=MandateAction.ACCEPT,
        changes={
            "applicant": mandate.applicant,
            "architect": mandate.architect,
            "answered_at": now,
            "active_since": now,
        },
    )
    if mandate.dossier is not None:
        Dossier.objects.filter(pk=mandate.dossier.pk).update(architect=mandate.architect, mandate=mandate)
    _audit(mandate=mandate, actor=actor, address=address, action="accepted")
    return mandate


@refusals_audited("mandate.decline", dossier_of=_mandate_of)
@transaction.atomic
def mandate_decline(*, actor: Any, address: str | None, mandate: Mandate | int) -> Mandate:
    mandate = _mandate_lock(mandate)
    if not _invitee_matches(mandate, actor):
        raise PermissionDenied("only the invited person answers this invitation", action="mandate.decline")
    MANDATE.apply(record=mandate, action=MandateAction.DECLINE, changes={"answered_at": timezone.now()})
    _audit(mandate=mandate, actor=actor, address=address, action="declined")
    return mandate


@refusals_audited("mandate.revoke", dossier_of=_mandate_of)
@transaction.atomic
def mandate_revoke(*, actor: Any, address: str | None, mandate: Mandate | int) -> Mandate:
    """The applicant revokes (at any time), the architect withdraws, or the inviter withdraws the invitation."""
    mandate = _mandate_lock(mandate)
    if actor.pk not in (mandate.applicant_id, mandate.architect_id, mandate.invited_by_id):
        raise PermissionDenied("only the applicant or the architect of the mandate may end it", action="mandate.revoke")
    MANDATE.apply(
        record=mandate, action=MandateAction.REVOKE, changes={"revoked_at": timezone.now(), "revoked_by": actor}
    )
    _audit(mandate=mandate, actor=actor, address=address, action="revoked")
    return mandate


# --- reads (the rule the filing services and the access predicates share) -----------------------------------


def mandate_require(*, architect: Any, applicant_id: int, dossier: Dossier | None = None) -> Mandate:
    """The covering mandate, or `PermissionDenied` (403, audited by the refused service)."""
    _check_architect(architect)
    mandate = access.mandate_covering(architect=architect, applicant_id=applicant_id, dossier=dossier)
    if mandate is None:
        raise PermissionDenied(
            "the architect has no active mandate of this applicant: the applicant must accept an invitation first",
            action="mandate",
            applicant=applicant_id,
        )
    return mandate


def mandates_of(*, user: Any) -> QuerySet[Mandate]:
    """Every mandate the user gave, holds or was invited to (by party or by e-mail), newest first."""
    mine = Q(applicant_id=user.pk) | Q(architect_id=user.pk) | Q(invited_by_id=user.pk)
    if emails := _verified_emails(user):
        mine |= Q(invited_email__in=emails, status=MandateStatus.PENDING)
    return Mandate.objects.filter(mine).select_related("architect", "applicant", "invited_by", "dossier")


def mandates_invitations_for(*, user: Any) -> list[Mandate]:
    """Pending invitations this user may answer."""
    pending = mandates_of(user=user).filter(status=MandateStatus.PENDING)
    return [mandate for mandate in pending if _invitee_matches(mandate, user)]


def mandate_applicants_of(*, architect: Any) -> QuerySet[Any]:
    """The applicants who gave `architect` an active mandate for all their files (whom they may file for)."""
    applicant_ids = Mandate.objects.filter(
        architect_id=architect.pk, status=MandateStatus.ACTIVE, scope=MandateScope.ALL_FILES
    ).values("applicant_id")
    return get_user_model().objects.filter(pk__in=applicant_ids).order_by("last_name", "first_name", "username")
