"""Redis for what must never take the site down (throttles, cached verdicts): it fails open.

`fail_open_redis(url, purpose=...)` is a process-wide client with short socket timeouts. Its `run(operation,
fallback=...)` calls `operation(client)` and returns `fallback` when Redis does not answer: the caller then
behaves as if nothing were cached or counted (a throttle allows, a cache misses). An outage is logged once,
when it starts (and once when Redis answers again), never per request; while Redis is down it is not asked again
for `RETRY_SECONDS`, so a dead Redis costs no connection timeout on every request.
"""

import logging
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import TypeVar

import redis

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0  # how long a process stops asking a Redis that did not answer
Result = TypeVar("Result")


class FailOpenRedis:
    """One Redis client whose failures become a fallback value and one log line per outage."""

    def __init__(self, url: str, *, purpose: str, timeout: float) -> None:
        self.purpose = purpose
        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0

    @property
    def down(self) -> bool:
        return self._down

    def run(self, operation: Callable[[redis.Redis], Result], *, fallback: Result) -> Result:
        if self._down and time.monotonic() < self._retry_at:
            return fallback
        try:
            result = operation(self.client)
        except (redis.RedisError, OSError) as error:
            with self._lock:
                if not self._down:
                    logger.error("Redis for %s does not answer (%s): failing open until it does", self.purpose, error)
                self._down = True
                self._retry_at = time.monotonic() + RETRY_SECONDS
            return fallback
        if self._down:
            with self._lock:
                if self._down:
                    logger.warning("Redis for %s answers again", self.purpose)
                self._down = False
        return result


@cache
def fail_open_redis(url: str, *, purpose: str, timeout: float = 0.25) -> FailOpenRedis:
    """The process's client for `url` and `purpose` (created once; a changed URL gets its own)."""
    return FailOpenRedis(url, purpose=purpose, timeout=timeout)
