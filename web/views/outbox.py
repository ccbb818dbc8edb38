"""`/dev/outbox/` (development only): the e-mails the local mail catcher received and the SMS the outbox provider
stored, newest first, with their text, links and one-time codes, so that sign-up e-mails and codes can be read
without a real mailbox or phone. A 404 whenever the development tools are off (production mode, DEBUG off)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from gis_core.notifications.development import outbox_read
from web.development import development_tools_on


def dev_outbox(request: HttpRequest) -> HttpResponse:
    if not development_tools_on():
        raise Http404("no such page")
    messages = outbox_read()
    response = render(request, "web/dev_outbox.html", {"outbox": messages})
    patch_cache_control(response, no_store=True, private=True)
    return response
