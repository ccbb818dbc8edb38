"""The development outbox: where e-mails and SMS go on a developer's machine, and how the outbox page reads them.

- `MaildirHandler`: the aiosmtpd handler of the development mail catcher (`manage.py mail_catcher`, started by
  `scripts/mail_catcher.sh` in `make run`/`make dev`): a real SMTP server on loopback that stores every message it
  accepts in the maildir `DEV_OUTBOX_DIR/mail`. The platform reaches it through its ordinary SMTP channel.
- `OutboxSmsProvider`: an `SmsProvider` that stores each SMS as a message of the maildir `DEV_OUTBOX_DIR/sms`, next
  to the mails (`SMS_PROVIDER=gis_core.notifications.development.OutboxSmsProvider`; production refuses it).
- `outbox_read`: both, newest first, with their text, the links they carry and the one-time codes in them.

Development only: nothing here runs in production (`config.production` refuses the provider and the tools).
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from gis_core.notifications.channels import SmsProvider

MAIL_FOLDER = "mail"
SMS_FOLDER = "sms"
LINK_PATTERN = re.compile(r"https?://[^\s<>\"')\]]+")
ONE_TIME_CODE_PATTERN = re.compile(r"(?<![\d/.-])\d{6}(?![\d/.-])")
DEFAULT_LIMIT = 200


def outbox_folder(name: str, *, root: Path | None = None) -> mailbox.Maildir:
    """The maildir `name` of the outbox (created on first use)."""
    base = Path(root if root is not None else settings.DEV_OUTBOX_DIR)
    base.mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(base / name, create=True)


class MaildirHandler:
    """aiosmtpd handler: every accepted message is added, as received, to the maildir (atomic: tmp/ then new/)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        outbox_folder(MAIL_FOLDER, root=root)  # created before the first message, so the page lists an empty outbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        if "Date" not in message:
            message["Date"] = format_datetime(datetime.now(UTC))
        outbox_folder(MAIL_FOLDER, root=self.root).add(message)
        return "250 Message accepted for delivery"


class OutboxSmsProvider(SmsProvider):
    """Development SMS: stored in the outbox's `sms` maildir (To: the phone number; the text as the body)."""

    def send(self, *, to: str, text: str, sender: str) -> str:
        message = EmailMessage()
        message_id = uuid.uuid4().hex
        message["From"] = sender
        message["To"] = to
        message["Subject"] = "SMS"
        message["Date"] = format_datetime(datetime.now(UTC))
        message["X-Outbox-Id"] = message_id
        message.set_content(text)
        outbox_folder(SMS_FOLDER).add(message)
        return f"outbox-{message_id}"


@dataclass(frozen=True)
class OutboxMessage:
    channel: str  # "email" or "sms"
    recipient: str
    sender: str
    subject: str
    sent_at: datetime
    text: str
    links: tuple[str, ...]
    codes: tuple[str, ...]  # six-digit one-time codes found in the text


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else content.decode("utf-8", "replace")


def _sent_at(message: EmailMessage, fallback: float) -> datetime:
    try:
        moment = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return datetime.fromtimestamp(fallback, UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _read(folder: mailbox.Maildir, channel: str) -> list[tuple[float, OutboxMessage]]:
    """The folder's messages with the time each was stored (the maildir's own clock, finer than Date:)."""
    messages: list[tuple[float, OutboxMessage]] = []
    for key in folder.iterkeys():
        try:
            stored = folder.get_message(key)
            raw = folder.get_bytes(key)
        except (KeyError, FileNotFoundError):
            continue  # removed meanwhile
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        text = _text_of(message)
        subject = "" if channel == "sms" else str(message["Subject"] or "")
        messages.append(
            (
                stored.get_date(),
                OutboxMessage(
                    channel=channel,
                    recipient=str(message["X-Envelope-To"] or message["To"] or ""),
                    sender=str(message["From"] or ""),
                    subject=subject,
                    sent_at=_sent_at(message, stored.get_date()),
                    text=text,
                    links=tuple(dict.fromkeys(LINK_PATTERN.findall(text))),
                    codes=tuple(dict.fromkeys(ONE_TIME_CODE_PATTERN.findall(f"{subject}\n{text}"))),
                ),
            )
        )
    return messages


def outbox_read(*, limit: int = DEFAULT_LIMIT, root: Path | None = None) -> list[OutboxMessage]:
    """The e-mails the mail catcher received and the SMS the outbox provider stored, newest first."""
    stored = _read(outbox_folder(MAIL_FOLDER, root=root), "email") + _read(outbox_folder(SMS_FOLDER, root=root), "sms")
    stored.sort(key=lambda pair: pair[0], reverse=True)
    return [message for _, message in stored[:limit]]
