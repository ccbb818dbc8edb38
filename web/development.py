"""The face's development tools: whether they are on (`DEVELOPMENT_TOOLS`, with DEBUG, never in production), and
what the sign-in page shows of the tour (the demo accounts and their one password), nothing outside development."""

from typing import Any

from django.conf import settings

#: The demo accounts the sign-in page names (the rest are listed by `manage.py demo_accounts` and the README).
SIGN_IN_DEMO_ACCOUNTS = (
    "demo-applicant",
    "demo-architect",
    "demo-desk",
    "demo-inspector",
    "demo-president",
    "demo-signing-authority",
)


def development_tools_on() -> bool:
    """The development pages and hints: only with DEVELOPMENT_TOOLS and DEBUG, outside production mode."""
    return bool(settings.DEVELOPMENT_TOOLS and settings.DEBUG and not settings.PRODUCTION)


def demo_sign_in_context() -> dict[str, Any]:
    """The tour's hint on the sign-in page: the demo password and usernames, or nothing outside development."""
    if not development_tools_on() or not settings.DEMO_PASSWORD:
        return {}
    return {"demo_password": settings.DEMO_PASSWORD, "demo_usernames": SIGN_IN_DEMO_ACCOUNTS}
