"""The file's history page: every audit event of the file (who, when, what, in which round) in words, and every
document version; the actor is shown by name only (no e-mail, no address)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from permits import selectors
from permits.models import DossierStatus
from web.views.common import dossier_for
from web.views.documents import labelled_document_rows

ACTION_LABELS = {
    "dossier.created": gettext_lazy("File created"),
    "dossier.updated": gettext_lazy("File edited"),
    "dossier.dispatched": gettext_lazy("Instruction round opened, file dispatched to the commission members"),
    "consultation.opinion_given": gettext_lazy("Opinion given"),
    "consultation.tacit_opinion": gettext_lazy("Tacit opinion (deadline passed)"),
    "remark.replied": gettext_lazy("Remark answered"),
    "remark.closed": gettext_lazy("Remark closed"),
    "dossier.document_uploaded": gettext_lazy("Document uploaded"),
}


@login_required
def dossier_history(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Every audit event of the file (who, when, what) and every document version."""
    dossier = dossier_for(request, dossier_id)
    events = [
        {
            "sequence": event.sequence,
            "at": event.at,
            "action": event.action,
            "label": action_label(event.action, event.payload),
            "actor": actor_name(event.actor),
            "round": event.payload.get("round"),
        }
        for event in selectors.audit_events_for(dossier=dossier)
    ]
    return render(
        request,
        "web/dossier_history.html",
        {
            "dossier": dossier,
            "events": events,
            "document_rows": labelled_document_rows(dossier=dossier, user=request.user),
        },
    )


def action_label(action: str, payload: dict[str, Any]) -> str:
    """An audit action in words: a status change names the new status."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    target = payload.get("to")
    if action.startswith("dossier.") and target in DossierStatus.values:
        return _("Status: %(status)s") % {"status": DossierStatus(target).label}
    return action


def actor_name(user: Any) -> str:
    """The actor's display name only (no e-mail, no address), or the platform itself."""
    if user is None:
        return _("The platform")
    return user.get_full_name() or user.get_username()
