"""Reads of the commissions' outputs (agendas, PVs, decisions, stamped plans) and their signatures: an output's
latest version, each session's agenda, the public verification pages, the signatures whose turn has come for a
signer and the files behind them, whether a file's signatures are all in, and the signatures the recovery job
enqueues again."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse

from gis_core.documents.models import StoredDocument
from gis_core.problems import NotFound
from gis_core.signing.models import VerificationToken
from permits.commissions.models import (
    OutputDocument,
    OutputKind,
    Session,
    SignatureRequest,
    SignatureStatus,
)
from permits.models import Dossier, DossierStatus


def output_latest_version(*, output: OutputDocument) -> StoredDocument:
    return StoredDocument.objects.filter(lineage=output.lineage).order_by("-version")[0]


def agenda_outputs_for(*, sessions: Iterable[Session]) -> dict[int, OutputDocument]:
    """The agenda output of each session that has one (by session id)."""
    outputs = OutputDocument.objects.filter(session__in=[session.pk for session in sessions], kind=OutputKind.AGENDA)
    latest: dict[int, OutputDocument] = {}
    for output in outputs.order_by("session_id", "-created_at"):
        if output.session_id is not None:
            latest.setdefault(output.session_id, output)
    return latest


def agenda_document(*, session: Session) -> tuple[OutputDocument, StoredDocument] | None:
    """The session's agenda output and its latest version, if generated."""
    output = agenda_outputs_for(sessions=[session]).get(session.pk)
    if output is None:
        return None
    return output, output_latest_version(output=output)


def agenda_documents_for(*, sessions: Iterable[Session]) -> dict[int, StoredDocument]:
    """The latest version of each session's agenda PDF (by session id), for the sessions that have one."""
    outputs = agenda_outputs_for(sessions=sessions)
    lineages = [output.lineage for output in outputs.values()]
    documents = StoredDocument.objects.filter(lineage__in=lineages).order_by("lineage", "-version")
    latest = {document.lineage: document for document in documents.distinct("lineage")}
    return {session_id: latest[output.lineage] for session_id, output in outputs.items()}


def verification_paths(*, outputs: Iterable[OutputDocument]) -> dict[int, str | None]:
    """The public verification page of each output (its lineage's token), None for one not stamped (by id)."""
    outputs = list(outputs)
    lineages = {output.lineage for output in outputs}
    tokens = dict(VerificationToken.objects.filter(lineage__in=lineages).values_list("lineage", "token"))
    return {
        output.pk: reverse("signing:verify", kwargs={"token": tokens[output.lineage]})
        if output.lineage in tokens
        else None
        for output in outputs
    }


def signature_requests_pending_for(*, user: Any) -> list[SignatureRequest]:
    """Signatures the user must give now (their turn has come: every earlier signer has signed)."""
    pending = SignatureRequest.objects.filter(signer_id=user.pk, status=SignatureStatus.PENDING).select_related(
        "output__dossier"
    )
    earlier_pending = SignatureRequest.objects.filter(
        output=OuterRef("output"), position__lt=OuterRef("position"), status=SignatureStatus.PENDING
    )
    return list(pending.annotate(blocked=Exists(earlier_pending)).filter(blocked=False).order_by("pk"))


def has_signature_requests(*, user: Any) -> bool:
    """Whether the user was ever asked to sign something (the navigation shows the signatures page)."""
    return SignatureRequest.objects.filter(signer_id=user.pk).exists()


def signature_requests_signed_by(*, user: Any, limit: int = 20) -> list[SignatureRequest]:
    """The user's latest signatures, newest first."""
    signed = SignatureRequest.objects.filter(signer_id=user.pk, status=SignatureStatus.SIGNED)
    return list(signed.select_related("output__dossier").order_by("-signed_at")[:limit])


def signature_request_for(*, user: Any, request_id: int) -> SignatureRequest:
    """One of the user's own signature requests; `NotFound` for anyone else's."""
    request = (
        SignatureRequest.objects.select_related("output__dossier")
        .filter(pk=request_id, signer_id=getattr(user, "pk", None))
        .first()
    )
    if request is None:
        raise NotFound(f"There is no signature {request_id} for you.")
    return request


@dataclass(frozen=True)
class SignedOutput:
    output: OutputDocument
    verify: str | None  # its public verification page, once stamped
    requests: list[SignatureRequest]  # every signature it needs, in order, with the signer


@dataclass(frozen=True)
class SignatureFile:
    dossier: Dossier
    outputs: list[SignedOutput]


def signature_files_for(*, requests: Iterable[SignatureRequest]) -> list[SignatureFile]:
    """The files of these signature requests (read with `output__dossier`), in their order, each with every output
    of the file, its verification page and its signatures."""
    dossiers: dict[int, Dossier] = {}
    for request in requests:
        if request.output.dossier is not None:
            dossiers.setdefault(request.output.dossier.pk, request.output.dossier)
    in_order = SignatureRequest.objects.select_related("signer").order_by("position")
    outputs = list(
        OutputDocument.objects.filter(dossier_id__in=list(dossiers))
        .prefetch_related(Prefetch("signature_requests", queryset=in_order))
        .order_by("created_at", "id")
    )
    paths = verification_paths(outputs=outputs)
    by_dossier: dict[int, list[SignedOutput]] = defaultdict(list)
    for output in outputs:
        assert output.dossier_id is not None  # the files' outputs
        signed = SignedOutput(output, paths[output.pk], list(output.signature_requests.all()))
        by_dossier[output.dossier_id].append(signed)
    return [SignatureFile(dossier, by_dossier[dossier_id]) for dossier_id, dossier in dossiers.items()]


def dossier_signatures_complete(*, dossier: Dossier) -> bool:
    """True when every output of the file (its decision's documents) is signed by all its signers."""
    requests = SignatureRequest.objects.filter(output__dossier=dossier)
    return requests.exists() and not requests.filter(~Q(status=SignatureStatus.SIGNED)).exists()


def signature_requests_to_resume(*, stale_before: datetime) -> list[int]:
    """Signature requests whose task may have been lost (a broker outage, a purged queue): each pending request its
    signer asked for before `stale_before`, and, for each file still decided whose signatures are all in (its
    completion did not run), its last signed request (running it again signs and publishes the file)."""
    asked = SignatureRequest.objects.filter(status=SignatureStatus.PENDING, requested_at__lt=stale_before)
    pending_ids = list(asked.order_by("pk").values_list("pk", flat=True))
    unsigned = SignatureRequest.objects.filter(output__dossier=OuterRef("output__dossier")).exclude(
        status=SignatureStatus.SIGNED
    )
    left_decided = (
        SignatureRequest.objects.filter(
            status=SignatureStatus.SIGNED,
            signed_at__lt=stale_before,
            output__dossier__status=DossierStatus.DECIDED,
        )
        .annotate(waiting=Exists(unsigned))
        .filter(waiting=False)
        .order_by("output__dossier_id", "-signed_at", "-pk")
        .distinct("output__dossier_id")
        .values_list("pk", flat=True)
    )
    return pending_ids + list(left_decided)
