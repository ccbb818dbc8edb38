"""Synthetic parcel layout: districts of street blocks, blocks split into lots with irregular edges.

Everything is laid out in a local frame: a Lambert azimuthal equal-area projection centred on the commune
(so planar areas are geodesic areas on the WGS84 ellipsoid) and rotated by a random street-grid angle.

- The commune is covered by a grid of square districts separated by avenues; districts are filled from the
  commune's centre outwards, so a small count gives one compact town and a large one spreads to the edges.
- Each district has a lot type (dense housing, apartment lots or villas) that sets the depth of its blocks,
  the size of its lots and the width of its streets.
- A district is cut into rows of blocks separated by streets; a block has two rows of lots back to back,
  sharing a straight back line. The lots of a row share their side lines: a side line is a polyline with a
  few jittered vertices, so neighbouring lots fit exactly (no overlap, no gap) while their edges look surveyed.
- Lots crossing the commune's boundary are clipped; clipped pieces outside 100-2,000 m² or 5-50 vertices are
  dropped.

Every step works on padded numpy arrays over a batch of districts: there is no Python loop per lot.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer

MIN_LOT_AREA_M2 = 100.0
MAX_LOT_AREA_M2 = 2_000.0
MIN_VERTICES = 5
MAX_VERTICES = 50

DISTRICT_PITCH_M = 500.0
AVENUE_WIDTH_M = 20.0
DISTRICT_SIZE_M = DISTRICT_PITCH_M - AVENUE_WIDTH_M

# Padded slots of one lot's ring; the maxima keep the vertex count at most 4 + 14 + 2 * 8 + 12 = 46.
MAX_FRONT_VERTICES = 14
MAX_SIDE_VERTICES = 8
MAX_BACK_VERTICES = 12
RING_SLOTS = 4 + MAX_FRONT_VERTICES + 2 * MAX_SIDE_VERTICES + MAX_BACK_VERTICES


@dataclass(frozen=True)
class LotType:
    """One kind of urban fabric; a district has a single lot type."""

    name: str
    share: float  # probability that a district has this type
    depth_m: tuple[float, float]  # depth of a lot from the street to the back line
    area_m2: tuple[float, float]  # target lot area, sampled log-uniformly
    block_length_m: tuple[float, float]
    street_width_m: tuple[float, float]


LOT_TYPES: tuple[LotType, ...] = (
    LotType("dense_housing", 0.68, (11.0, 15.0), (105.0, 190.0), (70.0, 180.0), (6.0, 10.0)),
    LotType("apartment_lots", 0.24, (18.0, 28.0), (200.0, 560.0), (90.0, 220.0), (8.0, 14.0)),
    LotType("villas", 0.08, (28.0, 45.0), (560.0, 1_500.0), (150.0, 260.0), (10.0, 16.0)),
)
LOT_TYPE_NAMES = np.array([lot_type.name for lot_type in LOT_TYPES])

_SHARE = np.array([lot_type.share for lot_type in LOT_TYPES])
_DEPTH = np.array([lot_type.depth_m for lot_type in LOT_TYPES])
_AREA = np.array([lot_type.area_m2 for lot_type in LOT_TYPES])
_BLOCK = np.array([lot_type.block_length_m for lot_type in LOT_TYPES])
_STREET = np.array([lot_type.street_width_m for lot_type in LOT_TYPES])


class CommuneTooSmall(ValueError):
    """The commune cannot hold the requested number of lots of 100-2,000 m²."""


@dataclass
class LotBatch:
    """Lots of one batch of districts, in lon/lat, with their geodesic areas and lot types."""

    geometries: np.ndarray  # shapely Polygons, EPSG:4326
    area_m2: np.ndarray
    lot_type: np.ndarray  # index into LOT_TYPES


def _uniform(rng: np.random.Generator, bounds: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform samples between bounds[..., 0] and bounds[..., 1], broadcast over `shape`."""
    low = bounds[..., 0].reshape(bounds.shape[0], *([1] * (len(shape) - 1)))
    high = bounds[..., 1].reshape(bounds.shape[0], *([1] * (len(shape) - 1)))
    return low + (high - low) * rng.random(shape)


