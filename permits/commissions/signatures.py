"""Writes: the output documents of a decided file and their electronic signatures, through `gis_core.signing`.

`outputs_prepare` (called by `examination_decide`) generates and stores the PV and the decision, copies the
file's latest architectural plans into outputs of their own when the decision authorises, stamps each with
its verification QR code (`document_stamp`, a new version) and lays out the signatures:
- the PV: each member present, in order (agency code, then member id), each an incremental PAdES signature;
- the decision: the commission's signing authority (else a signing authority of the file's commune);
- each stamped plan: the commission president (else the president who decided).

A signer asks to sign with `signature_request_sign` (their turn must have come); the signature itself runs in
Celery (`tasks.signature_request_run_task` -> `signature_request_run`): a new signed version, an audit event
with the certificate and the hash, and, when the file's last signature is in, `dossier_sign` then
`dossier_publish` (by the commission's secretary, else the desk agent who sent the file to the commission).
"""

import io
from typing import Any

from django.db import transaction
from django.db.models import Q

from gis_core.documents.models import StoredDocument
from gis_core.documents.services import document_store, documents_storage
from gis_core.documents.validation import DocumentKind
from gis_core.events import event_publish
from gis_core.signing.models import SignatureRecord, VerificationPurpose
from gis_core.signing.services import document_stamp, pdf_sign_for_user
from permits import services
from permits.access import commune_ancestry
from permits.audit import audit_record
from permits.commissions import pdf, selectors
from permits.commissions.errors import InvalidCommissionInput, PermissionDenied
from permits.commissions.lifecycles import SIGNATURE, SignatureAction
from permits.commissions.models import (
    Attendance,
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

PLAN_DOCUMENT_TYPES = ("architectural-plans", "revised-plan")
PURPOSES: dict[str, str] = {
    OutputKind.MINUTES: VerificationPurpose.MINUTES,
    OutputKind.DECISION: VerificationPurpose.DECISION,
    OutputKind.PLAN: VerificationPurpose.PLAN,
}


def _store_output(
    *, kind: str, examination: Examination, data: bytes, filename: str, actor: Any, source_lineage: Any = None
) -> OutputDocument:
    """Store version 1, stamp it (version 2, QR code on every page) and record the output."""
    dossier = examination.dossier
    first = document_store(stream=io.BytesIO(data), filename=filename, allowed_kinds=(DocumentKind.PDF,), user=actor)
    document_stamp(  # version 2: the stamp and QR code of the verification page on every page
        document=first, reference=dossier.reference or f"#{dossier.pk}", purpose=PURPOSES[kind], user=actor
    )
    return OutputDocument.objects.create(
        kind=kind,
        session=examination.session,
        examination=examination,
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


def _signing_authority(examination: Examination) -> Any:
    commission = examination.session.commission
    if commission.signing_authority_id is not None:
        return commission.signing_authority
    membership = (
        RoleMembership.objects.filter(role=Role.SIGNING_AUTHORITY, active=True)
        .filter(Q(territory__isnull=True) | Q(territory_id__in=commune_ancestry(examination.dossier)))
        .select_related("user")
        .order_by("territory_id", "pk")
        .first()
    )
    if membership is None:
        raise InvalidCommissionInput("no signing authority for this commission or commune")
    return membership.user


def _request(*, output: OutputDocument, signer: Any, position: int, field_name: str, role_label: str) -> None:
    SignatureRequest.objects.create(
        output=output, signer=signer, position=position, field_name=field_name, role_label=role_label
    )


def outputs_prepare(*, examination: Examination, actor: Any, address: str | None) -> list[OutputDocument]:
    """Generate, store and stamp the PV, the decision and (authorised files) the plans; request the signatures."""
    dossier = examination.dossier
    commission = examination.session.commission
    slug = (dossier.reference or str(dossier.pk)).replace("/", "-")
    minutes = _store_output(
        kind=OutputKind.MINUTES,
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
    decision = _store_output(
        kind=OutputKind.DECISION,
        examination=examination,
        data=pdf.decision_pdf(examination=examination),
        filename=f"decision-{slug}.pdf",
        actor=actor,
    )
    _request(
        output=decision,
        signer=_signing_authority(examination),
        position=1,
        field_name="decision-authority",
        role_label="signing_authority",
    )
    outputs = [minutes, decision]
    if dossier.decision in AUTHORISING_DECISIONS:
        president = commission.president or actor
        for number, plan in enumerate(_latest_plans(dossier), start=1):
            with documents_storage().open(plan.storage_key, "rb") as handle:
                data = handle.read()
            output = _store_output(
                kind=OutputKind.PLAN,
                examination=examination,
                data=data,
                filename=f"plan-autorise-{slug}-{number}.pdf",
                actor=actor,
                source_lineage=plan.lineage,
            )
            _request(output=output, signer=president, position=1, field_name="plan-president", role_label="president")
            outputs.append(output)
    audit_record(
        action="commission.outputs_generated",
        actor_id=actor.pk,
        dossier=dossier,
        address=address,
        payload={
            "examination": examination.pk,
            "outputs": [
                {"kind": output.kind, "lineage": str(output.lineage), "sha256": output.document.sha256}
                for output in outputs
            ],
        },
    )
    signers_notify_turn(output_ids=[output.pk for output in outputs])
    return outputs


@transaction.atomic
def signature_request_sign(*, actor: Any, address: str | None, request: SignatureRequest) -> SignatureRequest:
    """The signer signs (their turn must have come): the PAdES signature runs in Celery after commit
    (`permits.commissions.subscribers`, on `commission.signature_requested`)."""
    request = (
        SignatureRequest.objects.select_for_update(of=("self",))
        .select_related("output__examination")
        .get(pk=request.pk)
    )
    if request.signer_id != actor.pk:
        raise PermissionDenied("this signature is someone else's", action="sign")
    SIGNATURE.check(record=request, action=SignatureAction.SIGN)
    audit_record(
        action="commission.signature_requested",
        actor_id=actor.pk,
        dossier=request.output.examination.dossier if request.output.examination else None,
        address=address,
        payload={"request": request.pk, "field": request.field_name, "kind": request.output.kind},
    )
    examination = request.output.examination
    event_publish(
        event=SignatureRequested(
            dossier_id=examination.dossier_id if examination else None,
            actor_id=actor.pk,
            request_id=request.pk,
            output_id=request.output_id,
            kind=request.output.kind,
            field_name=request.field_name,
        )
    )
    return request


def signature_request_run(*, request_id: int) -> SignatureRequest:
    """Apply the signature (idempotent: a signed request, or a field already signed, is not signed again)."""
    request = SignatureRequest.objects.select_related("output__examination__dossier__commune").get(pk=request_id)
    if request.status == SignatureStatus.SIGNED:
        return request
    SIGNATURE.check(record=request, action=SignatureAction.SIGN)
    output = request.output
    examination = output.examination
    assert examination is not None
    dossier = examination.dossier
    record = pdf_sign_for_user(
        document_id=output.document_id,
        user_id=request.signer_id,
        field_name=request.field_name,
        reason=f"{output.get_kind_display()} {dossier.reference}",
        location=dossier.commune.name_fr,
    )
    return _signature_record(request_id=request_id, record=record)


@transaction.atomic
def _signature_record(*, request_id: int, record: SignatureRecord) -> SignatureRequest:
    request = (
        SignatureRequest.objects.select_for_update(of=("self",))
        .select_related("output__examination__dossier")
        .get(pk=request_id)
    )
    if request.status == SignatureStatus.SIGNED:
        return request
    SIGNATURE.apply(
        record=request,
        action=SignatureAction.SIGN,
        changes={"signed_document_id": record.document_id, "signed_at": record.signed_at},
    )
    examination = request.output.examination
    assert examination is not None
    dossier = examination.dossier
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
    if selectors.dossier_signatures_complete(dossier=dossier):
        dossier_complete_signing(dossier=dossier, examination=examination)
    return request


def _publisher(*, dossier: Dossier, examination: Examination) -> Any:
    commission = examination.session.commission
    if commission.secretary_id is not None:
        return commission.secretary
    event = AuditEvent.objects.filter(dossier=dossier, action="dossier.send_to_commission").order_by("-sequence")
    sender = event.select_related("actor").first()
    if sender is None or sender.actor is None:
        raise InvalidCommissionInput("no secretary to publish the decision")
    return sender.actor


def dossier_complete_signing(*, dossier: Dossier, examination: Examination) -> Dossier:
    """Every output is signed: the file moves to signed (by the decision's signer), then published."""
    dossier.refresh_from_db()
    if dossier.status != DossierStatus.DECIDED:
        return dossier
    decision_request = SignatureRequest.objects.filter(
        output__examination=examination, output__kind=OutputKind.DECISION
    ).select_related("signer", "signed_document")[0]
    signed_document = decision_request.signed_document
    dossier = services.dossier_sign(
        actor=decision_request.signer,
        address=None,
        dossier=dossier,
        signature_reference=f"{signed_document.pk}:{signed_document.sha256}" if signed_document else "",
    )
    publisher = _publisher(dossier=dossier, examination=examination)
    dossier = services.dossier_publish(actor=publisher, address=None, dossier=dossier)
    released = tuple(output.output_id for output in published_outputs_for(dossier=dossier))
    event_publish(
        event=FilePublished(
            dossier_id=dossier.pk, actor_id=publisher.pk, examination_id=examination.pk, output_ids=released
        )
    )
    return dossier
