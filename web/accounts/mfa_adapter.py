"""allauth.mfa's adapter: a back-office user may not remove their TOTP authenticator (their role needs it)."""

from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings

from permits.services.accounts import two_factor_required


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Any) -> bool:
        if settings.MFA_REQUIRED_FOR_BACK_OFFICE and two_factor_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
