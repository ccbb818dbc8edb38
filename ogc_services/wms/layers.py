"""The geoportal layers of the WMS/WMTS as data: which view, which public attributes, which classes.

A table, not code paths: the mapfile template and MapProxy's YAML are both generated from `VECTOR_LAYERS`.
Only the attributes listed in `public_items` are ever returned by GetFeatureInfo (the views hold no personal
data; the list is a second lock).
"""

from dataclasses import dataclass, field

from parcels.models import OverlayKind

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class StyleClass:
    name: str
    title: str
    fill: RGB | None
    outline: RGB
    width: float = 1.0
    opacity: int = 100  # of the fill, in percent
    expression: str = ""  # a MapServer expression; empty: matches everything left


@dataclass(frozen=True)
class VectorLayer:
    name: str
    title: str
    abstract: str
    view: str  # a view of the `geoportal` schema
    public_items: tuple[str, ...]
    classes: tuple[StyleClass, ...]
    label_item: str = ""
    label_max_scale: float = 0  # labels drawn below this scale denominator
    max_scale: float = 0  # the layer is drawn below this scale denominator (0: always)
    class_item: str = ""
    extra_metadata: dict[str, str] = field(default_factory=dict)


OVERLAY_COLOURS: dict[str, RGB] = {
    OverlayKind.HERITAGE: (156, 102, 31),
    OverlayKind.FLOOD_RISK: (30, 120, 200),
    OverlayKind.AIRPORT: (120, 60, 160),
    OverlayKind.ROAD_WIDENING: (230, 120, 20),
    OverlayKind.UTILITY_CORRIDOR: (200, 180, 0),
    OverlayKind.SPECIAL_DISTRICT: (40, 150, 90),
    OverlayKind.OTHER: (110, 110, 110),
}

# Zone families by code: a regular expression on the zone code, first match wins.
ZONE_FAMILIES: tuple[tuple[str, str, str, RGB], ...] = (
    ("open_space", "Open space", r"^(OS|NP|N)", (120, 190, 90)),
    ("industrial", "Industrial", r"^I", (160, 120, 200)),
    ("business", "Business and commercial", r"^B[A-C]", (240, 110, 100)),
    ("office", "Office", r"^O", (90, 150, 220)),
    ("special", "Special and mixed districts", r"^(SD|MXD|ASD|CRDD|MAS|CAM)", (250, 190, 80)),
    ("residential", "Residential", r"^(R|A|B|C)", (250, 230, 120)),
)


def _overlay_classes() -> tuple[StyleClass, ...]:
    return tuple(
        StyleClass(
            name=str(kind),
            title=str(label),
            fill=OVERLAY_COLOURS.get(kind, (110, 110, 110)),
            outline=OVERLAY_COLOURS.get(kind, (110, 110, 110)),
            width=1.5,
            opacity=30,
            expression=f'"{kind}"',
        )
        for kind, label in OverlayKind.choices
    )


def _zone_classes() -> tuple[StyleClass, ...]:
    families = tuple(
        StyleClass(name=name, title=title, fill=colour, outline=(90, 90, 90), opacity=45, expression=f"/{pattern}/")
        for name, title, pattern, colour in ZONE_FAMILIES
    )
    return (*families, StyleClass(name="other", title="Other zones", fill=(200, 200, 200), outline=(90, 90, 90)))


VECTOR_LAYERS: tuple[VectorLayer, ...] = (
    VectorLayer(
        name="territories",
        title="Territories",
        abstract="Regions, provinces and communes.",
        view="territories",
        public_items=("code", "level", "name_fr", "name_ar", "name_en", "parent_code"),
        class_item="level",
        classes=(
            StyleClass(
                name="region", title="Region", fill=None, outline=(60, 60, 60), width=2.5, expression='"region"'
            ),
            StyleClass(
                name="province", title="Province", fill=None, outline=(90, 90, 90), width=1.5, expression='"province"'
            ),
            StyleClass(name="commune", title="Commune", fill=None, outline=(130, 130, 130), width=0.8),
        ),
    ),
    VectorLayer(
        name="parcels",
        title="Cadastral parcels",
        abstract="Parcels with their public attributes (reference, land title, official area).",
        view="parcels",
        public_items=("reference", "land_title", "commune_code", "official_area_m2"),
        classes=(StyleClass(name="parcel", title="Parcel", fill=(255, 255, 255), outline=(80, 80, 80), opacity=1),),
        label_item="reference",
        label_max_scale=2500,
        max_scale=50000,
    ),
    VectorLayer(
        name="zones",
        title="Zoning",
        abstract="Zones of the zoning plans in force, with their rules.",
        view="zones",
        public_items=(
            "plan",
            "code",
            "label",
            "max_height_m",
            "max_floors",
            "max_coverage_ratio",
            "max_floor_area_ratio",
            "min_setback_road_m",
            "min_setback_neighbour_m",
            "allowed_uses",
            "forbidden_uses",
            "commune_code",
        ),
        class_item="code",
        classes=_zone_classes(),
        label_item="code",
        label_max_scale=25000,
    ),
    VectorLayer(
        name="overlays",
        title="Overlays and servitudes",
        abstract="Heritage, flood, airport, road and utility servitudes, with the agency to consult.",
        view="overlays",
        public_items=("reference", "kind", "name", "agency_code", "agency_name_fr", "buffer_m", "commune_code"),
        class_item="kind",
        classes=_overlay_classes(),
    ),
    VectorLayer(
        name="authorised_projects",
        title="Authorised projects",
        abstract="Published decisions that authorise a project (no personal data).",
        view="authorised_projects",
        public_items=(
            "reference",
            "procedure",
            "procedure_name_fr",
            "decision",
            "decision_date",
            "use",
            "height_m",
            "floors",
            "gross_floor_area_m2",
            "units",
            "commune_code",
        ),
        classes=(
            StyleClass(
                name="authorised", title="Authorised project", fill=(220, 40, 60), outline=(140, 0, 20), width=1.5
            ),
        ),
        label_item="reference",
        label_max_scale=5000,
    ),
)

# Drawing order in a multi-layer request follows the client; this is the order of the capabilities.
LAYER_NAMES: tuple[str, ...] = tuple(layer.name for layer in VECTOR_LAYERS)
