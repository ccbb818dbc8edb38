"""The WMS/WMTS face's own rows: the outbox of its tile-cache invalidations (`gis_core.outbox`).

A `WmsInvalidation` is written in the transaction that publishes a file (`ogc_services.wms.subscribers`), so a
publication never commits without the work of removing its stale WMTS tiles; `ogc_services.wms.tasks` does that
work after the commit and again until the file cache takes it. A `WmsImportInvalidation` is written the same way in
an import's transaction: the cached tiles of the imported layer are removed after the commit, until it succeeds.
"""

from django.db import models

from gis_core.outbox import OutboxItem


class WmsInvalidation(OutboxItem):
    """Remove the cached tiles over a published file's footprint (read when it is done)."""

    dossier_id = models.BigIntegerField(help_text="The published file (an id: the face keeps no link into the domain).")
    event = models.CharField(max_length=100, help_text='What asked for it: "dossier.publish".')

    class Meta(OutboxItem.Meta):
        verbose_name = "WMS/WMTS cache invalidation"

    def __str__(self) -> str:
        return f"WMS tiles of file {self.dossier_id} ({self.event}, {self.status})"


class WmsImportInvalidation(OutboxItem):
    """Remove the cached tiles an import changed (`layer.imported`): over its area when that bounds the change,
    else the layer's whole cache."""

    run_id = models.BigIntegerField(help_text="The import's `ImportRun` (an id).")
    layer = models.CharField(max_length=40, help_text="The WMS layer the import wrote.")
    bbox = models.JSONField(help_text="The lon/lat box of the imported features: [west, south, east, north].")
    only_inserted = models.BooleanField(help_text="Nothing was updated: the box bounds every change.")

    class Meta(OutboxItem.Meta):
        verbose_name = "WMS/WMTS cache invalidation after an import"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="ogc_wms_importinval_due")]

    def __str__(self) -> str:
        return f"WMS {self.layer} tiles of import {self.run_id} ({self.status})"
