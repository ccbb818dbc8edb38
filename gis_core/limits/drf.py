"""DRF's face of the one limiter: `ScopedThrottle`, the default throttle class (`DEFAULT_THROTTLE_CLASSES`).

An API view names its `throttle_scope` (a key of `THROTTLE_RATES`); a view without one is not throttled. A refused
request raises DRF's `Throttled`, which `gis_core.problems` turns into a 429 problem document with `Retry-After`.
This module imports nothing that imports DRF's views (DRF loads it while it defines `APIView`).
"""

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from gis_core.limits.limiter import request_verdict


class ScopedThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        scope = getattr(view, "throttle_scope", None)
        if not scope:
            return True
        verdict = request_verdict(request._request, scope)
        self.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return self.retry_after
