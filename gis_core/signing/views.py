"""The public verification page: `/verify/<token>/` (GET: the stored document; POST: an uploaded copy).

It shows only what the document itself shows: the reference printed on the stamp, signer names as in the
certificates, times from the timestamps, and whether the document is intact, validly signed and trusted. It reads
through the public read-only connection (`selectors.verification_public_get`).

Limits (gis_core.limits, settings): the page is throttled per address (`THROTTLE_PATHS`, scope `verify`); an
uploaded copy is stopped while it streams in past `SIGNING_VERIFY_MAX_UPLOAD_BYTES` (`UPLOAD_PATH_LIMITS`: 413
before the rest is received); verdicts are cached per verified bytes and trust roots (`services.document_verify`).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from gis_core.signing.selectors import verification_public_get
from gis_core.signing.services import document_verify


class CopyForm(forms.Form):
    copy = forms.FileField(label=_("A copy of the document (PDF)"))


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest, token: str) -> HttpResponse:
    verification = verification_public_get(token=token)  # through the public read-only connection
    if verification is None:
        raise Http404("unknown verification token")
    document = verification.document
    stored_report = document_verify(document=document)
    copy_report = None
    form = CopyForm()
    status = 200
    if request.method == "POST":
        form = CopyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["copy"]
            if upload.size > settings.SIGNING_VERIFY_MAX_UPLOAD_BYTES:
                form.add_error("copy", _("The file is too large."))
                status = 400
            else:
                copy_report = document_verify(document=document, data=upload.read())
        else:
            status = 400
    context = {
        "verification": verification,
        "document": document,
        "report": stored_report,
        "copy_report": copy_report,
        "form": form,
    }
    return render(request, "signing/verify.html", context, status=status)
