"""Template filters of the web pages: catalogue names in the active language, pre-check verdicts in words."""

from typing import Any

from django import template

from web.i18n import localized as localized_name
from web.roles import is_back_office, is_member
from web.verdicts import verdict_rows

register = template.Library()


@register.filter
def localized(record: Any, prefix: str = "name") -> str:
    """`{{ procedure|localized }}`, `{{ document|localized:"label" }}`: the active language, else French."""
    return localized_name(record, prefix)


@register.filter
def verdicts(precheck: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The checks of a frozen pre-check as rows (rule, zone, value, limit, status, why) in the active language."""
    return verdict_rows((precheck or {}).get("checks") or [])


@register.filter
def answer_rows(dossier: Any) -> list[dict[str, Any]]:
    """The answers of a file to its procedure's own form, as rows (label, value in words, unit), in its order."""
    from permits.answers import answers_display

    return answers_display(procedure=dossier.procedure, answers=dossier.answers or {})


@register.simple_tag
def navigation_for(user: Any) -> dict[str, bool]:
    """Which back-office entries the menu shows to this user."""
    from permits.commissions.selectors import commissions_of, has_signature_requests

    signer = getattr(user, "is_authenticated", False) and has_signature_requests(user=user)
    return {
        "back_office": is_back_office(user),
        "member": is_member(user),
        "commission": commissions_of(user=user).exists(),
        "signer": bool(signer),
    }


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`{{ attrs|get_item:"aria-required" }}`: a key of a mapping whose name a template cannot spell."""
    return mapping.get(key) if hasattr(mapping, "get") else None
