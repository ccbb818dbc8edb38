"""Raster layers of the WMS/WMTS: a source raster prepared with rasterio as a Cloud-Optimised GeoTIFF.

`raster_prepare` optionally turns a DEM into a hillshade (numpy), reprojects to the serving CRS (Web Mercator
by default), and writes a COG (512 px tiles, DEFLATE, internal overviews) through GDAL's COG driver;
`cog_validate` checks the layout the way GDAL's validate_cloud_optimized_geotiff does (tiled, overviews,
IFDs before the data, smallest overview's data first), so a plain GeoTIFF is never served as a COG.
`SHARED_RASTERS` are the layers the set-up prepares from `../shared/data` (`raster_prepare --shared`, run by
`make demo`), each only when its COG is missing or older than its source.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio.io import MemoryFile
from rasterio.shutil import copy as raster_copy
from rasterio.warp import Resampling, calculate_default_transform, reproject

METRES_PER_DEGREE = 111_320.0
BLOCK_SIZE = 512


@dataclass(frozen=True)
class RasterSource:
    """A raster layer of the shared data: its name, its source inside the shared data folder, how to prepare it."""

    name: str
    path: str
    hillshade: bool = False
    z_factor: float = 1.0


SHARED_RASTERS = (
    # HydroSHEDS DEM of Dallas-Fort Worth (a flat area: exaggerated five times to show its relief).
    RasterSource(name="hillshade", path="rasters/pysheds/dem.tif", hillshade=True, z_factor=5.0),
)


def raster_is_current(*, source: Path, destination: Path) -> bool:
    """The prepared COG exists and is not older than its source."""
    return destination.is_file() and destination.stat().st_mtime_ns >= source.stat().st_mtime_ns


class CogError(ValueError):
    """The file is not a valid Cloud-Optimised GeoTIFF."""


@dataclass(frozen=True)
class CogReport:
    path: Path
    crs: str
    width: int
    height: int
    block_size: tuple[int, int]
    overviews: list[int]
    bounds: tuple[float, float, float, float]


def hillshade(
    elevation: np.ndarray,
    *,
    cell_width_m: float,
    cell_height_m: float,
    azimuth: float = 315.0,
    altitude: float = 45.0,
    z_factor: float = 1.0,
) -> np.ndarray:
    """Horn-style hillshade of a masked elevation array, as uint8 1..255 (0 is nodata)."""
    filled = np.ma.filled(np.ma.masked_invalid(elevation.astype("float64")), np.nan)
    mean = np.nanmean(filled) if np.isfinite(filled).any() else 0.0
    grid = np.where(np.isfinite(filled), filled, mean) * z_factor
    dz_dy, dz_dx = np.gradient(grid, cell_height_m, cell_width_m)
    slope = np.arctan(np.hypot(dz_dx, dz_dy))
    aspect = np.arctan2(-dz_dx, dz_dy)
    azimuth_rad = math.radians(360.0 - azimuth + 90.0)
    zenith = math.radians(90.0 - altitude)
    shaded = np.cos(zenith) * np.cos(slope) + np.sin(zenith) * np.sin(slope) * np.cos(azimuth_rad - aspect)
    result = (np.clip(shaded, 0, 1) * 254 + 1).astype("uint8")
    result[~np.isfinite(filled)] = 0
    return result


def _hillshade_dataset(
    source: rasterio.DatasetReader, memory: MemoryFile, *, z_factor: float
) -> rasterio.DatasetReader:
    elevation = source.read(1, masked=True).astype("float64").filled(np.nan)
    width_unit, height_unit = abs(source.transform.a), abs(source.transform.e)
    if source.crs and source.crs.is_geographic:
        latitude = (source.bounds.top + source.bounds.bottom) / 2
        width_m = width_unit * METRES_PER_DEGREE * math.cos(math.radians(latitude))
        height_m = height_unit * METRES_PER_DEGREE
    else:
        width_m, height_m = width_unit, height_unit
    shaded = hillshade(elevation, cell_width_m=width_m, cell_height_m=height_m, z_factor=z_factor)
    profile = {
        "driver": "GTiff",
        "dtype": "uint8",
        "count": 1,
        "width": source.width,
        "height": source.height,
        "crs": source.crs,
        "transform": source.transform,
        "nodata": 0,
    }
    with memory.open(**profile) as target:
        target.write(shaded, 1)
    return memory.open()


def raster_prepare(
    *, source: Path, destination: Path, crs: str = "EPSG:3857", make_hillshade: bool = False, z_factor: float = 1.0
) -> CogReport:
    """Write `source` (or its hillshade) as a COG in `crs` at `destination`; return the validation report."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(source) as original, MemoryFile() as shade_memory, MemoryFile() as warp_memory:
        dataset = _hillshade_dataset(original, shade_memory, z_factor=z_factor) if make_hillshade else original
        nodata = dataset.nodata
        if dataset.crs is None:
            raise CogError(f"{source} has no CRS")
        if dataset.crs.to_string() != crs and dataset.crs.to_epsg() != int(crs.split(":")[-1]):
            transform, width, height = calculate_default_transform(
                dataset.crs, crs, dataset.width, dataset.height, *dataset.bounds
            )
            profile = dataset.profile | {
                "driver": "GTiff",
                "crs": crs,
                "transform": transform,
                "width": width,
                "height": height,
                "tiled": True,
                "blockxsize": BLOCK_SIZE,
                "blockysize": BLOCK_SIZE,
            }
            for unwanted in ("compress", "photometric", "jpeg_quality"):
                profile.pop(unwanted, None)
            with warp_memory.open(**profile) as warped:
                for band in range(1, dataset.count + 1):
                    reproject(
                        source=rasterio.band(dataset, band),
                        destination=rasterio.band(warped, band),
                        src_nodata=nodata,
                        dst_nodata=nodata,
                        resampling=Resampling.bilinear,
                    )
            dataset = warp_memory.open()
        temporary = destination.with_name(f".{destination.name}.tmp")
        raster_copy(
            dataset,
            temporary,
            driver="COG",
            BLOCKSIZE=BLOCK_SIZE,
            COMPRESS="DEFLATE",
            PREDICTOR="YES",
            OVERVIEWS="IGNORE_EXISTING",
            RESAMPLING="AVERAGE",
            OVERVIEW_RESAMPLING="AVERAGE",
        )
    report = cog_validate(temporary)
    temporary.replace(destination)
    return CogReport(**{**report.__dict__, "path": destination})


