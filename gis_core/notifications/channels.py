"""Delivery channels: how one message leaves the platform.

A channel takes an `OutgoingMessage`, sends it, and returns the provider's message id, or raises a
`ChannelError` (typed: `permanent` failures are not retried). Two channels:
- `EmailChannel`: Django's mail framework, so the backend is `EMAIL_BACKEND` (SMTP, configured from the
  environment: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL);
- `SmsChannel`: delegates to an `SmsProvider` named by dotted path in `SMS_PROVIDER`. `HttpGatewaySmsProvider`
  posts JSON `{to, text, sender}` to `SMS_GATEWAY_URL`; production may plug any other provider class.
Settings are read when a channel is built, never at import time.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.module_loading import import_string

#: HTTP statuses that say "try again later" although they are 4xx.
TRANSIENT_CLIENT_STATUSES = frozenset({408, 425, 429})
#: How much of a gateway's error response is kept in the delivery log.
ERROR_EXCERPT_CHARACTERS = 300


class ChannelError(Exception):
    """A send failed. `permanent` failures (refused recipient, rejected request) are not retried."""

    permanent: bool = False

    def __init__(self, message: str, *, permanent: bool | None = None) -> None:
        super().__init__(message)
        if permanent is not None:
            self.permanent = permanent


class ChannelConfigurationError(ChannelError):
    """The channel is not configured (no gateway URL, unknown provider): retrying will not help."""

    permanent = True


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What a channel needs to send one message; `reference` (the delivery id) goes into headers and logs."""

    recipient: str
    body: str
    language: str
    subject: str = ""
    html_body: str = ""
    reference: str = ""


class Channel(Protocol):
    """Sends one message; returns the provider's message id ("" when the provider gives none)."""

    def send(self, message: OutgoingMessage) -> str: ...


class EmailChannel:
    """E-mail through Django's configured backend (SMTP in production)."""

    def __init__(self, *, from_email: str | None = None) -> None:
        self.from_email = from_email or settings.DEFAULT_FROM_EMAIL

    def message_id_domain(self) -> str:
        """The domain of our Message-IDs: the sender's domain (no slow FQDN lookup as Django's default does)."""
        address = parseaddr(self.from_email)[1]
        return address.rpartition("@")[2] or "localhost"

    def send(self, message: OutgoingMessage) -> str:
        message_id = make_msgid(idstring=message.reference or None, domain=self.message_id_domain())
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=self.from_email,
            to=[message.recipient],
            connection=get_connection(fail_silently=False),
            headers={
                "Message-ID": message_id,
                "Content-Language": message.language,
                "Auto-Submitted": "auto-generated",
            },
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise ChannelError(f"recipient refused: {_smtp_codes(error.recipients)}", permanent=True) from error
        except smtplib.SMTPResponseException as error:
            reply = error.smtp_error
            text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
            permanent = 500 <= error.smtp_code < 600
            raise ChannelError(f"SMTP {error.smtp_code}: {text}", permanent=permanent) from error
        except (smtplib.SMTPException, OSError) as error:
            raise ChannelError(f"SMTP: {type(error).__name__}: {error}") from error
        return message_id


def _smtp_codes(recipients: dict[str, Any]) -> str:
    """The refusal codes of a refused recipient list, without the addresses (personal data)."""
    return ", ".join(str(code_and_text[0]) for code_and_text in recipients.values()) or "no code"


class SmsProvider(ABC):
    """An SMS provider: sends `text` to the phone number `to`, returns its message id or raises `ChannelError`."""

    @abstractmethod
    def send(self, *, to: str, text: str, sender: str) -> str: ...


class HttpGatewaySmsProvider(SmsProvider):
    """A generic HTTP gateway: POST JSON `{to, text, sender}` with a bearer token; the reply's `id` is kept.

    Non-2xx replies and timeouts are failures; 4xx replies (but 408/425/429) are permanent. A 2xx reply
    without an id is still a success (sending again would duplicate the SMS); the provider id is then "".
    """

    def __init__(self, *, url: str | None = None, token: str | None = None, timeout: float | None = None) -> None:
        self.url = settings.SMS_GATEWAY_URL if url is None else url
        self.token = settings.SMS_GATEWAY_TOKEN if token is None else token
        self.timeout = float(settings.SMS_GATEWAY_TIMEOUT if timeout is None else timeout)

    def send(self, *, to: str, text: str, sender: str) -> str:
        if not self.url:
            raise ChannelConfigurationError("SMS gateway not configured (SMS_GATEWAY_URL is empty)")
        payload = json.dumps({"to": to, "text": text, "sender": sender}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
                reply = response.read(65536)
        except urllib.error.HTTPError as error:
            excerpt = error.read(ERROR_EXCERPT_CHARACTERS).decode("utf-8", "replace")
            permanent = 400 <= error.code < 500 and error.code not in TRANSIENT_CLIENT_STATUSES
            raise ChannelError(f"SMS gateway HTTP {error.code}: {excerpt}", permanent=permanent) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ChannelError(f"SMS gateway unreachable: {type(error).__name__}: {reason}") from error
        if not 200 <= status < 300:
            raise ChannelError(f"SMS gateway HTTP {status}")
        return _provider_id(reply)


def _provider_id(reply: bytes) -> str:
    """The message id in a gateway's JSON reply (`id` or `message_id`), or "" when there is none."""
    try:
        document = json.loads(reply.decode("utf-8")) if reply.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    if not isinstance(document, dict):
        return ""
    value = document.get("id", document.get("message_id", ""))
    return str(value) if value is not None else ""


def sms_provider_from_settings() -> SmsProvider:
    """The provider named by `SMS_PROVIDER` (a dotted path to an `SmsProvider` class built without arguments)."""
    try:
        provider_class = import_string(settings.SMS_PROVIDER)
    except ImportError as error:
        raise ChannelConfigurationError(f"SMS_PROVIDER {settings.SMS_PROVIDER!r} cannot be imported") from error
    provider = provider_class()
    if not isinstance(provider, SmsProvider):
        raise ChannelConfigurationError(f"SMS_PROVIDER {settings.SMS_PROVIDER!r} is not an SmsProvider")
    return provider


class SmsChannel:
    """SMS through the configured provider; the sender name is `SMS_SENDER`."""

    def __init__(self, *, provider: SmsProvider | None = None, sender: str | None = None) -> None:
        self.provider = provider or sms_provider_from_settings()
        self.sender = settings.SMS_SENDER if sender is None else sender

    def send(self, message: OutgoingMessage) -> str:
        return self.provider.send(to=message.recipient, text=message.body, sender=self.sender)


#: Channel name (`Delivery.Channel` value) -> the class that sends on it. A table, not an if/else chain.
CHANNELS: dict[str, type[EmailChannel] | type[SmsChannel]] = {"email": EmailChannel, "sms": SmsChannel}


def channel_for(name: str) -> Channel:
    """A ready channel for a `Delivery.Channel` value."""
    try:
        channel_class = CHANNELS[name]
    except KeyError as error:
        raise ChannelConfigurationError(f"unknown channel {name!r}") from error
    return channel_class()
