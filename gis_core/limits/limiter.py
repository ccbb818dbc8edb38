"""The one rate limiter: counts in Redis (shared by every worker and host), fails open when Redis is down.

Rates are named scopes in `THROTTLE_RATES` (`"sign-in": "20/minute"`): `limit_hit(scope=..., key=...)` counts
one request of `key` (a client address) in `scope` and says whether it is allowed and, if not, how many seconds
to wait. The algorithm is GCRA (generic cell rate algorithm, a leaky bucket in one key): a client may send
`count` requests at once, then one every `period / count`; refused requests are not counted, and the wait is
exact. One Lua script reads the clock of Redis and updates the key atomically, so every worker agrees.

`THROTTLE_ENABLED=false` turns every scope off (benchmarks); a scope without a rate is not limited.
"""

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from gis_core.limits.clients import client_address, throttle_key
from gis_core.limits.fail_open import FailOpenRedis, fail_open_redis

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")
# KEYS[1]: the client's key. ARGV: emission interval and period in ms. Returns {allowed, wait in ms}.
GCRA_SCRIPT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next_tat = tat + interval
local allowed_at = next_tat - period
if allowed_at > now then return {0, allowed_at - now} end
redis.call('SET', KEYS[1], next_tat, 'PX', next_tat - now)
return {1, 0}
"""


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @property
    def interval_ms(self) -> int:
        return max(1, math.ceil(self.seconds * 1000 / self.count))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds, when refused (at least 1)


ALLOWED = Verdict(allowed=True)


@cache
def parse_rate(text: str) -> Rate:
    """`"20/minute"`, `"5/10minutes"`, `"1000/hour"`, `"3/second"`."""
    match = RATE_PATTERN.match(text)
    if match is None or int(match[1]) <= 0:
        raise ImproperlyConfigured(f"a throttle rate is written like '20/minute', not {text!r}")
    return Rate(count=int(match[1]), seconds=int(match[2] or 1) * PERIODS[match[3]])


def scope_rate(scope: str) -> Rate | None:
    """The rate of `scope`, or None when the scope is not limited (no rate, or throttling off)."""
    if not settings.THROTTLE_ENABLED:
        return None
    text = settings.THROTTLE_RATES.get(scope)
    return parse_rate(text) if text else None


@cache
def _gcra_script(redis: FailOpenRedis) -> Any:
    """The script bound to this client (sent once, then called by its SHA-1)."""
    return redis.client.register_script(GCRA_SCRIPT)


def limit_hit(*, scope: str, key: str) -> Verdict:
    """Count one request of `key` in `scope`; allowed when Redis does not answer (see `fail_open`)."""
    rate = scope_rate(scope)
    if rate is None:
        return ALLOWED
    redis = fail_open_redis(settings.THROTTLE_REDIS_URL, purpose="throttling", timeout=settings.THROTTLE_REDIS_TIMEOUT)
    redis_key = f"{settings.THROTTLE_KEY_PREFIX}:{scope}:{key}"
    script = _gcra_script(redis)
    allowed, wait_ms = redis.run(
        lambda client: script(keys=[redis_key], args=[rate.interval_ms, rate.seconds * 1000], client=client),
        fallback=[1, 0],
    )
    if int(allowed):
        return ALLOWED
    return Verdict(allowed=False, retry_after=max(1, math.ceil(int(wait_ms) / 1000)))


def request_verdict(request: HttpRequest, scope: str) -> Verdict:
    """Count `request` in `scope` against its client address (`clients.throttle_key`)."""
    return limit_hit(scope=scope, key=throttle_key(client_address(request)))
