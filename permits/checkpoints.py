"""Checkpoints of the audit chain: its head, sealed and timestamped each day in the document store.

The hash chain (`permits.audit`) shows that no event was changed *unless* someone rewrote the whole chain
consistently from the changed event on. A checkpoint makes that visible from outside the database:

- `checkpoint_create` reads the chain's head (sequence, hash, time), renders a one-page PDF stating it, with the
  same values as a JSON attachment (`audit-checkpoint.json`), stores it in `gis_core.documents`, seals it with
  a PAdES signature timestamped by the TSA (`gis_core.signing.pdf_sign`, locked: no later change allowed) in the
  name of the `AUDIT_CHECKPOINT_SIGNER` account, and records an `audit.checkpoint` event naming the document.
  Rendering and signing run before the event is written, so the chain head is locked only for that last insert.
  Every checkpoint is kept (stored documents are immutable), and copied by every backup.
- `checkpoints_verify` checks the latest checkpoints (`AUDIT_CHECKPOINT_VERIFY_COUNT`, or all): the stored file
  matches its row, its signature and timestamp verify against `SIGNING_TRUST_ROOTS`, and the chain's event at the
  signed sequence has the signed hash. A history rewritten after a checkpoint no longer has that hash, however
  consistent its own links are. It also reports the events no checkpoint covers yet, and, with
  `max_unanchored_hours`, fails when the oldest of them is older than that (the daily checkpoint stopped); a
  document sealed by the checkpoint account that no `audit.checkpoint` event names (its event was removed) fails.
- `audit_trail_verify` runs the chain's check and the checkpoints' (what `manage.py verify_audit` prints), and
  `audit_alert` logs an error and e-mails `AUDIT_ALERT_EMAILS` (default: `ADMINS`) through gis_core.notifications.

Anyone can check a checkpoint without the platform: `pdfsig` verifies the seal and the timestamp, `pdfdetach
-saveall` extracts the JSON, and the event at its sequence must have its hash (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from gis_core.documents.models import StoredDocument
from gis_core.documents.services import document_store, documents_storage
from gis_core.documents.validation import DocumentKind
from gis_core.notifications.services import notification_schedule_event
from gis_core.signing.services import intermediate_certificates, pdf_sign, trust_roots
from gis_core.signing.signers import signer_for
from gis_core.signing.verify import verify_pdf
from permits.audit import ChainReport, audit_record, audit_verify
from permits.models import AuditEvent

logger = logging.getLogger(__name__)

CHECKPOINT_ACTION = "audit.checkpoint"
STATEMENT_TYPE = "urbaplan-audit-checkpoint"
ATTACHMENT_NAME = "audit-checkpoint.json"
SIGNATURE_FIELD = "audit-checkpoint"
ALERT_EVENT = "audit.alert"


@dataclass(frozen=True)
class Statement:
    """What a checkpoint states (the JSON attachment of its PDF)."""

    sequence: int
    hash: str
    event_at: str
    created_at: str
    database: str
    platform: str
    type: str = STATEMENT_TYPE

    def as_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True, indent=1, ensure_ascii=False)


# --- creating ---------------------------------------------------------------------------------------------------


def checkpoint_signer_account() -> Any:
    """The account in whose name checkpoints are sealed (created inactive, without a usable password)."""
    user, _created = get_user_model().objects.get_or_create(
        username=settings.AUDIT_CHECKPOINT_SIGNER,
        defaults={"is_active": False, "first_name": "Urbaplan", "last_name": "audit", "password": make_password(None)},
    )
    return user


def checkpoint_render(statement: Statement) -> bytes:
    """The checkpoint's PDF: the statement in words, and as the JSON attachment."""
    from weasyprint import HTML, Attachment  # loading Pango costs ~0.3 s: only PDF writers pay it

    html = render_to_string(
        "audit/checkpoint.html",
        {
            "statement": statement,
            "attachment_name": ATTACHMENT_NAME,
            "font_family": settings.COMMISSIONS_PDF_FONT_FAMILY,
        },
    )
    attachment = Attachment(
        string=statement.as_json(), name=ATTACHMENT_NAME, description="Audit chain head (sequence, SHA-256)"
    )
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(attachments=[attachment])
    assert pdf is not None
    return bytes(pdf)


