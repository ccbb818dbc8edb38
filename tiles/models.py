"""The tiles face's own rows: the outbox of tile invalidations (`gis_core.outbox`).

A `TileInvalidation` is written in the transaction that publishes a file (`tiles.subscribers`), so a publication
never commits without the work of forgetting its stale tiles; `tiles.tasks` does that work after the commit and
again until Redis takes it.
"""

from django.db import models

from gis_core.outbox import OutboxItem


class TileInvalidation(OutboxItem):
    """Forget the cached tiles over a published file's footprint (the file's extent is read when it is done)."""

    dossier_id = models.BigIntegerField(help_text="The published file (an id: the face keeps no link into the domain).")
    event = models.CharField(max_length=100, help_text='What asked for it: "dossier.publish".')

    class Meta(OutboxItem.Meta):
        verbose_name = "tile invalidation"

    def __str__(self) -> str:
        return f"tiles of file {self.dossier_id} ({self.event}, {self.status})"
