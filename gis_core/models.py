"""Territories (region > province/prefecture > commune/arrondissement) and the record of each import."""

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryLevel(models.TextChoices):
    REGION = "region", _("Region")
    PROVINCE = "province", _("Province or prefecture")
    COMMUNE = "commune", _("Commune or arrondissement")


LEVEL_PARENT = {
    TerritoryLevel.PROVINCE: TerritoryLevel.REGION,
    TerritoryLevel.COMMUNE: TerritoryLevel.PROVINCE,
}


class Territory(models.Model):
    """One administrative unit. Files, parcels, zones and overlays belong to a commune."""

    level = models.CharField(max_length=16, choices=TerritoryLevel.choices, db_index=True)
    code = models.CharField(max_length=64, unique=True, help_text=_("Official code (e.g. HCP or ISO 3166-2)."))
    name_fr = models.CharField(max_length=200)
    name_ar = models.CharField(max_length=200, blank=True)
    name_en = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    geom = models.MultiPolygonField(srid=4326)
    area_m2 = models.FloatField(help_text=_("Geodesic area on the WGS84 ellipsoid."))

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        indexes = [models.Index(fields=["level", "name_fr"])]

    def __str__(self) -> str:
        return f"{self.name_fr} ({self.code})"


class ImportStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    DRY_RUN = "dry_run", _("Dry run (rolled back)")
    FAILED = "failed", _("Failed (rolled back)")


class ImportRun(models.Model):
    """Summary of one `import_layer` run, kept also when the run failed and was rolled back."""

    target = models.CharField(max_length=32)
    source = models.CharField(max_length=1000)
    layer = models.CharField(max_length=200, blank=True)
    source_srid = models.IntegerField(null=True)
    options = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=ImportStatus.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    read = models.IntegerField(default=0)
    inserted = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    repaired = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    issues = models.JSONField(default=list, help_text=_("Repairs and rejections: feature, action, reason."))
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.target} {self.source} ({self.status})"
