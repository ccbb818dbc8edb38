"""JSON API of the permits domain (DRF, documented by drf-spectacular), mounted at /api/ by `permits.api.urls`.

Thin views, one module per resource: each validates its input with a nested serializer, looks the file up
through `permits.selectors` (a file the user may not see is a 404, whether it exists or not), calls one service
and renders the result with an output serializer. The services check the actor's role again. Errors are the
domain's typed exceptions, rendered as `application/problem+json` by `gis_core.problems.exception_handler`.

Authentication: `Authorization: Token <key>` for programs (a user gets a key with POST /api/auth/token/, or an
operator runs `manage.py api_token_create <username>`; keys expire and are revocable: `gis_core.api_tokens`),
or the session cookie of the web pages
(unsafe methods then need the `X-CSRFToken` header; GET /api/auth/csrf/ sets the cookie).
"""
