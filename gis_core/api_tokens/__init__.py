"""API tokens: what `Authorization: Token <key>` authenticates, with an expiry, stored hashed, revocable.

- `models.ApiToken`: one token of a user (a client, a device), its SHA-256 digest (the key itself is shown once, at
  creation, and never stored), a name, when it was created, last used and expires (`API_TOKEN_TTL_DAYS` after
  its creation, fixed: a stolen key dies on a known day; the client exchanges a password for a new one);
- `services`: create, revoke one, revoke all of a user's ("sign out everywhere"), purge the expired;
- `selectors`: a user's live tokens, the token of a key;
- `authentication.ApiTokenAuthentication`: the DRF authentication class (and its OpenAPI security scheme);
- `tasks.api_tokens_purge_expired_task`: Celery beat's daily purge;
- `manage.py api_token_create <username>`: a token for a program, issued by an operator.

The permits API exchanges a password for a token and lists and revokes one's tokens (`permits.api.people`); the
web account area does the same for a signed-in person (`web.views.accounts`).
"""
