"""The tiles app: subscribes to the permits domain's events and to imports, and forgets stale tiles after
migrate/flush."""

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
        from gis_core.importing.events import import_subscribe
        from permits.events import Phase, event_subscribe
        from tiles.services import tiles_on_dossier_event
        from tiles.subscribers import tiles_on_layer_imported

        # After commit (a rolled-back publication changes nothing on the map), synchronously (a few Redis deletes).
        event_subscribe(name="dossier.publish", handler=tiles_on_dossier_event, phase=Phase.ON_COMMIT)
        # After commit of an import: parcels at once, the pieced layers through a Celery task (tiles.subscribers).
        import_subscribe(handler=tiles_on_layer_imported)
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="tiles-after-migrate")
