"""The tiles face's own rows: the outbox of tile invalidations (`gis_core.outbox`).

A `TileInvalidation` is written in the transaction that publishes a file (`tiles.subscribers`), so a publication
never commits without the work of forgetting its stale tiles; `tiles.tasks` does that work after the commit and
again until Redis takes it. A `TileImportInvalidation` is written the same way in an import's transaction: the
tiles the import changed are forgotten (or a pieced layer's pieces re-cut) after the commit, until Redis takes it.
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


class TileImportInvalidation(OutboxItem):
    """Forget the cached tiles an import changed (`layer.imported`): its area when the run only inserted parcels,
    else the whole layer; a pieced layer's pieces are re-cut over the area first."""

    run_id = models.BigIntegerField(help_text="The import's `ImportRun` (an id).")
    layer = models.CharField(max_length=40, help_text="The tile layer the import wrote.")
    bbox = models.JSONField(help_text="The lon/lat box of the imported features: [west, south, east, north].")
    only_inserted = models.BooleanField(help_text="Nothing was updated: the box bounds every change.")

    class Meta(OutboxItem.Meta):
        verbose_name = "tile invalidation after an import"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="tiles_importinval_due")]

    def __str__(self) -> str:
        return f"{self.layer} tiles of import {self.run_id} ({self.status})"
