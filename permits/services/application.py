"""The signed application: preview, one-time code, seal; and the rule that submission needs it.

1. `application_preview(actor, dossier)`: the form as it stands (PDF/A bytes, unsigned), for the review step.
2. `application_code_request(actor, address, dossier, channel, consent)`: the applicant ticked the consent and
   chose SMS or e-mail; a six-digit code is sent there through `gis_core.notifications` (written in this
   transaction, sent on commit), kept hashed, valid `APPLICATION_CODE_TTL_SECONDS`; at most
   `APPLICATION_CODE_MAX_PER_HOUR` codes per file and hour (`CodeThrottled`, 429).
3. `application_sign(actor, address, dossier, code)`: the latest code of the applicant for this file; wrong codes
   count (`APPLICATION_CODE_MAX_ATTEMPTS`, then the code is spent), an expired or spent code is refused, and a
   code drawn for another content than the file's current one too. A right code: the form is rendered with its
   signature statement, stored, and sealed with a PAdES signature (the `APPLICATION_SEAL_SIGNER` account's key,
   timestamped by the TSA) whose /Name, /Reason, /Location and /ContactInfo name the applicant and the method;
   the sealed PDF is the file's `signed-application` document (a new version of the previous one, if any).
4. `application_signature_require(dossier)`: at submission, the latest signature must be of the current content.

Only the applicant signs their application (an architect prepares the file; the consent is the applicant's).
"""

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gis_core.documents.services import document_store
from gis_core.documents.validation import DocumentKind
from gis_core.notifications.services import notification_schedule_event
from gis_core.problems import DomainError
from gis_core.signing.services import pdf_sign
from gis_core.signing.signers import signer_for
from permits import workflow
from permits.application_form import codes
from permits.application_form.facts import application_facts, content_sha256
from permits.application_form.pdf import SignatureStatement, application_pdf
from permits.audit import audit_record
from permits.errors import IllegalTransition, InvalidDossier, PermissionDenied
from permits.models import (
    SIGNED_APPLICATION,
    ApplicationCode,
    ApplicationSignature,
    CodeChannel,
    Dossier,
    DossierDocument,
    UserProfile,
)
from permits.refusals import refusals_audited
from permits.services.common import dossier_lock

#: The signature field: named after the applicant and the method (what `pdfsig` prints beside the seal's
#: certificate), one per signature (each version of the lineage is signed once); dots separate field names in PDF.
SIGNATURE_FIELD = "Demandeur {name} - code {channel} {code}"


class CodeThrottled(DomainError):
    status = 429
    title = "Too many codes asked"


class CodeRefused(DomainError):
    """A wrong, expired or spent code (the attempt is counted before this is raised)."""

    status = 400
    title = "One-time code refused"


@dataclass(frozen=True)
class Preview:
    pdf: bytes
    content_sha256: str


def _check_applicant(actor: Any, dossier: Dossier, action: str) -> None:
    if actor.pk != dossier.applicant_id:
        raise PermissionDenied("only the applicant signs their application", action=action)
    if dossier.status not in workflow.EDITABLE:
        raise IllegalTransition(f"a file that is {dossier.status} is not signed again", current_status=dossier.status)


def application_preview(*, actor: Any, dossier: Dossier) -> Preview:
    """The unsigned form of the file as it stands (the applicant, or their architect under a mandate, reads it)."""
    from permits import access

    if not access.is_owner(actor, dossier):
        raise PermissionDenied("only the applicant or their architect reads the application form")
    facts = application_facts(dossier=dossier)
    fingerprint = content_sha256(facts)
    return Preview(
        pdf=application_pdf(facts=facts, content_sha256=fingerprint, statement=None), content_sha256=fingerprint
    )


def _destination(user: Any, channel: str) -> str:
    if channel == CodeChannel.SMS:
        profile = UserProfile.objects.filter(user=user).first()
        if profile is None or not profile.phone:
            raise InvalidDossier("channel: no phone number on your account; choose the e-mail or add a phone")
        return profile.phone
    if not user.email:
        raise InvalidDossier("channel: no e-mail address on your account; choose the SMS")
    return str(user.email)


