"""Typed errors of the API tokens (mapped to problem documents by `gis_core.problems`)."""

from gis_core.problems import DomainError, NotFound


class ApiTokenNotFound(NotFound):
    """No such token among the user's own: another user's token is indistinguishable from none."""


class ApiTokenLimitReached(DomainError):
    """The user holds `API_TOKEN_MAX_PER_USER` live tokens already: they revoke one before creating another."""

    status = 409
    title = "Too many tokens"
