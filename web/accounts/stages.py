"""The e-mail verification stage of a sign-in, for the accounts people created themselves only.

A person who signed up has allauth's e-mail address record: they sign in (and so file anything) only once that
address is verified (`ACCOUNT_EMAIL_VERIFICATION = "mandatory"`). An account an administrator created has none:
the administrator vouched for it, and it is not asked.
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage


class SelfRegisteredEmailVerificationStage(EmailVerificationStage):
    def handle(self) -> tuple[Any, bool]:
        user = self.login.user
        if user is not None and not EmailAddress.objects.filter(user_id=user.pk).exists():
            return None, True
        return super().handle()
