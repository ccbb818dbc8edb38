"""The roles a user holds anywhere, as the pages' navigation and the back-office queues need them; every action
checks the user's role again over the file, in the permits services."""

from typing import Any

from permits import access
from permits.models import Role


def roles_of(user: Any) -> set[str]:
    """The roles a user holds anywhere (for the navigation; every action checks again over the file)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return {str(role) for role in Role}
    return {str(role) for role in access.memberships_of(user, list(Role)).values_list("role", flat=True)}


def is_back_office(user: Any) -> bool:
    return bool(
        roles_of(user)
        & {Role.DESK_AGENT, Role.COMMISSION_PRESIDENT, Role.SIGNING_AUTHORITY, Role.INSPECTOR, Role.ADMINISTRATOR}
    )


def is_member(user: Any) -> bool:
    return Role.COMMISSION_MEMBER in roles_of(user)


def is_inspector(user: Any) -> bool:
    return Role.INSPECTOR in roles_of(user)
