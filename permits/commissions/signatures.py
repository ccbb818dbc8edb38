"""Writes: the output documents of a decided file and their electronic signatures, through `gis_core.signing`.

`outputs_prepare` (called by `examination_decide`) generates and stores the PV and the decision, copies the
file's latest architectural plans into outputs of their own when the decision authorises, stamps each with
its verification QR code (`document_stamp`, a new version) and lays out the signatures:
- the PV: each member present, in order (agency code, then member id), each an incremental PAdES signature;
- the decision: the commission's signing authority (else a signing authority of the file's commune);
- each stamped plan: the commission president (else the president who decided).
`service_outputs_prepare` (called by `service_decide`, for a procedure decided without a commission) generates the
service's decision alone, signed by a signing authority of the file's commune.

Separation of duties: whoever instructed the file (`permits.access.instructor_ids`) never signs its decision
alone; such a sequence is refused when it is laid out, and their signing turn is refused should it exist anyway.
Each signer signs only the requests addressed to them. Refusals are audited (`permits.refusals`).

A signer asks to sign with `signature_request_sign` (their turn must have come); the signature itself runs in
Celery (`tasks.signature_request_run_task` -> `signature_request_run`): a new signed version, an audit event
with the certificate and the hash. Once the file's last signature is recorded, `dossier_complete_signing` (its
own transaction) runs `dossier_sign` then `dossier_publish`, whose guards verify every signed version
(by the commission's secretary, else the desk agent who sent the file to the commission or checked it).
"""

import io
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gis_core.documents.models import StoredDocument
from gis_core.documents.services import document_store, documents_storage
from gis_core.documents.validation import DocumentKind
from gis_core.events import event_publish
from gis_core.signing.models import SignatureRecord, VerificationPurpose
from gis_core.signing.services import document_stamp, pdf_sign_for_user
from permits import services
from permits.access import commune_ancestry, instructor_ids
from permits.audit import audit_record
from permits.commissions import pdf, selectors
from permits.commissions.errors import InvalidCommissionInput, PermissionDenied
from permits.commissions.lifecycles import SIGNATURE, SignatureAction
from permits.commissions.models import (
    Attendance,
    Commission,
    Examination,
    OutputDocument,
    OutputKind,
    SignatureRequest,
    SignatureStatus,
)
from permits.commissions.notify import signers_notify_turn
from permits.commissions.published import published_outputs_for
from permits.events import FilePublished, SignatureGiven, SignatureRequested
from permits.models import (
    AUTHORISING_DECISIONS,
    AuditEvent,
    Dossier,
    DossierDocument,
    DossierStatus,
    Role,
    RoleMembership,
)
from permits.refusals import refusals_audited
from permits.services.common import dossier_lock

PLAN_DOCUMENT_TYPES = ("architectural-plans", "revised-plan")
PURPOSES: dict[str, str] = {
    OutputKind.MINUTES: VerificationPurpose.MINUTES,
    OutputKind.DECISION: VerificationPurpose.DECISION,
    OutputKind.PLAN: VerificationPurpose.PLAN,
}
SOLE_SIGNER = "whoever instructed the file cannot sign its decision alone: another signing authority must sign it"


def _store_output(
    *,
    kind: str,
    dossier: Dossier,
    examination: Examination | None,
    data: bytes,
    filename: str,
    actor: Any,
    source_lineage: Any = None,
) -> OutputDocument:
    """Store version 1, stamp it (version 2, QR code on every page) and record the output."""
    first = document_store(stream=io.BytesIO(data), filename=filename, allowed_kinds=(DocumentKind.PDF,), user=actor)
    document_stamp(  # version 2: the stamp and QR code of the verification page on every page
        document=first, reference=dossier.reference or f"#{dossier.pk}", purpose=PURPOSES[kind], user=actor
    )
    return OutputDocument.objects.create(
        kind=kind,
        session=examination.session if examination else None,
        examination=examination,
        dossier=dossier,
        document=first,
        lineage=first.lineage,
        source_lineage=source_lineage,
    )


def _latest_plans(dossier: Dossier) -> list[StoredDocument]:
    """The latest version of each PDF plan of the file."""
    rows = DossierDocument.objects.filter(dossier=dossier, document_type__in=PLAN_DOCUMENT_TYPES).select_related(
        "stored_document"
    )
    lineages = {row.stored_document.lineage for row in rows}
    latest = []
    for lineage in sorted(lineages, key=str):
        version = StoredDocument.objects.filter(lineage=lineage).order_by("-version")[0]
        if version.kind == DocumentKind.PDF:
            latest.append(version)
    return latest


