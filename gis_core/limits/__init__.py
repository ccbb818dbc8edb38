"""Limits against abuse, shared by every face (issue 10, section 4). A map of the package:

- `clients`: the real client address behind `TRUSTED_PROXY_COUNT` proxies (`ClientAddressMiddleware` writes it
  into `REMOTE_ADDR` for everyone: audit trail, throttles, django-axes);
- `fail_open`: Redis clients that fail open (short timeouts, one log line per outage);
- `limiter`: the one rate limiter (GCRA in Redis, shared by all workers), rates by scope in `THROTTLE_RATES`;
- `throttles`: its faces for Django: `ThrottleMiddleware` (the `THROTTLE_PATHS` table) and `throttle_check` (a view
  throttling part of its work, e.g. tile cache misses); `drf`: `ScopedThrottle` (DRF views name a `throttle_scope`);
- `bodies`: request bodies capped before they are parsed (`UPLOAD_PATH_LIMITS`, `REQUEST_MAX_BODY_BYTES`);
- `lockout`: the answer django-axes gives a locked-out sign-in (form error or problem document);
- `timeouts`: a statement timeout on the public look-ups that read through `default`;
- `responses`: 429/413/503 answers: a problem document, or a short page for a browser.
"""
