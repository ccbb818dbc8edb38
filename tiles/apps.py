"""The tiles app: subscribes its handlers to the event bus (`tiles.subscribers`: publications, imports) and
forgets stale tiles after migrate/flush."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The database was migrated or flushed (tests do so between transactional tests): its views and data may
    have changed under the cache and the pieces, so rebuild the pieces and forget every cached tile."""
    if using != "default":
        return
    from tiles.services import tiles_invalidate_all

    # `migrate` with nothing to apply passes an empty plan: the data did not change, keep the pieces.
    tiles_invalidate_all(rebuild_pieces=kwargs.get("plan") != [])


class TilesConfig(AppConfig):
    name = "tiles"
    verbose_name = "Vector tiles"

    def ready(self) -> None:
        from tiles import subscribers  # noqa: F401  (its decorators subscribe the handlers)

        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="tiles-after-migrate")
