"""factory_boy factories for the spatial domain: small real geometries around Cambridge (MA) and Casablanca."""

import factory
from django.contrib.gis.geos import MultiPolygon, Polygon

from gis_core.models import Territory, TerritoryLevel
from parcels.importers.pieces import overlay_pieces_refresh, zone_pieces_refresh
from parcels.models import Agency, Overlay, OverlayKind, Parcel, Zone, ZoningPlan


def box(west: float, south: float, east: float, north: float) -> MultiPolygon:
    """A rectangle in lon/lat as a MultiPolygon (SRID 4326)."""
    return MultiPolygon(Polygon.from_bbox((west, south, east, north)), srid=4326)


def geodesic_area(geometry: MultiPolygon) -> float:
    from pyproj import Geod
    from shapely import wkb

    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(wkb.loads(bytes(geometry.wkb)))
    return abs(area)


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ("code",)

    level = TerritoryLevel.COMMUNE
    code = factory.Sequence(lambda n: f"TEST-{n:04d}")
    name_fr = factory.LazyAttribute(lambda o: f"Commune {o.code}")
    name_ar = "جماعة"
    geom = factory.LazyFunction(lambda: box(-71.2, 42.3, -71.0, 42.45))
    area_m2 = factory.LazyAttribute(lambda o: geodesic_area(o.geom))

    class Params:
        region = factory.Trait(level=TerritoryLevel.REGION)
        province = factory.Trait(level=TerritoryLevel.PROVINCE)


class ParcelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcel

    commune = factory.SubFactory(TerritoryFactory)
    reference = factory.Sequence(lambda n: f"P-{n:06d}")
    land_title = factory.Sequence(lambda n: f"T{n:06d}/C")
    geom = factory.LazyFunction(lambda: box(-71.1200, 42.3700, -71.1197, 42.3703))
    area_m2 = factory.LazyAttribute(lambda o: geodesic_area(o.geom))
    official_area_m2 = factory.LazyAttribute(lambda o: round(o.area_m2))


class ZoningPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZoningPlan
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Plan {n}")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone
        skip_postgeneration_save = True

    plan = factory.SubFactory(ZoningPlanFactory)
    commune = factory.SubFactory(TerritoryFactory)
    code = factory.Sequence(lambda n: f"Z{n}")
    label = factory.LazyAttribute(lambda o: f"Zone {o.code}")
    max_height_m = 12.0
    max_floors = 3
    max_coverage_ratio = 0.6
    max_floor_area_ratio = 1.8
    min_setback_road_m = 3.0
    min_setback_neighbour_m = 2.0
    allowed_uses = factory.LazyFunction(lambda: ["residential", "office"])
    forbidden_uses = factory.LazyFunction(lambda: ["industrial"])
    geom = factory.LazyFunction(lambda: box(-71.13, 42.36, -71.11, 42.38))
    area_m2 = factory.LazyAttribute(lambda o: geodesic_area(o.geom))

    @factory.post_generation
    def pieces(zone: Zone, create: bool, extracted: object, **kwargs: object) -> None:
        """The pieces the look-ups intersect, as the zones import cuts them."""
        if create:
            zone_pieces_refresh(zone_ids=[zone.pk])


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Agence {o.code}")


class OverlayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Overlay
        skip_postgeneration_save = True

    commune = factory.SubFactory(TerritoryFactory)
    reference = factory.Sequence(lambda n: f"OV-{n}")
    kind = OverlayKind.HERITAGE
    name = factory.LazyAttribute(lambda o: f"Overlay {o.reference}")
    agency = factory.SubFactory(AgencyFactory)
    buffer_m = 0.0
    geom = factory.LazyFunction(lambda: box(-71.1201, 42.3701, -71.1190, 42.3710))
    effective_geom = factory.LazyAttribute(lambda o: o.geom)

    @factory.post_generation
    def pieces(overlay: Overlay, create: bool, extracted: object, **kwargs: object) -> None:
        """The pieces the look-ups intersect, as the overlays import cuts them."""
        if create:
            overlay_pieces_refresh(overlay_ids=[overlay.pk])