def _signing_authority(*, commission: Commission | None, dossier: Dossier) -> Any:
    if commission is not None and commission.signing_authority_id is not None:
        return commission.signing_authority
    membership = (
        RoleMembership.objects.filter(role=Role.SIGNING_AUTHORITY, active=True)
        .filter(Q(territory__isnull=True) | Q(territory_id__in=commune_ancestry(dossier)))
        .select_related("user")
        .order_by("territory_id", "pk")
        .first()
    )
    if membership is None:
        raise InvalidCommissionInput("no signing authority for this commission or commune")
    return membership.user


def _decision_signers_check(*, dossier: Dossier, signers: list[Any]) -> None:
    """Refuse a decision whose signers all instructed the file (separation of duties)."""
    instructors = instructor_ids(dossier)
    if signers and all(signer.pk in instructors for signer in signers):
        raise PermissionDenied(SOLE_SIGNER, rule="separation_of_duties", signers=sorted(s.pk for s in signers))


def _request(*, output: OutputDocument, signer: Any, position: int, field_name: str, role_label: str) -> None:
    SignatureRequest.objects.create(
        output=output, signer=signer, position=position, field_name=field_name, role_label=role_label
    )


def _outputs_generated(*, dossier: Dossier, outputs: list[OutputDocument], actor: Any, address: str | None) -> None:
    audit_record(
        action="commission.outputs_generated",
        actor_id=actor.pk,
        dossier=dossier,
        address=address,
        payload={
            "examination": outputs[0].examination_id if outputs else None,
            "outputs": [
                {"kind": output.kind, "lineage": str(output.lineage), "sha256": output.document.sha256}
                for output in outputs
            ],
        },
    )
    signers_notify_turn(output_ids=[output.pk for output in outputs])


def outputs_prepare(*, examination: Examination, actor: Any, address: str | None) -> list[OutputDocument]:
    """Generate, store and stamp the PV, the decision and (authorised files) the plans; request the signatures."""
    dossier = examination.dossier
    commission = examination.session.commission
    decision_signer = _signing_authority(commission=commission, dossier=dossier)
    _decision_signers_check(dossier=dossier, signers=[decision_signer])
    slug = _slug(dossier)
    minutes = _store_output(
        kind=OutputKind.MINUTES,
        dossier=dossier,
        examination=examination,
        data=pdf.minutes_pdf(examination=examination),
        filename=f"pv-{slug}.pdf",
        actor=actor,
    )
    present = (
        Attendance.objects.filter(session=examination.session, present=True)
        .select_related("member__user", "member__agency")
        .order_by("member__agency__code", "member_id")
    )
    for position, attendance in enumerate(present, start=1):
        _request(
            output=minutes,
            signer=attendance.member.user,
            position=position,
            field_name=f"pv-member-{position}",
            role_label=attendance.member.agency.code,
        )
    decision = _decision_output(
        dossier=dossier,
        examination=examination,
        data=pdf.decision_pdf(examination=examination),
        signer=decision_signer,
        actor=actor,
    )
    outputs = [minutes, decision]
    if dossier.decision in AUTHORISING_DECISIONS:
        president = commission.president or actor
        for number, plan in enumerate(_latest_plans(dossier), start=1):
            with documents_storage().open(plan.storage_key, "rb") as handle:
                data = handle.read()
            output = _store_output(
                kind=OutputKind.PLAN,
                dossier=dossier,
                examination=examination,
                data=data,
                filename=f"plan-autorise-{slug}-{number}.pdf",
                actor=actor,
                source_lineage=plan.lineage,
            )
            _request(output=output, signer=president, position=1, field_name="plan-president", role_label="president")
            outputs.append(output)
    _outputs_generated(dossier=dossier, outputs=outputs, actor=actor, address=address)
    return outputs


def _slug(dossier: Dossier) -> str:
    return (dossier.reference or str(dossier.pk)).replace("/", "-")


def _decision_output(
    *, dossier: Dossier, examination: Examination | None, data: bytes, signer: Any, actor: Any
) -> OutputDocument:
    """The decision stored and stamped, its signature asked of the signing authority."""
    decision = _store_output(
        kind=OutputKind.DECISION,
        dossier=dossier,
        examination=examination,
        data=data,
        filename=f"decision-{_slug(dossier)}.pdf",
        actor=actor,
    )
    _request(
        output=decision, signer=signer, position=1, field_name="decision-authority", role_label="signing_authority"
    )
    return decision


def service_outputs_prepare(*, dossier: Dossier, actor: Any, address: str | None) -> list[OutputDocument]:
    """The decision of a service (no commission): generated, stamped, to be signed by a signing authority of the
    file's commune."""
    signer = _signing_authority(commission=None, dossier=dossier)
    _decision_signers_check(dossier=dossier, signers=[signer])
    decision = _decision_output(
        dossier=dossier, examination=None, data=pdf.service_decision_pdf(dossier=dossier), signer=signer, actor=actor
    )
    _outputs_generated(dossier=dossier, outputs=[decision], actor=actor, address=address)
    return [decision]