def _packed(lengths: np.ndarray, gaps: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets of items laid one after another with a gap each, and which ones end within `limit`."""
    steps = lengths + gaps
    starts = np.cumsum(steps, axis=1) - steps
    return starts, starts + lengths <= limit


class CommuneFrame:
    """The commune in its local metric frame, with the transforms back to lon/lat."""

    def __init__(self, commune_lonlat: shapely.Geometry, rotation_degrees: float) -> None:
        commune_lonlat = shapely.make_valid(commune_lonlat)
        centre = shapely.point_on_surface(commune_lonlat)
        lon, lat = shapely.get_x(centre), shapely.get_y(centre)
        local_crs = CRS.from_proj4(f"+proj=laea +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m +no_defs")
        self._to_local = Transformer.from_crs(CRS.from_epsg(4326), local_crs, always_xy=True)
        self._to_lonlat = Transformer.from_crs(local_crs, CRS.from_epsg(4326), always_xy=True)
        angle = np.radians(rotation_degrees)
        self._cos, self._sin = float(np.cos(angle)), float(np.sin(angle))
        self.geometry = shapely.transform(commune_lonlat, self.lonlat_to_frame)
        shapely.prepare(self.geometry)
        self.commune_lonlat = commune_lonlat
        shapely.prepare(self.commune_lonlat)

    def lonlat_to_frame(self, coords: np.ndarray) -> np.ndarray:
        x, y = self._to_local.transform(coords[:, 0], coords[:, 1])
        # Rotate by -angle: the street grid is axis-aligned in the frame.
        return np.column_stack([x * self._cos + y * self._sin, -x * self._sin + y * self._cos])

    def frame_to_lonlat(self, coords: np.ndarray) -> np.ndarray:
        x = coords[:, 0] * self._cos - coords[:, 1] * self._sin
        y = coords[:, 0] * self._sin + coords[:, 1] * self._cos
        lon, lat = self._to_lonlat.transform(x, y)
        return np.column_stack([lon, lat])


class ParcelLayout:
    """Deterministic (per seed) lots over one commune, produced in batches of districts."""

    def __init__(self, commune_lonlat: shapely.Geometry, seed: int) -> None:
        self.seed = seed
        layout_rng = np.random.default_rng([seed, 0])
        self.frame = CommuneFrame(commune_lonlat, rotation_degrees=float(layout_rng.uniform(0, 90)))
        west, south, east, north = shapely.bounds(self.frame.geometry)
        columns = np.arange(np.floor(west / DISTRICT_PITCH_M), np.ceil(east / DISTRICT_PITCH_M))
        rows = np.arange(np.floor(south / DISTRICT_PITCH_M), np.ceil(north / DISTRICT_PITCH_M))
        grid_x, grid_y = np.meshgrid(columns * DISTRICT_PITCH_M, rows * DISTRICT_PITCH_M)
        origin_x = grid_x.ravel() + AVENUE_WIDTH_M / 2
        origin_y = grid_y.ravel() + AVENUE_WIDTH_M / 2
        squares = shapely.box(origin_x, origin_y, origin_x + DISTRICT_SIZE_M, origin_y + DISTRICT_SIZE_M)
        touching = shapely.intersects(self.frame.geometry, squares)
        # Fill from the centre of the commune (the frame's origin) outwards.
        centre_distance = np.hypot(origin_x + DISTRICT_SIZE_M / 2, origin_y + DISTRICT_SIZE_M / 2)
        order = np.flatnonzero(touching)[np.argsort(centre_distance[touching], kind="stable")]
        self.district_x = origin_x[order]
        self.district_y = origin_y[order]
        self.district_inside = shapely.contains_properly(self.frame.geometry, squares[order])
        self.district_share = np.ones(len(order))
        boundary = ~self.district_inside
        self.district_share[boundary] = (
            shapely.area(shapely.intersection(squares[order][boundary], self.frame.geometry)) / DISTRICT_SIZE_M**2
        )
        self.district_type = layout_rng.choice(len(LOT_TYPES), size=len(order), p=_SHARE / _SHARE.sum())

    @property
    def district_count(self) -> int:
        return len(self.district_x)

    def estimated_capacity(self) -> int:
        """Expected number of lots over the whole commune, from a sample of full districts of each type."""
        sample_rng = np.random.default_rng([self.seed, 1])
        per_type = np.zeros(len(LOT_TYPES))
        for type_index in range(len(LOT_TYPES)):
            types = np.full(8, type_index)
            zeros = np.zeros(8)
            polygons = self._lots(sample_rng, zeros, zeros, types)[0]
            per_type[type_index] = len(polygons) / 8
        return int((per_type[self.district_type] * self.district_share).sum() * 0.97)

    def batches(self, districts_per_batch: int = 16) -> Iterator[LotBatch]:
        """Lots of the commune, district batch after district batch, until the districts run out."""
        for start in range(0, self.district_count, districts_per_batch):
            stop = min(start + districts_per_batch, self.district_count)
            batch_rng = np.random.default_rng([self.seed, 2, start])
            polygons, lonlat, types, district = self._lots(
                batch_rng, self.district_x[start:stop], self.district_y[start:stop], self.district_type[start:stop]
            )
            batch = self._clip(polygons, lonlat, types, self.district_inside[start:stop][district])
            if len(batch.geometries):
                yield batch

    def _clip(
        self, polygons: np.ndarray, lonlat: np.ndarray, types: np.ndarray, inside_district: np.ndarray
    ) -> LotBatch:
        """Keep the lots inside the commune, clip the crossing ones (in lon/lat, against the true boundary)."""
        keep = np.ones(len(polygons), dtype=bool)
        geometries = lonlat.copy()
        areas = shapely.area(polygons)
        crossing = np.flatnonzero(~inside_district)
        if len(crossing):
            crossing = crossing[~shapely.contains_properly(self.frame.geometry, polygons[crossing])]
        if len(crossing):
            clipped = shapely.intersection(lonlat[crossing], self.frame.commune_lonlat)
            vertices = shapely.get_num_coordinates(clipped) - 1
            fits = (shapely.get_type_id(clipped) == 3) & (vertices >= MIN_VERTICES) & (vertices <= MAX_VERTICES)
            keep[crossing[~fits]] = False
            crossing, clipped = crossing[fits], clipped[fits]
            geometries[crossing] = clipped
            areas[crossing] = shapely.area(shapely.transform(clipped, self.frame.lonlat_to_frame))
        keep &= (areas >= MIN_LOT_AREA_M2) & (areas <= MAX_LOT_AREA_M2)
        keep[keep] &= shapely.is_valid(geometries[keep])
        geometries, lot_areas, lot_types = geometries[keep], areas[keep], types[keep]
        return LotBatch(geometries, lot_areas, lot_types)

    def _lots(
        self, rng: np.random.Generator, origin_x: np.ndarray, origin_y: np.ndarray, district_type: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Unclipped lots of a batch of districts: (polygons in the frame, in lon/lat, lot types, district)."""
        size = DISTRICT_SIZE_M
        count = len(origin_x)
        # Rows of blocks up the district: a block is two lot depths deep, followed by a street.
        max_rows = int(np.ceil(size / (2 * _DEPTH[:, 0].min() + _STREET[:, 0].min()))) + 1
        front_depth = _uniform(rng, _DEPTH[district_type], (count, max_rows))
        back_depth = _uniform(rng, _DEPTH[district_type], (count, max_rows))
        street = _uniform(rng, _STREET[district_type], (count, max_rows))
        row_y, row_kept = _packed(front_depth + back_depth, street, size)
        row_district = np.nonzero(row_kept)[0]
        row_y = row_y[row_kept]
        front_depth, back_depth = front_depth[row_kept], back_depth[row_kept]
        row_type = district_type[row_district]

        # Blocks along each row, separated by cross streets.
        max_columns = int(np.ceil(size / (_BLOCK[:, 0].min() + _STREET[:, 0].min()))) + 1
        block_rows = len(row_y)
        length = _uniform(rng, _BLOCK[row_type], (block_rows, max_columns))
        cross_street = _uniform(rng, _STREET[row_type], (block_rows, max_columns))
        block_x, block_kept = _packed(length, cross_street, size)
        block_row = np.nonzero(block_kept)[0]
        block_x, length = block_x[block_kept], length[block_kept]
        block_district = row_district[block_row]
        block_type = row_type[block_row]
        block_y, depth_a, depth_b = row_y[block_row], front_depth[block_row], back_depth[block_row]
        # The shared back line is straight but not parallel to the streets: depth varies by up to 12%.
        slope = rng.uniform(-1, 1, len(block_x)) * 0.12 * np.minimum(depth_a, depth_b) / (length / 2)

        # Two lot rows per block: row A faces the lower street, row B (mirrored) the upper one.
        blocks = len(block_x)
        lot_row_block = np.concatenate([np.arange(blocks), np.arange(blocks)])
        mirrored = np.concatenate([np.zeros(blocks, bool), np.ones(blocks, bool)])
        row_depth = np.concatenate([depth_a, depth_b])
        row_slope = np.concatenate([slope, -slope])
        row_length = length[lot_row_block]
        lot_row_type = block_type[lot_row_block]

        # Frontages: lot areas sampled log-uniformly, divided by the depth; the row is then stretched to fit.
        smallest_frontage = (_AREA[:, 0] / _DEPTH[:, 1]).min()
        max_lots = int(np.ceil(_BLOCK[:, 1].max() / smallest_frontage)) + 1
        log_area = _uniform(rng, np.log(_AREA[lot_row_type]), (len(row_length), max_lots))
        frontage = np.exp(log_area) / row_depth[:, None]
        ends = np.cumsum(frontage, axis=1)
        lot_kept = ends <= row_length[:, None]
        lot_kept[:, 0] = True
        lots_per_row = lot_kept.sum(axis=1)
        stretch = row_length / ends[np.arange(len(row_length)), lots_per_row - 1]
        frontage = np.where(lot_kept, frontage * stretch[:, None], 0.0)
        sides = np.zeros((len(row_length), max_lots + 1))
        sides[:, 1:] = np.cumsum(frontage, axis=1)

        # Side lines (shared by the two lots either side): jittered front and back corners and 0-8 vertices.
        neighbour = np.full((len(row_length), max_lots + 2), np.inf)
        neighbour[:, 1:-1] = np.where(lot_kept, frontage, np.inf)
        side_room = np.minimum(neighbour[:, :-1], neighbour[:, 1:])  # narrowest adjacent frontage
        side_room = np.where(np.isfinite(side_room), side_room, 0.0)
        shape = side_room.shape
        front_corner_u = sides + rng.uniform(-0.04, 0.04, shape) * side_room
        back_corner_u = sides + rng.uniform(-0.12, 0.12, shape) * side_room
        side_vertex_count = np.minimum(rng.geometric(0.4, shape) - 1, MAX_SIDE_VERTICES)
        side_t = np.sort(rng.uniform(0.15, 0.9, (*shape, MAX_SIDE_VERTICES)), axis=2)
        side_u = sides[..., None] + rng.uniform(-0.12, 0.12, (*shape, MAX_SIDE_VERTICES)) * side_room[..., None]

        def depth_at(u: np.ndarray, rows: np.ndarray) -> np.ndarray:
            extra_axes = (1,) * (u.ndim - 1)
            half = (row_length[rows] / 2).reshape(-1, *extra_axes)
            return row_depth[rows].reshape(-1, *extra_axes) + row_slope[rows].reshape(-1, *extra_axes) * (u - half)

        lot_row, lot_index = np.nonzero(lot_kept)
        lots = len(lot_row)
        left, right = lot_index, lot_index + 1
        lot_frontage = frontage[lot_row, lot_index]
        lot_left_u = sides[lot_row, left]

        ring_u = np.zeros((lots, RING_SLOTS))
        ring_v = np.zeros((lots, RING_SLOTS))
        ring_used = np.zeros((lots, RING_SLOTS), dtype=bool)
        on_back_line = np.zeros((lots, RING_SLOTS), dtype=bool)
        slot = 0

        def put(u: np.ndarray, v: np.ndarray, used: np.ndarray | None = None, back_line: bool = False) -> None:
            nonlocal slot
            width = 1 if u.ndim == 1 else u.shape[1]
            ring_u[:, slot : slot + width] = u.reshape(lots, width)
            ring_v[:, slot : slot + width] = v.reshape(lots, width)
            ring_used[:, slot : slot + width] = True if used is None else used.reshape(lots, width)
            on_back_line[:, slot : slot + width] = back_line
            slot += width

        # Front edge, left to right, with 1-14 vertices jittered by up to 0.3 m across the street line.
        put(front_corner_u[lot_row, left], np.zeros(lots))
        front_count = np.minimum(rng.geometric(0.3, lots), MAX_FRONT_VERTICES)
        front_fraction = np.sort(rng.uniform(0.15, 0.85, (lots, MAX_FRONT_VERTICES)), axis=1)
        put(
            lot_left_u[:, None] + front_fraction * lot_frontage[:, None],
            rng.uniform(-0.3, 0.3, (lots, MAX_FRONT_VERTICES)),
            np.arange(MAX_FRONT_VERTICES) < front_count[:, None],
        )
        put(front_corner_u[lot_row, right], np.zeros(lots))
        # Right side line, front to back.
        right_u = side_u[lot_row, right]
        put(
            right_u,
            side_t[lot_row, right] * depth_at(right_u, lot_row),
            np.arange(MAX_SIDE_VERTICES) < side_vertex_count[lot_row, right][:, None],
        )
        back_right = back_corner_u[lot_row, right]
        put(back_right, depth_at(back_right, lot_row), back_line=True)
        # Back edge, right to left, on the straight line shared with the lots of the other row.
        back_count = np.minimum(rng.geometric(0.35, lots) - 1, MAX_BACK_VERTICES)
        back_fraction = np.sort(rng.uniform(0.15, 0.85, (lots, MAX_BACK_VERTICES)), axis=1)[:, ::-1]
        back_u = lot_left_u[:, None] + back_fraction * lot_frontage[:, None]
        put(back_u, depth_at(back_u, lot_row), np.arange(MAX_BACK_VERTICES) < back_count[:, None], back_line=True)
        back_left = back_corner_u[lot_row, left]
        put(back_left, depth_at(back_left, lot_row), back_line=True)
        # Left side line, back to front.
        left_u = side_u[lot_row, left][:, ::-1]
        put(
            left_u,
            side_t[lot_row, left][:, ::-1] * depth_at(left_u, lot_row),
            (np.arange(MAX_SIDE_VERTICES) < side_vertex_count[lot_row, left][:, None])[:, ::-1],
        )

        # From lot-row coordinates to the frame: mirror row B across its block, then place block and district.
        block = lot_row_block[lot_row]
        block_width = depth_a[block] + depth_b[block]
        ring_v = np.where(mirrored[lot_row][:, None], block_width[:, None] - ring_v, ring_v)
        district = block_district[block]
        block_left = origin_x[block_district] + block_x
        block_bottom = origin_y[block_district] + block_y
        x = ring_u + block_left[block][:, None]
        y = ring_v + block_bottom[block][:, None]
        frame_coords = np.column_stack([x[ring_used], y[ring_used]])
        ring_of_vertex = np.repeat(np.arange(lots), ring_used.sum(axis=1))
        frame_polygons = shapely.polygons(shapely.linearrings(frame_coords, indices=ring_of_vertex))

        # In lon/lat a straight line of the frame bends slightly: the two rows of a block put different
        # vertices on their shared back line, so those are placed on the straight lon/lat segment between
        # the line's ends; otherwise the rows would overlap by micrometre slivers.
        lonlat = self.frame.frame_to_lonlat(frame_coords)
        back_start = self.frame.frame_to_lonlat(
            np.column_stack([block_left, block_bottom + depth_a - slope * length / 2])
        )
        back_end = self.frame.frame_to_lonlat(
            np.column_stack([block_left + length, block_bottom + depth_a + slope * length / 2])
        )
        on_back = on_back_line[ring_used]
        vertex_block = np.repeat(block, ring_used.sum(axis=1))[on_back]
        along = (ring_u[ring_used][on_back] / length[vertex_block])[:, None]
        lonlat[on_back] = back_start[vertex_block] + along * (back_end[vertex_block] - back_start[vertex_block])
        lonlat_polygons = shapely.polygons(shapely.linearrings(lonlat, indices=ring_of_vertex))
        return frame_polygons, lonlat_polygons, block_type[block], district