def checkpoint_create(*, now: datetime | None = None) -> AuditEvent | None:
    """Seal the chain's current head in a new checkpoint; None when the chain is still empty."""
    head = AuditEvent.objects.order_by("-sequence").first()
    if head is None:
        return None
    moment = now or timezone.now()
    statement = Statement(
        sequence=head.sequence,
        hash=head.hash,
        event_at=head.at.astimezone(UTC).isoformat(timespec="microseconds"),
        created_at=moment.astimezone(UTC).isoformat(timespec="seconds"),
        database=str(connection.settings_dict["NAME"]),
        platform=settings.SIGNING_PUBLIC_BASE_URL,
    )
    data = checkpoint_render(statement)
    account = checkpoint_signer_account()
    signer = signer_for(user=account)
    with transaction.atomic():
        document = document_store(
            stream=io.BytesIO(data),
            filename=f"audit-checkpoint-{head.sequence:09d}.pdf",
            allowed_kinds=(DocumentKind.PDF,),
            user=account,
        )
        sealed = pdf_sign(
            document=document,
            signer=signer,
            field_name=SIGNATURE_FIELD,
            reason=f"Audit checkpoint #{head.sequence}",
            lock=True,
            user=account,
        )
        return audit_record(  # the head is locked only now, after the rendering and the TSA's reply
            action=CHECKPOINT_ACTION,
            actor_id=None,
            payload={
                "sequence": head.sequence,
                "hash": head.hash,
                "document": str(sealed.pk),
                "sha256": sealed.sha256,
            },
        )


# --- verifying --------------------------------------------------------------------------------------------------


@dataclass
class CheckpointReport:
    checked: int = 0
    anchored_sequence: int | None = None  # the head sealed by the latest checkpoint that verifies
    anchored_at: datetime | None = None  # its timestamp (the TSA's time)
    unanchored: int = 0  # events after that head
    oldest_unanchored_at: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _statement_of(data: bytes) -> dict[str, Any]:
    from pypdf import PdfReader

    attachments = PdfReader(io.BytesIO(data)).attachments
    if ATTACHMENT_NAME not in attachments:
        raise ValueError(f"no {ATTACHMENT_NAME} attachment")
    statement = json.loads(attachments[ATTACHMENT_NAME][0])
    if not isinstance(statement, dict) or statement.get("type") != STATEMENT_TYPE:
        raise ValueError("the attachment is not an audit checkpoint")
    return statement


