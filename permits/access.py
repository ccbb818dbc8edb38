"""Who holds which role over which file: the predicates used by the workflow guards and by the selectors.

A membership's territory covers a commune when it is the commune itself or the province/region above it;
a membership without territory is national. A Django superuser counts as a national administrator.

Separation of duties: an administrator (and a superuser) acts as a desk agent within their scope, and in no other
role: never as a commission president, a commission member or a signing authority, whose acts (the decision, the
opinions, the signatures) are the holder's own. Who instructed a file (`instructor_ids`: the desk agents who
checked its completeness or sent it to the commission, the service that decided it without a commission) is read
from its audit trail; the signatures refuse a decision signed by them alone (`permits.commissions.signatures`).
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from permits.models import AuditEvent, Dossier, Mandate, MandateScope, MandateStatus, Role, RoleMembership

OWNER = "owner"  # the applicant, or the architect filing for them
SERVICE_DECIDER = "service_decider"  # whoever holds the role the procedure names to decide without a commission
PLATFORM = "platform"  # the platform itself (actor None): the file's legal clock, never a person or a page
# The roles an administrator (or a superuser) also holds within their scope; none of the commission's or signer's.
ADMINISTRATOR_ACTS_AS = frozenset({Role.DESK_AGENT, Role.ADMINISTRATOR})
# The audit events whose actor instructed the file: completeness, taking it to the commission, a service decision.
INSTRUCTION_ACTIONS = (
    "dossier.accept_complete",
    "dossier.return_incomplete",
    "dossier.send_to_commission",
    "dossier.decide_without_commission",
)


def memberships_of(user: Any, roles: Iterable[str]) -> QuerySet[RoleMembership]:
    return RoleMembership.objects.filter(user_id=user.pk, role__in=list(roles), active=True)


def commune_ancestry(dossier: Dossier) -> list[int]:
    """The commune of the file and the territories above it (province, region)."""
    ids = [dossier.commune_id]
    parent = dossier.commune.parent
    while parent is not None:
        ids.append(parent.pk)
        parent = parent.parent
    return ids


def territory_scope_q(territory_id: int | None, prefix: str = "") -> Q:
    """Files of a commune, or of the communes under a province/region; everything for a national scope."""
    if territory_id is None:
        return Q()
    return (
        Q(**{f"{prefix}commune_id": territory_id})
        | Q(**{f"{prefix}commune__parent_id": territory_id})
        | Q(**{f"{prefix}commune__parent__parent_id": territory_id})
    )


def mandate_covering(*, architect: Any, applicant_id: int | None, dossier: Dossier | None = None) -> Mandate | None:
    """The active mandate under which `architect` acts for the applicant: for all their files, or for `dossier`."""
    if architect is None or architect.pk is None or applicant_id is None:
        return None
    scope = Q(scope=MandateScope.ALL_FILES)
    if dossier is not None and dossier.pk is not None:
        scope |= Q(scope=MandateScope.ONE_FILE, dossier_id=dossier.pk)
    return (
        Mandate.objects.filter(scope, architect_id=architect.pk, applicant_id=applicant_id, status=MandateStatus.ACTIVE)
        .order_by("scope", "-active_since")
        .first()
    )


def mandated_files_q(*, architect_id: int) -> Q:
    """The files an architect holds under an active mandate (for all the applicant's files, or for that file): the
    filter form of `mandate_covering`, so that a revoked mandate hides the file from the architect at once."""
    active = Mandate.objects.filter(architect_id=architect_id, status=MandateStatus.ACTIVE)
    covering = Exists(active.filter(scope=MandateScope.ALL_FILES, applicant_id=OuterRef("applicant_id"))) | Exists(
        active.filter(scope=MandateScope.ONE_FILE, dossier_id=OuterRef("pk"))
    )
    return Q(architect_id=architect_id) & Q(covering)


def is_owner(user: Any, dossier: Dossier) -> bool:
    """The file's applicant, or its architect while a mandate of the applicant covers the file (a revoked
    mandate ends the architect's hand on the file at once)."""
    if user.pk is None:
        return False
    if user.pk == dossier.applicant_id:
        return True
    return user.pk == dossier.architect_id and (
        mandate_covering(architect=user, applicant_id=dossier.applicant_id, dossier=dossier) is not None
    )


def holds_role(user: Any, dossier: Dossier, role: str, *, agency_id: int | None = None) -> bool:
    """True when the user holds `role` over the file's commune (an administrator: the roles it acts as)."""
    if not getattr(user, "is_authenticated", False):
        return False
    stands_in = role in ADMINISTRATOR_ACTS_AS
    if user.is_superuser and stands_in:
        return True
    roles = {role, Role.ADMINISTRATOR} if stands_in else {role}
    scope = commune_ancestry(dossier)
    memberships = memberships_of(user, roles).filter(Q(territory__isnull=True) | Q(territory_id__in=scope))
    if role == Role.COMMISSION_MEMBER and agency_id is not None:
        memberships = memberships.filter(agency_id=agency_id)
    return memberships.exists()


def may_act(user: Any, dossier: Dossier, allowed: Iterable[str]) -> bool:
    """True when the user is the owner (if `OWNER` is allowed) or holds one of the allowed roles."""
    for role in allowed:
        if role == PLATFORM:
            if user is None:
                return True
        elif role == OWNER:
            if is_owner(user, dossier):
                return True
        elif role == SERVICE_DECIDER:
            deciding_role = dossier.procedure.decision_role
            if deciding_role and holds_role(user, dossier, deciding_role):
                return True
        elif holds_role(user, dossier, role):
            return True
    return False


def instructor_ids(dossier: Dossier) -> set[int]:
    """The users who instructed the file, from its audit trail (see `INSTRUCTION_ACTIONS`)."""
    events = AuditEvent.objects.filter(dossier=dossier, action__in=INSTRUCTION_ACTIONS, actor__isnull=False)
    return set(events.values_list("actor_id", flat=True))


def member_agencies(user: Any, dossier: Dossier) -> list[int]:
    """Agencies the user speaks for as a commission member over this file's commune."""
    scope = commune_ancestry(dossier)
    return list(
        memberships_of(user, [Role.COMMISSION_MEMBER])
        .filter(Q(territory__isnull=True) | Q(territory_id__in=scope))
        .values_list("agency_id", flat=True)
    )
