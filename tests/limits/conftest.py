"""Fixtures of the limits tests: low rates, a Redis that does not answer, clients from given addresses."""

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from gis_core.limits.fail_open import fail_open_redis


@pytest.fixture(autouse=True)
def fresh_redis_clients() -> Iterator[None]:
    """Each test starts with new Redis clients (an outage seen by one test is not carried into the next)."""
    fail_open_redis.cache_clear()
    yield
    fail_open_redis.cache_clear()


def unused_port() -> int:
    """A TCP port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def closed_port() -> int:
    return unused_port()


@pytest.fixture
def rates(settings: Any) -> Callable[..., None]:
    """`rates(**{"sign-in": "3/hour"})`: low rates for this test (the other scopes keep theirs)."""

    def set_rates(**scopes: str) -> None:
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **scopes}

    return set_rates


def client_from(address: str, **kwargs: Any) -> Client:
    """A test client whose requests come from `address` (the socket peer, REMOTE_ADDR)."""
    return Client(REMOTE_ADDR=address, raise_request_exception=False, **kwargs)


BROWSER = {"Accept": "text/html,application/xhtml+xml"}
