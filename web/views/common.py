"""What every page of the applicant space and the back office shares: the caller's address for the audit trail,
the file look-up that answers 404 for a file the user may not see, and the one place that turns the domain's typed
errors into a message the person can read in their language.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from gis_core.documents.errors import DocumentError
from gis_core.geometry import CoordinatesOutsideCrs, InvalidGeometry
from gis_core.problems import DomainError
from permits import selectors
from permits.errors import AccountRefused, DossierNotFound, IllegalTransition, InvalidDossier, PermissionDenied
from permits.models import Dossier


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, as the audit trail records it."""
    return request.META.get("REMOTE_ADDR") or None


def dossier_for(request: HttpRequest, dossier_id: int) -> Dossier:
    """The file if the signed-in user may see it; 404 otherwise, whether it exists or not (ids cannot be probed)."""
    try:
        return selectors.dossier_get_for(user=request.user, dossier_id=dossier_id)
    except DossierNotFound as error:
        raise Http404(str(error)) from error


def back_to(request: HttpRequest, dossier: Dossier) -> HttpResponseRedirect:
    """Back to the page a form came from (its `next` field, a path of this site: the file page or its plans), or to
    the file page."""
    back = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/"):
        return redirect(back)
    return redirect("web:dossier-detail", dossier.pk)


def error_text(error: Exception) -> str:
    """A domain error as a sentence in the active language, with the domain's own detail after it."""
    from permits.commissions.errors import BookingClosed, NotBookable, QuorumNotReached, SignatureOutOfTurn, SlotTaken
    from permits.plans.guards import RemarkAnnotationsOpen
    from permits.services.application import CodeRefused, CodeThrottled

    if isinstance(error, CodeRefused):
        title = _("The one-time code was refused.")
    elif isinstance(error, CodeThrottled):
        title = _("Too many codes were asked for this file: wait a while before asking again.")
    elif isinstance(error, SlotTaken):
        title = _("This slot has just been booked by another file: choose another one.")
    elif isinstance(error, BookingClosed):
        title = _("Bookings are closed for this slot: the cut-off before the session has passed.")
    elif isinstance(error, NotBookable):
        title = _("This file cannot book a slot now.")
    elif isinstance(error, QuorumNotReached):
        title = _("The quorum is not reached.")
    elif isinstance(error, SignatureOutOfTurn):
        title = _("It is not your turn to sign this document.")
    elif isinstance(error, RemarkAnnotationsOpen):
        title = _("Resolve or withdraw this remark's annotations on the plan before closing it.")
    elif isinstance(error, AccountRefused):
        return str(error.detail)
    elif isinstance(error, IllegalTransition):
        title = _("This action is not possible now.")
    elif isinstance(error, PermissionDenied):
        title = _("You are not allowed to do this.")
    elif isinstance(error, DocumentError):
        title = _("The document was refused.")
    elif isinstance(error, InvalidDossier | InvalidGeometry | CoordinatesOutsideCrs):
        title = _("The data given are not valid.")
    else:
        title = _("The request could not be completed.")
    detail = getattr(error, "detail", None) or str(error)
    return f"{title} ({detail})"


def run_service[Result](request: HttpRequest, call: Callable[[], Result], success: str | None = None) -> Result | None:
    """Run one service call; on a domain error show it as a message and return None."""
    try:
        result = call()
    except (DomainError, InvalidGeometry, CoordinatesOutsideCrs) as error:
        messages.error(request, error_text(error))
        return None
    if success:
        messages.success(request, success)
    return result
