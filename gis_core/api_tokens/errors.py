"""Typed errors of the API tokens (mapped to problem documents by `gis_core.problems`)."""

from gis_core.problems import NotFound


class ApiTokenNotFound(NotFound):
    """No such token among the user's own: another user's token is indistinguishable from none."""