def platform_seal_user() -> Any:
    """The platform's own seal account (`SIGNING_PLATFORM_SEAL_USERNAME`): no password, no role, never signs in."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=settings.SIGNING_PLATFORM_SEAL_USERNAME, defaults={"first_name": "Plateforme", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def tacit_outputs_prepare(
    *, dossier: Dossier, filed_on: Any, deadline: Any, legal_sources: dict[str, str]
) -> list[OutputDocument]:
    """The attestation of a tacit authorisation: generated, stored, stamped, its seal asked of the platform (the
    PAdES signature runs in Celery after commit, on `commission.signature_requested`)."""
    seal = platform_seal_user()
    attestation = _store_output(
        kind=OutputKind.DECISION,
        dossier=dossier,
        examination=None,
        data=pdf.tacit_attestation_pdf(
            dossier=dossier, filed_on=filed_on, deadline=deadline, legal_sources=legal_sources
        ),
        filename=f"attestation-autorisation-tacite-{_slug(dossier)}.pdf",
        actor=None,
    )
    _request(output=attestation, signer=seal, position=1, field_name="platform-seal", role_label="platform")
    request = SignatureRequest.objects.get(output=attestation)
    request.requested_at = timezone.now()
    request.save(update_fields=["requested_at"])
    payload = {"outputs": [{"kind": attestation.kind, "lineage": str(attestation.lineage),
                            "sha256": attestation.document.sha256}], "tacit": True}  # fmt: skip
    audit_record(action="commission.outputs_generated", actor_id=None, dossier=dossier, address=None, payload=payload)
    audit_record(
        action="commission.signature_requested",
        actor_id=None,
        dossier=dossier,
        address=None,
        payload={"request": request.pk, "field": request.field_name, "kind": attestation.kind},
    )
    event_publish(
        event=SignatureRequested(
            dossier_id=dossier.pk,
            actor_id=seal.pk,
            request_id=request.pk,
            output_id=attestation.pk,
            kind=attestation.kind,
            field_name=request.field_name,
        )
    )
    return [attestation]


def _request_dossier(arguments: Any) -> int | None:
    request = arguments.get("request")
    found = SignatureRequest.objects.filter(pk=getattr(request, "pk", request)).values_list("output__dossier_id")
    row = found.first()
    return row[0] if row else None


@refusals_audited("commission.sign", dossier_of=_request_dossier)
@transaction.atomic
def signature_request_sign(*, actor: Any, address: str | None, request: SignatureRequest) -> SignatureRequest:
    """The signer signs (their turn must have come): the PAdES signature runs in Celery after commit
    (`permits.commissions.subscribers`, on `commission.signature_requested`); asking again re-enqueues it."""
    request = (
        SignatureRequest.objects.select_for_update(of=("self",)).select_related("output__dossier").get(pk=request.pk)
    )
    if request.signer_id != actor.pk:
        raise PermissionDenied("this signature is someone else's", action="sign", request=request.pk)
    SIGNATURE.check(record=request, action=SignatureAction.SIGN)
    dossier = request.output.dossier
    if request.output.kind == OutputKind.DECISION and dossier is not None:
        others = SignatureRequest.objects.filter(output_id=request.output_id).values_list("signer_id", flat=True)
        instructors = instructor_ids(dossier)
        if actor.pk in instructors and set(others) <= instructors:
            raise PermissionDenied(SOLE_SIGNER, rule="separation_of_duties", request=request.pk)
    request.requested_at = timezone.now()
    request.save(update_fields=["requested_at"])
    audit_record(
        action="commission.signature_requested",
        actor_id=actor.pk,
        dossier=dossier,
        address=address,
        payload={"request": request.pk, "field": request.field_name, "kind": request.output.kind},
    )
    event_publish(
        event=SignatureRequested(
            dossier_id=dossier.pk if dossier else None,
            actor_id=actor.pk,
            request_id=request.pk,
            output_id=request.output_id,
            kind=request.output.kind,
            field_name=request.field_name,
        )
    )
    return request


def signature_request_run(*, request_id: int) -> SignatureRequest:
    """Apply the signature (idempotent: a signed request, or a field already signed, is not signed again); once
    the file's last signature is in, complete the file (sign, publish) in a transaction of its own."""
    request = SignatureRequest.objects.select_related("output__dossier__commune").get(pk=request_id)
    if request.status != SignatureStatus.SIGNED:
        SIGNATURE.check(record=request, action=SignatureAction.SIGN)
        output = request.output
        signed_file = output.dossier
        assert signed_file is not None  # the outputs signed are a file's
        record = pdf_sign_for_user(
            document_id=output.document_id,
            user_id=request.signer_id,
            field_name=request.field_name,
            reason=f"{output.get_kind_display()} {signed_file.reference}",
            location=signed_file.commune.name_fr,
        )
        request = _signature_record(request_id=request_id, record=record)
    dossier = request.output.dossier
    if dossier is not None and selectors.dossier_signatures_complete(dossier=dossier):
        dossier_complete_signing(dossier=dossier)
    return request


