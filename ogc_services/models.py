"""The OGC API face's own rows: the outbox of extent growths after imports (`gis_core.outbox`).

An `ExtentGrowth` is written in an import's transaction (`ogc_services.subscribers`), so a committed import never
loses the growth of its layer's known extent (`ogc_services.extents.extent_grow`) to a process that dies right after
the commit; `ogc_services.tasks` does that work after the commit and again until the extents file takes it.
"""

from django.db import models

from gis_core.outbox import OutboxItem


class ExtentGrowth(OutboxItem):
    """Grow the known extent of a geoportal layer by the area an import wrote."""

    run_id = models.BigIntegerField(help_text="The import's `ImportRun` (an id).")
    layer = models.CharField(max_length=40, help_text="The geoportal view the import wrote.")
    bbox = models.JSONField(help_text="The lon/lat box of the imported features: [west, south, east, north].")

    class Meta(OutboxItem.Meta):
        verbose_name = "OGC extent growth after an import"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="ogc_extentgrowth_due")]

    def __str__(self) -> str:
        return f"extent of {self.layer} after import {self.run_id} ({self.status})"