def _checkpoint_check(event: AuditEvent) -> tuple[int, datetime | None] | str:
    """(sealed sequence, timestamp) when the checkpoint of `event` holds, else why not."""
    label = f"checkpoint #{event.sequence}"
    document = StoredDocument.objects.filter(pk=event.payload.get("document")).first()
    if document is None:
        return f"{label}: its document {event.payload.get('document')} has no row"
    try:
        with documents_storage().open(document.storage_key, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return f"{label}: its document {document.storage_key} is missing from the document store"
    if hashlib.sha256(data).hexdigest() != document.sha256:
        return f"{label}: its document {document.storage_key} does not match its SHA-256"
    report = verify_pdf(data, trust_roots=trust_roots(), other_certs=intermediate_certificates())
    if not report.valid:  # signed, intact, unchanged since, trusted, timestamped by a trusted TSA
        return f"{label}: its seal does not verify ({report.status})"
    try:
        statement = _statement_of(data)
        sequence, sealed_hash = int(statement["sequence"]), str(statement["hash"])
    except (ValueError, KeyError, TypeError) as error:
        return f"{label}: its document states no readable chain head ({error})"
    timestamp = report.signatures[-1].timestamp
    chain_hash = AuditEvent.objects.filter(sequence=sequence).values_list("hash", flat=True).first()
    if chain_hash != sealed_hash:
        return (
            f"{label}: the chain's event #{sequence} has hash {chain_hash or '(none)'}, but the checkpoint sealed "
            f"{sealed_hash} on {timestamp}: the history before it was rewritten"
        )
    if sequence >= event.sequence or event.payload.get("sequence") != sequence:
        return f"{label}: it names event #{event.payload.get('sequence')}, its document seals #{sequence}"
    return sequence, timestamp


def checkpoints_verify(*, count: int | None = None, max_unanchored_hours: float | None = None) -> CheckpointReport:
    """Check the latest `count` checkpoints (default `AUDIT_CHECKPOINT_VERIFY_COUNT`; 0: all); see the module."""
    limit = settings.AUDIT_CHECKPOINT_VERIFY_COUNT if count is None else count
    report = CheckpointReport()
    checkpoints = AuditEvent.objects.filter(action=CHECKPOINT_ACTION).order_by("-sequence")
    for event in checkpoints[:limit] if limit else checkpoints:
        outcome = _checkpoint_check(event)
        report.checked += 1
        if isinstance(outcome, str):
            report.problems.append(outcome)
        elif report.anchored_sequence is None:
            report.anchored_sequence, report.anchored_at = outcome
    report.problems += _sealed_documents_without_event()
    after = AuditEvent.objects.filter(sequence__gt=report.anchored_sequence or 0)
    report.unanchored = after.count()
    first = after.order_by("sequence").values_list("at", flat=True).first()
    report.oldest_unanchored_at = first
    max_age = None if max_unanchored_hours is None else timedelta(hours=max_unanchored_hours)
    if max_age is not None and first is not None and timezone.now() - first > max_age:
        report.problems.append(
            f"{report.unanchored} event(s) since #{(report.anchored_sequence or 0) + 1} "
            f"({first:%Y-%m-%d %H:%M} UTC) are not anchored by a checkpoint after {max_age}: is the "
            "daily checkpoint running?"
        )
    return report


def _sealed_documents_without_event() -> list[str]:
    """Documents stored by the checkpoint account that no checkpoint event names (their event was removed)."""
    account = get_user_model().objects.filter(username=settings.AUDIT_CHECKPOINT_SIGNER).first()
    if account is None:
        return []
    named = [
        str(value)
        for value in AuditEvent.objects.filter(action=CHECKPOINT_ACTION).values_list("payload__document", flat=True)
    ]
    named_lineages = set(StoredDocument.objects.filter(pk__in=named).values_list("lineage", flat=True))
    orphans = (
        StoredDocument.objects.filter(created_by=account)
        .exclude(lineage__in=named_lineages)
        .order_by("created_at")
        .values_list("storage_key", flat=True)
    )
    return [
        f"checkpoint document {key} is named by no audit.checkpoint event: was its event removed?" for key in orphans
    ]


@dataclass(frozen=True)
class TrailReport:
    chain: ChainReport
    checkpoints: CheckpointReport

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.checkpoints.ok

    def problems(self) -> list[str]:
        found = []
        if self.chain.broken is not None:
            found.append(
                f"the chain is broken at event #{self.chain.broken.sequence}: {self.chain.broken.reason} "
                f"({self.chain.checked} events verified before it)"
            )
        return found + self.checkpoints.problems


def audit_trail_verify(*, checkpoints: int | None = None, max_unanchored_hours: float | None = None) -> TrailReport:
    """The chain recomputed, then its checkpoints checked against it."""
    chain = audit_verify()
    return TrailReport(
        chain=chain,
        checkpoints=checkpoints_verify(count=checkpoints, max_unanchored_hours=max_unanchored_hours),
    )


# --- alerts -----------------------------------------------------------------------------------------------------


def audit_alert_recipients() -> list[str]:
    admins = [entry if isinstance(entry, str) else entry[1] for entry in settings.ADMINS]  # (name, e-mail) pairs
    return list(settings.AUDIT_ALERT_EMAILS) or admins


def audit_alert(*, what: str, problems: list[str]) -> int:
    """Log the failure as an error and e-mail it to the alert recipients (once a day per kind); how many e-mails."""
    logger.error("audit %s FAILED: %s", what, "; ".join(problems))
    recipients = audit_alert_recipients()
    if not recipients:
        logger.error("no AUDIT_ALERT_EMAILS (nor ADMINS) to alert about the audit %s", what)
    day = timezone.now().date().isoformat()
    with transaction.atomic():
        for recipient in recipients:
            notification_schedule_event(
                channel="email",
                recipient=recipient,
                language=settings.LANGUAGE_CODE,
                event_key=ALERT_EVENT,
                reference=f"audit-{what}#{day}",
                context={
                    "what": what,
                    "problems": problems,
                    "platform": settings.SIGNING_PUBLIC_BASE_URL,
                    "database": str(connection.settings_dict["NAME"]),
                    "day": day,
                },
            )
    return len(recipients)
