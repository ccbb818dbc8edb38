"""A circuit breaker for a service the platform can serve without for a while (Redis as a cache).

    circuit = Circuit("Redis tile cache", retry_after=5.0, errors=(redis.RedisError,), logger=logger)
    try:
        value = circuit.call(lambda: redis_client.get(key))
    except (CircuitOpen, redis.RedisError):
        value = None  # fail open: do the work without the cache

While the service answers, `call` runs the function. The first failure opens the circuit and logs one error; for
`retry_after` seconds every call raises `CircuitOpen` at once, so requests do not each wait for a client timeout.
Then one call at a time is let through as a probe: a failure keeps the circuit open (no new log line: the same
outage), a success closes it and logs the recovery with the outage's length. So an outage costs one error line and
one recovery line per process, however many requests it spans.

State is per process (each web or Celery worker process logs its own pair of lines) and thread-safe.
"""

import logging
import threading
import time
from collections.abc import Callable


class CircuitOpen(Exception):
    """The service failed less than `retry_after` seconds ago: not tried."""


class Circuit:
    def __init__(
        self,
        name: str,
        *,
        retry_after: float,
        errors: tuple[type[Exception], ...],
        logger: logging.Logger,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.retry_after = retry_after
        self.errors = errors
        self.logger = logger
        self._clock = clock
        self._lock = threading.Lock()
        self._opened_at: float | None = None  # None: closed
        self._retry_at = 0.0
        self._skipped = 0

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None

    def call[ResultT](self, function: Callable[[], ResultT]) -> ResultT:
        """`function()`, unless the circuit is open (`CircuitOpen`); one of `errors` opens it and is re-raised."""
        self._before()
        try:
            result = function()
        except self.errors as error:
            self._failed(error)
            raise
        self._succeeded()
        return result

    def _before(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            now = self._clock()
            if now < self._retry_at:
                self._skipped += 1
                raise CircuitOpen(f"{self.name} failed {now - self._opened_at:.1f} s ago")
            self._retry_at = now + self.retry_after  # this call is the probe; the others keep skipping

    def _failed(self, error: Exception) -> None:
        with self._lock:
            now = self._clock()
            self._retry_at = now + self.retry_after
            if self._opened_at is not None:
                return  # the same outage: logged when it began
            self._opened_at, self._skipped = now, 0
        self.logger.error(
            "%s unavailable (%s: %s): working without it, trying again every %s s",
            self.name,
            type(error).__name__,
            error,
            self.retry_after,
        )

    def _succeeded(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            lasted, skipped = self._clock() - self._opened_at, self._skipped
            self._opened_at, self._skipped = None, 0
        self.logger.warning("%s available again after %.1f s (%d calls went without it)", self.name, lasted, skipped)
