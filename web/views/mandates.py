"""The mandates page (`/accounts/mandates/`): invitations to answer, the mandates one gave or holds, an invitation
to send. An architect invites an applicant; an applicant invites an architect; the applicant revokes at any time.
Every action goes through `permits.services.mandates` (refusals there are audited)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from permits.services import mandates as mandate_services
from web import forms
from web.views.common import client_address, run_service


@login_required
def mandates(request: HttpRequest) -> HttpResponse:
    form = forms.MandateInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = run_service(
            request,
            lambda: mandate_services.mandate_invite(
                actor=request.user,
                address=client_address(request),
                email=form.cleaned_data["email"],
                language=get_language() or "fr",
            ),
            _("The invitation is sent. The mandate starts when it is accepted."),
        )
        if sent is not None:
            return redirect("web:account-mandates")
    invitations = mandate_services.mandates_invitations_for(user=request.user)
    answered = {mandate.pk for mandate in invitations}
    others = [mandate for mandate in mandate_services.mandates_of(user=request.user) if mandate.pk not in answered]
    return render(
        request,
        "web/account_mandates.html",
        {"form": form, "invitations": invitations, "mandates": others, "user_id": request.user.pk},
    )


MANDATE_ACTIONS = {
    "accept": (mandate_services.mandate_accept, gettext_lazy("Mandate accepted.")),
    "decline": (mandate_services.mandate_decline, gettext_lazy("Invitation declined.")),
    "revoke": (mandate_services.mandate_revoke, gettext_lazy("Mandate ended.")),
}


@login_required
@require_POST
def mandate_action(request: HttpRequest, mandate_id: int, action: str) -> HttpResponse:
    if action not in MANDATE_ACTIONS:
        raise Http404("no such action")
    service, done = MANDATE_ACTIONS[action]
    run_service(
        request,
        lambda: service(actor=request.user, address=client_address(request), mandate=mandate_id),
        str(done),
    )
    return redirect("web:account-mandates")
