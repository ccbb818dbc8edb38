"""Remarks (requests for changes or information) and the applicant's replies, tracked to closure.

Reviewers issue remarks while the file is under instruction; the desk sends them to the applicant; once the
applicant has replied to every open remark (with revised plans attached), the file goes back to instruction
as a new round, re-dispatched, and the reviewers close the answered remarks.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from permits import access, workflow
from permits.errors import IllegalTransition, InvalidDossier, NotFound, PermissionDenied
from permits.lifecycles import REMARK, RemarkAction
from permits.models import Consultation, Dossier, Remark, RemarkReply, RemarkStatus, Role
from permits.services.common import audit_and_publish, dossier_lock, transition_run
from permits.services.documents import revised_plans_check
from permits.services.instruction import round_open


def _consulted_agency_of(actor: Any, dossier: Dossier) -> int | None:
    """The agency a commission member speaks for on this file (consulted in its current round), if any."""
    consulted = set(
        Consultation.objects.filter(dossier=dossier, round__number=dossier.current_round).values_list(
            "agency_id", flat=True
        )
    )
    for agency_id in access.member_agencies(actor, dossier):
        if agency_id in consulted:
            return agency_id
    return None


@transaction.atomic
def remark_issue(
    *,
    actor: Any,
    address: str | None,
    dossier: Dossier,
    text: str,
    document_reference: str = "",
    location: dict[str, Any] | None = None,
) -> Remark:
    """A reviewer (desk agent, president, or a member of a consulted agency) records a remark in this round."""
    if not text.strip():
        raise InvalidDossier("a remark needs a text")
    dossier = dossier_lock(dossier=dossier)
    workflow.transition_check(dossier=dossier, action=workflow.Action.ISSUE_REMARK, actor=actor)
    agency_id = None
    if not (
        access.holds_role(actor, dossier, Role.DESK_AGENT)
        or access.holds_role(actor, dossier, Role.COMMISSION_PRESIDENT)
    ):
        agency_id = _consulted_agency_of(actor, dossier)
        if agency_id is None:
            raise PermissionDenied("only a member of an agency consulted in this round may issue remarks")
    remark = Remark.objects.create(
        dossier=dossier,
        round=dossier.rounds.get(number=dossier.current_round),
        author=actor,
        agency_id=agency_id,
        text=text,
        document_reference=document_reference,
        location=location or {},
    )
    transition_run(
        dossier=dossier,
        action=workflow.Action.ISSUE_REMARK,
        actor=actor,
        address=address,
        payload={"remark": remark.pk, "round": dossier.current_round},
    )
    return remark


@transaction.atomic
def remarks_send_to_applicant(*, actor: Any, address: str | None, dossier: Dossier) -> Dossier:
    """The desk sends the round's open remarks to the applicant, who must now reply."""
    dossier = dossier_lock(dossier=dossier)
    open_remarks = list(Remark.objects.filter(dossier=dossier, status=RemarkStatus.OPEN).values_list("pk", flat=True))
    return transition_run(
        dossier=dossier,
        action=workflow.Action.SEND_REMARKS,
        actor=actor,
        address=address,
        payload={"remarks": open_remarks},
    )


@transaction.atomic
def remark_reply(
    *,
    actor: Any,
    address: str | None,
    remark: Remark | int,
    text: str,
    attachments: list[Any] | None = None,
) -> RemarkReply:
    """The applicant answers one remark (revised plans as `attachments`: ids of `DossierDocument`s uploaded to the
    file in this round). The reply to the last open remark sends the file back to instruction as a new,
    re-dispatched round."""
    remark_id = remark if isinstance(remark, int) else remark.pk
    dossier_id = Remark.objects.filter(pk=remark_id).values_list("dossier_id", flat=True).first()
    if dossier_id is None:
        raise NotFound(f"There is no remark {remark_id}.")
    dossier = dossier_lock(dossier=dossier_id)
    remark = Remark.objects.select_for_update().get(pk=remark_id)
    if not access.is_owner(actor, dossier):
        raise PermissionDenied("only the applicant or their architect may reply to remarks")
    if dossier.status != workflow.S.AWAITING_APPLICANT:
        raise IllegalTransition(
            f"replies are not taken on a file that is {dossier.status}", current_status=dossier.status
        )
    REMARK.check(record=remark, action=RemarkAction.ANSWER)
    if not text.strip():
        raise InvalidDossier("a reply needs a text")
    attachment_ids = revised_plans_check(dossier=dossier, attachments=attachments or [])
    reply = RemarkReply.objects.create(remark=remark, author=actor, text=text, attachments=attachment_ids)
    REMARK.apply(record=remark, action=RemarkAction.ANSWER, changes={"answered_at": timezone.now()})
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="remark.replied",
        payload={"remark": remark.pk, "reply": reply.pk, "attachments": reply.attachments},
    )
    if not Remark.objects.filter(dossier=dossier, status=RemarkStatus.OPEN).exists():
        transition_run(dossier=dossier, action=workflow.Action.REPLY_TO_REMARKS, actor=actor, address=address)
        round_open(dossier=dossier, actor=actor, address=address, reason="applicant replied to remarks")
    return reply


@transaction.atomic
def remark_close(*, actor: Any, address: str | None, remark: Remark | int, note: str = "") -> Remark:
    """A reviewer closes an answered remark once the reply (and the revised plans) satisfy it."""
    remark_id = remark if isinstance(remark, int) else remark.pk
    remark = (
        Remark.objects.select_for_update(of=("self",))
        .select_related("dossier__commune__parent__parent")
        .get(pk=remark_id)
    )
    dossier = remark.dossier
    reviewer = access.holds_role(actor, dossier, Role.DESK_AGENT) or access.holds_role(
        actor, dossier, Role.COMMISSION_PRESIDENT
    )
    if not reviewer and not (remark.agency_id and remark.agency_id in access.member_agencies(actor, dossier)):
        raise PermissionDenied("only the desk, the president or the remark's agency may close it")
    REMARK.apply(
        record=remark,
        action=RemarkAction.CLOSE,
        changes={"closed_at": timezone.now(), "closed_by": actor},
    )
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="remark.closed",
        payload={"remark": remark.pk, "note": note},
    )
    return remark