@refusals_audited("application.code_request")
@transaction.atomic
def application_code_request(
    *, actor: Any, address: str | None, dossier: Dossier, channel: str, consent: bool
) -> ApplicationCode:
    """Send a one-time code to the applicant (see the module docstring)."""
    dossier = dossier_lock(dossier=dossier)
    _check_applicant(actor, dossier, "application.code_request")
    if not consent:
        raise InvalidDossier("consent: tick the box to confirm you have read the form and sign it")
    if channel not in CodeChannel.values:
        raise InvalidDossier(f"channel: one of {', '.join(CodeChannel.values)}")
    recent = ApplicationCode.objects.filter(
        dossier=dossier, user=actor, created_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if recent >= settings.APPLICATION_CODE_MAX_PER_HOUR:
        raise CodeThrottled("too many codes were asked for this file in the last hour; try again later")
    destination = _destination(actor, channel)
    masked = codes.phone_masked(destination) if channel == CodeChannel.SMS else codes.email_masked(destination)
    fingerprint = content_sha256(application_facts(dossier=dossier))
    code = codes.code_draw()
    now = timezone.now()
    record = ApplicationCode.objects.create(
        dossier=dossier,
        user=actor,
        channel=channel,
        destination_masked=masked,
        code_hash="",
        content_sha256=fingerprint,
        expires_at=now + timedelta(seconds=settings.APPLICATION_CODE_TTL_SECONDS),
    )
    record.code_hash = codes.code_hash(code=code, salt=str(record.pk))
    record.save(update_fields=["code_hash"])
    profile = UserProfile.objects.filter(user=actor).first()
    notification_schedule_event(
        channel=channel,
        recipient=destination,
        language=profile.preferred_language if profile else "fr",
        event_key="application.code",
        reference=f"application-code-{record.pk}",
        context={
            "code": code,
            "minutes": settings.APPLICATION_CODE_TTL_SECONDS // 60,
            "procedure": dossier.procedure.name_fr,
            "file": dossier.reference or dossier.title or f"#{dossier.pk}",
        },
        secret=True,
    )
    audit_record(
        action="application.code_sent",
        actor_id=actor.pk,
        dossier=dossier,
        address=address,
        payload={"code": record.pk, "channel": channel, "to": masked, "content_sha256": fingerprint},
    )
    return record


def _attempt(*, actor: Any, dossier: Dossier, code: str) -> tuple[ApplicationCode | None, str]:
    """Count one attempt on the applicant's latest code, in its own committed transaction; the code if right."""
    with transaction.atomic():
        record = (
            ApplicationCode.objects.select_for_update(of=("self",))
            .filter(dossier=dossier, user=actor, signature__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if record is None:
            return None, "no code was asked for this file: ask for one first"
        if record.used_at is not None or record.attempts >= settings.APPLICATION_CODE_MAX_ATTEMPTS:
            return None, "this code can no longer be used: ask for a new one"
        if timezone.now() >= record.expires_at:
            return None, "this code has expired: ask for a new one"
        record.attempts += 1
        right = codes.code_matches(code=code, salt=str(record.pk), expected_hash=record.code_hash)
        if right:
            record.used_at = timezone.now()
        record.save(update_fields=["attempts", "used_at"])
        if right:
            return record, ""
        left = settings.APPLICATION_CODE_MAX_ATTEMPTS - record.attempts
        return None, f"wrong code; {left} attempt(s) left" if left else "wrong code; ask for a new one"


def application_seal_account() -> Any:
    """The account whose signing credentials seal the applications (created inactive, no usable password)."""
    user, _created = get_user_model().objects.get_or_create(
        username=settings.APPLICATION_SEAL_SIGNER,
        defaults={"is_active": False, "first_name": "Urbaplan", "last_name": "seal", "password": make_password(None)},
    )
    return user


def application_sign(*, actor: Any, address: str | None, dossier: Dossier, code: str) -> ApplicationSignature:
    """Check the code (each try counted), then seal the form of the current content (see the module docstring)."""
    current = Dossier.objects.select_related("procedure").get(pk=dossier.pk)
    try:
        _check_applicant(actor, current, "application.sign")
    except PermissionDenied as error:
        from permits.refusals import refusal_record

        refusal_record(action="application.sign", actor=actor, address=address, dossier_id=current.pk, error=error)
        raise
    record, problem = _attempt(actor=actor, dossier=current, code=str(code or ""))
    if record is None:
        audit_record(
            action="application.code_refused",
            actor_id=actor.pk,
            dossier=current,
            address=address,
            payload={"reason": problem},
        )
        raise CodeRefused(problem)
    return _seal(actor=actor, address=address, dossier=current, record=record)


@transaction.atomic
def _seal(*, actor: Any, address: str | None, dossier: Dossier, record: ApplicationCode) -> ApplicationSignature:
    dossier = dossier_lock(dossier=dossier)
    _check_applicant(actor, dossier, "application.sign")
    facts = application_facts(dossier=dossier)
    fingerprint = content_sha256(facts)
    if fingerprint != record.content_sha256:
        raise IllegalTransition("the file changed since the code was sent: review the form and ask for a new code")
    signed_at = timezone.now()
    statement = SignatureStatement(
        signer_name=facts["applicant"]["name"],
        national_id_masked=facts["applicant"]["national_id_masked"],
        channel=record.channel,
        destination_masked=record.destination_masked,
        signed_at=signed_at,
    )
    pdf = application_pdf(facts=facts, content_sha256=fingerprint, statement=statement)
    previous = (
        DossierDocument.objects.filter(
            dossier=dossier, document_type=SIGNED_APPLICATION, stored_document__superseded_by__isnull=True
        )
        .select_related("stored_document")
        .first()
    )
    seal = application_seal_account()
    unsigned = document_store(
        stream=io.BytesIO(pdf),
        filename=f"application-{dossier.pk}.pdf",
        allowed_kinds=(DocumentKind.PDF,),
        supersedes=previous.stored_document if previous else None,
        user=actor,
    )
    sealed = pdf_sign(
        document=unsigned,
        signer=signer_for(user=seal),
        field_name=SIGNATURE_FIELD.format(
            name=facts["applicant"]["name"].replace(".", " ")[:80], channel=record.channel.upper(), code=record.pk
        ),
        reason=statement.english()[:250],
        location=f"{dossier.commune.name_fr} ({dossier.commune.code})",
        name=facts["applicant"]["name"],
        contact_info=f"one-time code by {record.channel} to {record.destination_masked}",
        lock=True,
        user=seal,
    )
    document = DossierDocument.objects.create(
        dossier=dossier,
        document_type=SIGNED_APPLICATION,
        round_number=dossier.current_round,
        stored_document=sealed,
        uploaded_by=actor,
    )
    signature = ApplicationSignature.objects.create(
        dossier=dossier, document=document, code=record, signer=actor, content_sha256=fingerprint, signed_at=signed_at
    )
    audit_record(
        action="application.signed",
        actor_id=actor.pk,
        dossier=dossier,
        address=address,
        payload={
            "document": document.pk,
            "stored_document": str(sealed.pk),
            "sha256": sealed.sha256,
            "content_sha256": fingerprint,
            "channel": record.channel,
            "to": record.destination_masked,
        },
    )
    return signature


def application_signature_latest(*, dossier: Dossier) -> ApplicationSignature | None:
    return (
        ApplicationSignature.objects.filter(dossier=dossier)
        .select_related("code")
        .order_by("-signed_at", "-pk")
        .first()
    )


def application_code_pending(*, dossier: Dossier, user: Any) -> ApplicationCode | None:
    """The user's latest code for the file while it can still be typed (unused, unexpired, tries left)."""
    return (
        ApplicationCode.objects.filter(
            dossier=dossier,
            user_id=user.pk,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            attempts__lt=settings.APPLICATION_CODE_MAX_ATTEMPTS,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def application_signature_current(*, dossier: Dossier) -> ApplicationSignature | None:
    """The latest signature when it is of the file's current content; None otherwise (never signed, or changed)."""
    latest = application_signature_latest(dossier=dossier)
    if latest is None or latest.content_sha256 != content_sha256(application_facts(dossier=dossier)):
        return None
    return latest


def application_signature_require(*, dossier: Dossier) -> ApplicationSignature:
    """At submission: `IllegalTransition` (409) unless the applicant signed the form of the current content."""
    signature = application_signature_current(dossier=dossier)
    if signature is None:
        signed_before = ApplicationSignature.objects.filter(dossier=dossier).exists()
        raise IllegalTransition(
            "the application form changed since it was signed: review it and sign it again"
            if signed_before
            else "the application form is not signed yet: review it and sign it with a one-time code",
            action=str(workflow.Action.SUBMIT),
            current_status=dossier.status,
            application_signed=False,
        )
    return signature
