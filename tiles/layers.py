"""The whitelist of tile layers: one per view of the `geoportal` schema, with its zoom range and generalisation.

A layer name in a URL is looked up here and nowhere else; the SQL only ever sees the quoted identifiers of a
layer found in this table. Large-polygon layers (`pieced=True`) are read from their subdivided Web-Mercator
copy in schema `geoportal_tiles` (see `tiles.pieces`), the others straight from their view, which makes them
real-time.
"""

from dataclasses import dataclass

GEOPORTAL_SCHEMA = "geoportal"
PIECES_SCHEMA = "geoportal_tiles"
WEB_MERCATOR_MAX_LATITUDE = 85.0511287798066


@dataclass(frozen=True)
class TileLayer:
    name: str  # the URL segment and the MVT layer name
    view: str  # the geoportal view it publishes
    title: str
    description: str
    minzoom: int
    maxzoom: int
    # Features whose area is under this many square pixels (of a 512-px tile) are dropped; 0 keeps everything.
    min_area_pixels: float
    # Douglas-Peucker tolerance, in pixels of a 512-px tile, applied in Web Mercator before encoding.
    simplify_pixels: float
    pieced: bool = False  # read the subdivided copy (large polygons) instead of the view
    small_as_points: bool = False  # a footprint too small to draw at this zoom becomes a point, not nothing
    world_bounds: bool = False  # features may appear anywhere at any time: advertise the whole world
    # Below `detail_zoom`, only `summary_fields` are encoded (besides the feature id): thousands of parcels per
    # tile at z14 would otherwise spend most of the tile on land titles and areas nobody reads at that scale.
    detail_zoom: int = 0
    summary_fields: tuple[str, ...] = ()

    @property
    def relation(self) -> tuple[str, str]:
        return (PIECES_SCHEMA, self.name) if self.pieced else (GEOPORTAL_SCHEMA, self.view)


LAYERS: dict[str, TileLayer] = {
    layer.name: layer
    for layer in (
        TileLayer(
            name="authorised_projects",
            view="authorised_projects",
            title="Authorised projects",
            description="Footprints of published, authorised projects (real-time); points where too small to draw.",
            minzoom=8,
            maxzoom=16,
            min_area_pixels=0,
            simplify_pixels=0.5,
            small_as_points=True,
            world_bounds=True,
        ),
        TileLayer(
            name="zones",
            view="zones",
            title="Zoning",
            description="Zones of the zoning plans in force, with their rules.",
            minzoom=10,
            maxzoom=16,
            min_area_pixels=4,
            simplify_pixels=0.5,
            pieced=True,
        ),
        TileLayer(
            name="overlays",
            view="overlays",
            title="Overlays and servitudes",
            description="Heritage, flood, airport, road and utility servitudes, with the agency to consult.",
            minzoom=10,
            maxzoom=16,
            min_area_pixels=4,
            simplify_pixels=0.5,
            pieced=True,
        ),
        TileLayer(
            name="parcels",
            view="parcels",
            title="Cadastral parcels",
            description="Cadastral parcels (public attributes only), from zoom 14.",
            minzoom=14,
            maxzoom=16,
            min_area_pixels=2,
            simplify_pixels=0.25,
            detail_zoom=16,
            summary_fields=("reference",),
        ),
        TileLayer(
            name="territories",
            view="territories",
            title="Territories",
            description="Regions, provinces and prefectures, communes and arrondissements.",
            minzoom=4,
            maxzoom=16,
            min_area_pixels=4,
            simplify_pixels=0.5,
            pieced=True,
        ),
    )
}


def layer_get(name: str) -> TileLayer | None:
    return LAYERS.get(name)