def cog_validate(path: Path) -> CogReport:
    """Raise CogError unless `path` is a Cloud-Optimised GeoTIFF (the checks of GDAL's validator)."""
    with rasterio.open(path) as dataset:
        if dataset.driver != "GTiff":
            raise CogError(f"{path} is not a GeoTIFF ({dataset.driver})")
        block_height, block_width = dataset.block_shapes[0]
        tiled = dataset.profile.get("tiled", False) and block_width == block_height and block_width % 16 == 0
        if not tiled and (dataset.width > BLOCK_SIZE or dataset.height > BLOCK_SIZE):
            raise CogError(f"{path} is not tiled")
        overviews = dataset.overviews(1)
        if not overviews and (dataset.width > block_width or dataset.height > block_height):
            raise CogError(f"{path} has no internal overviews")
        main_ifd = int(dataset.get_tag_item("IFD_OFFSET", "TIFF", bidx=1) or 0)
        main_data = int(dataset.get_tag_item("BLOCK_OFFSET_0_0", "TIFF", bidx=1) or 0)
        ifds = [main_ifd] + [
            int(dataset.get_tag_item("IFD_OFFSET", "TIFF", bidx=1, ovr=level) or 0) for level in range(len(overviews))
        ]
        data = [main_data] + [
            int(dataset.get_tag_item("BLOCK_OFFSET_0_0", "TIFF", bidx=1, ovr=level) or 0)
            for level in range(len(overviews))
        ]
        if ifds != sorted(ifds):
            raise CogError(f"{path}: the overviews' IFDs do not follow the main IFD")
        first_data = min((offset for offset in data if offset), default=0)
        if first_data and max(ifds) > first_data:
            raise CogError(f"{path}: image data comes before the last IFD")
        if data[1:] and data != sorted(data, reverse=True):
            raise CogError(f"{path}: the smallest overview's data must come first")
        return CogReport(
            path=path,
            crs=dataset.crs.to_string() if dataset.crs else "",
            width=dataset.width,
            height=dataset.height,
            block_size=(block_width, block_height),
            overviews=list(overviews),
            bounds=tuple(dataset.bounds),
        )
