"""allauth's adapter: e-mails through the notification outbox, the platform's login stages, display names."""

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.utils import translation

from gis_core.notifications.services import notification_schedule
from permits.models import Language

EMAIL_VERIFICATION_STAGE = "allauth.account.stages.EmailVerificationStage"
# The context keys of allauth's messages that carry a secret (a verification or reset link, a one-time code): such a
# delivery loses its text once sent (`Delivery.secret`).
SECRET_CONTEXT_KEYS = frozenset({"activate_url", "password_reset_url", "key", "code"})


def user_display(user: Any) -> str:
    """A person as pages name them: their full name, else their username (never their e-mail address)."""
    return user.get_full_name() or user.get_username()


def current_language() -> str:
    language = (translation.get_language() or "")[:2]
    return language if language in Language.values else Language.FRENCH


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render allauth's message (in the page's language) and hand it to the outbox: a delivery row written now,
        sent by Celery after commit, retried with backoff and each attempt recorded; never SMTP in the request."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        full_context = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, full_context)
        html_body = ""
        text_body = message.body
        if getattr(message, "content_subtype", "plain") == "html":
            html_body, text_body = message.body, ""
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/html":
                html_body = str(content)
        event_key = "account." + template_prefix.rsplit("/", 1)[-1]
        with transaction.atomic():
            notification_schedule(
                channel="email",
                recipient=email,
                language=current_language(),
                subject=message.subject,
                body=text_body or html_body,
                html_body=html_body,
                event_key=event_key,
                idempotency_key=f"{event_key}:{uuid.uuid4().hex}",  # each message is its own (new key, new link)
                secret=bool(SECRET_CONTEXT_KEYS & set(context)),
            )

    def get_login_stages(self) -> list[str]:
        return [
            "web.accounts.stages.SelfRegisteredEmailVerificationStage" if stage == EMAIL_VERIFICATION_STAGE else stage
            for stage in super().get_login_stages()
        ]