@transaction.atomic
def _signature_record(*, request_id: int, record: SignatureRecord) -> SignatureRequest:
    request = (
        SignatureRequest.objects.select_for_update(of=("self",)).select_related("output__dossier").get(pk=request_id)
    )
    if request.status == SignatureStatus.SIGNED:
        return request
    SIGNATURE.apply(
        record=request,
        action=SignatureAction.SIGN,
        changes={"signed_document_id": record.document_id, "signed_at": record.signed_at},
    )
    dossier = request.output.dossier
    assert dossier is not None
    audit_record(
        action="commission.document_signed",
        actor_id=request.signer_id,
        dossier=dossier,
        payload={
            "kind": request.output.kind,
            "field": request.field_name,
            "document": str(record.document_id),
            "revision_sha256": record.revision_sha256,
            "certificate_subject": record.certificate_subject,
            "certificate_issuer": record.certificate_issuer,
            "certificate_serial": record.certificate_serial,
            "certificate_sha256": record.certificate_sha256,
            "signed_at": record.signed_at,
        },
    )
    event_publish(
        event=SignatureGiven(
            dossier_id=dossier.pk,
            actor_id=request.signer_id,
            request_id=request.pk,
            output_id=request.output_id,
            kind=request.output.kind,
            field_name=request.field_name,
            signed_document_id=record.document_id,
        )
    )
    signers_notify_turn(output_ids=[request.output_id])
    return request


def _publisher(*, dossier: Dossier, commission: Commission | None) -> Any:
    """The commission's secretary, else the desk agent who sent the file to the commission or checked it."""
    if commission is not None and commission.secretary_id is not None:
        return commission.secretary
    for action in ("dossier.send_to_commission", "dossier.accept_complete"):
        event = AuditEvent.objects.filter(dossier=dossier, action=action).order_by("-sequence").select_related("actor")
        sender = event.first()
        if sender is not None and sender.actor is not None:
            return sender.actor
    raise InvalidCommissionInput("no secretary to publish the decision")


@transaction.atomic
def dossier_complete_signing(*, dossier: Dossier) -> Dossier:
    """Every signature of the file's outputs is in: the file moves to signed (by the decision's signer), then
    published; the workflow verifies every signed version first. Idempotent: a file no longer decided is left."""
    dossier = dossier_lock(dossier=dossier.pk)
    if dossier.status != DossierStatus.DECIDED:
        return dossier
    outputs = list(OutputDocument.objects.filter(dossier=dossier).select_related("examination__session__commission"))
    decision_request = (
        SignatureRequest.objects.filter(output__in=outputs, output__kind=OutputKind.DECISION)
        .select_related("signer", "signed_document", "output")
        .order_by("-position")
        .first()
    )
    if decision_request is None:
        raise InvalidCommissionInput("the file has no decision to sign")
    signed = SignatureRequest.objects.filter(output__in=outputs).select_related("output", "signed_document")
    signed_documents = [
        {
            "kind": request.output.kind,
            "field": request.field_name,
            "document": str(request.signed_document_id),
            "sha256": request.signed_document.sha256 if request.signed_document else "",
        }
        for request in signed.order_by("output_id", "position")
    ]
    if dossier.decided_tacitly:  # the platform's seal on the attestation of tacit authorisation
        dossier = services.dossier_seal_tacit_decision(dossier=dossier, signed_documents=signed_documents)
    else:
        dossier = services.dossier_sign(
            actor=decision_request.signer, address=None, dossier=dossier, signed_documents=signed_documents
        )
    examination = decision_request.output.examination
    commission = examination.session.commission if examination else None
    publisher = _publisher(dossier=dossier, commission=commission)
    dossier = services.dossier_publish(actor=publisher, address=None, dossier=dossier)
    released = tuple(output.output_id for output in published_outputs_for(dossier=dossier))
    event_publish(
        event=FilePublished(
            dossier_id=dossier.pk,
            actor_id=publisher.pk,
            examination_id=examination.pk if examination else None,
            output_ids=released,
        )
    )
    return dossier
