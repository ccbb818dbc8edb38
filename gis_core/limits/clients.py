"""The real client address behind the configured number of reverse proxies (`TRUSTED_PROXY_COUNT`).

With no proxy (the default, 0) the client is `REMOTE_ADDR` and `X-Forwarded-For` is ignored: anyone can send
that header. Behind N proxies, each appends the address it received the request from, so the client is the Nth
address from the right of `X-Forwarded-For`; anything further left was written by the client and is never
trusted. A header with fewer than N valid addresses did not come through the proxies: `REMOTE_ADDR` is kept.

`ClientAddressMiddleware` (first in `MIDDLEWARE`) writes that address into `REMOTE_ADDR`, so every reader sees
the same one: the audit trail, the throttles, django-axes (`AXES_CLIENT_IP_CALLABLE` is `client_address`).
The proxies' own address is kept in `META["PROXY_REMOTE_ADDR"]`. `throttle_key` groups an IPv6 client by its
/64 network, the block one subscriber usually holds (else one client would have 2**64 addresses to rotate).
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PROXY_REMOTE_ADDR = "PROXY_REMOTE_ADDR"
IPV6_CLIENT_PREFIX = 64


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def resolve_client_address(remote_addr: str, forwarded_for: str, *, trusted_proxies: int) -> str:
    """The client's address given the socket peer, the X-Forwarded-For header and the number of proxies."""
    if trusted_proxies <= 0 or not forwarded_for:
        return remote_addr
    hops = [item.strip() for item in forwarded_for.split(",")]
    if len(hops) < trusted_proxies:
        return remote_addr
    return _valid(hops[-trusted_proxies]) or remote_addr


def client_address(request: HttpRequest) -> str:
    """The client's address (after `ClientAddressMiddleware`: `REMOTE_ADDR`); '' when unknown."""
    return str(request.META.get("REMOTE_ADDR") or "")


def throttle_key(address: str) -> str:
    """The address a throttle counts against: IPv4 as is, IPv6 by its /64 network."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(parsed)


class ClientAddressMiddleware:
    """Put the real client address in `REMOTE_ADDR` (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = settings.TRUSTED_PROXY_COUNT
        if trusted > 0 and PROXY_REMOTE_ADDR not in request.META:
            peer = str(request.META.get("REMOTE_ADDR") or "")
            request.META[PROXY_REMOTE_ADDR] = peer
            request.META["REMOTE_ADDR"] = resolve_client_address(
                peer, str(request.META.get("HTTP_X_FORWARDED_FOR") or ""), trusted_proxies=trusted
            )
        return self.get_response(request)
