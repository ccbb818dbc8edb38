"""Parcels, zoning plans, zones with their rules, overlays (servitudes) and the agencies they oblige to consult."""

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.utils.translation import gettext_lazy as _

from gis_core.models import Territory


class Parcel(models.Model):
    commune = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="parcels")
    reference = models.CharField(max_length=100, help_text=_("Cadastral reference, unique within its commune."))
    land_title = models.CharField(max_length=100, blank=True, db_index=True, help_text=_("Land-title number."))
    official_area_m2 = models.FloatField(null=True, blank=True, help_text=_("Area stated by the land registry."))
    area_m2 = models.FloatField(help_text=_("Geodesic area computed from the geometry (WGS84 ellipsoid)."))
    geom = models.MultiPolygonField(srid=4326)
    attributes = models.JSONField(default=dict, blank=True, help_text=_("Other public source attributes."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "reference"], name="parcel_reference_unique")]

    def __str__(self) -> str:
        return self.reference


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    REPEALED = "repealed", _("Repealed")


class ZoningPlan(models.Model):
    """A zoning plan (plan d'aménagement) covering one or more communes."""

    name = models.CharField(max_length=200, unique=True)
    communes = models.ManyToManyField(Territory, related_name="zoning_plans")
    approval_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.IN_FORCE)

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    """A zone of a plan with its rules; a null limit means the plan does not regulate it."""

    plan = models.ForeignKey(ZoningPlan, on_delete=models.CASCADE, related_name="zones")
    commune = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="zones")
    code = models.CharField(max_length=50)
    label = models.CharField(max_length=300, blank=True)
    max_height_m = models.FloatField(null=True, blank=True)
    max_floors = models.PositiveSmallIntegerField(null=True, blank=True)
    max_coverage_ratio = models.FloatField(null=True, blank=True, help_text=_("CES: footprint / parcel area."))
    max_floor_area_ratio = models.FloatField(null=True, blank=True, help_text=_("COS: floor area / parcel area."))
    min_setback_road_m = models.FloatField(null=True, blank=True)
    min_setback_neighbour_m = models.FloatField(null=True, blank=True)
    allowed_uses = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    forbidden_uses = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    geom = models.MultiPolygonField(srid=4326)
    area_m2 = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "commune", "code"], name="zone_code_unique_in_plan")]

    def __str__(self) -> str:
        return f"{self.code} ({self.plan})"


class Agency(models.Model):
    """A body that must give its opinion when a project touches one of its overlays."""

    code = models.CharField(max_length=50, unique=True)
    name_fr = models.CharField(max_length=200)
    name_ar = models.CharField(max_length=200, blank=True)
    name_en = models.CharField(max_length=200, blank=True)
    default_for_kinds = ArrayField(
        models.CharField(max_length=32),
        default=list,
        blank=True,
        help_text=_("Overlay kinds this agency is consulted for when an import names no agency."),
    )

    class Meta:
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name_fr


class OverlayKind(models.TextChoices):
    HERITAGE = "heritage", _("Heritage")
    FLOOD_RISK = "flood_risk", _("Flood risk")
    AIRPORT = "airport", _("Airport servitude")
    ROAD_WIDENING = "road_widening", _("Road widening")
    UTILITY_CORRIDOR = "utility_corridor", _("Utility corridor")
    SPECIAL_DISTRICT = "special_district", _("Special planning district")
    OTHER = "other", _("Other servitude")


class Overlay(models.Model):
    """An overlay or servitude; `effective_geom` is the geometry grown by its buffer, used by every look-up."""

    commune = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="overlays")
    reference = models.CharField(max_length=100)
    kind = models.CharField(max_length=32, choices=OverlayKind.choices)
    name = models.CharField(max_length=300)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="overlays")
    buffer_m = models.FloatField(default=0)
    geom = models.MultiPolygonField(srid=4326)
    effective_geom = models.MultiPolygonField(srid=4326)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "reference"], name="overlay_reference_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ZonePiece(models.Model):
    """A piece of a zone's geometry of at most 256 vertices (ST_Subdivide); the pieces of a zone are disjoint and
    cover it. Look-ups intersect the few small pieces near a site instead of the whole zone. Derived data, kept in
    step by the zones import and `parcels.importers.pieces.zone_pieces_refresh`."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="pieces")
    geom = models.PolygonField(srid=4326)


class OverlayPiece(models.Model):
    """A piece of an overlay's `effective_geom` of at most 256 vertices, as `ZonePiece` for zones; kept in step by
    the overlays import and `parcels.importers.pieces.overlay_pieces_refresh`."""

    overlay = models.ForeignKey(Overlay, on_delete=models.CASCADE, related_name="pieces")
    geom = models.PolygonField(srid=4326)
