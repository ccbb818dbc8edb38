"""The WMS/WMTS face's own rows: the outbox of its tile-cache invalidations (`gis_core.outbox`).

A `WmsInvalidation` is written in the transaction that publishes a file (`ogc_services.wms.subscribers`), so a
publication never commits without the work of removing its stale WMTS tiles; `ogc_services.wms.tasks` does that
work after the commit and again until the file cache takes it.
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
