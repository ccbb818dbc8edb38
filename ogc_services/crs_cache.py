"""Cache pygeoapi's CRS work: it builds `pyproj.CRS` objects, a `Transformer` and calls `CRS.to_epsg()` on every
items request with a bbox (~36 ms per request). The results depend only on the CRS URIs, so they are
computed once per process. `install()` rebinds the names pygeoapi's items handler imported.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pyproj

_INSTALLED = False


@lru_cache(maxsize=64)
def crs_get(uri: str) -> pyproj.CRS:
    from pygeoapi.crs import get_crs as pygeoapi_get_crs

    return pygeoapi_get_crs(uri)


@lru_cache(maxsize=64)
def _transformer(from_uri: str, to_uri: str, always_xy: bool) -> tuple[Any, bool]:
    from_crs, to_crs = crs_get(from_uri), crs_get(to_uri)
    if from_crs == to_crs:
        return None, False
    return pyproj.Transformer.from_crs(from_crs, to_crs, always_xy).transform, to_crs.to_epsg() == 3857


def bbox_transform(bbox: list[float], from_crs: Any, to_crs: Any, always_xy: bool = False) -> list[float]:
    """pygeoapi's `transform_bbox`, with the CRS objects and the transformer cached; identity when equal."""
    if not isinstance(from_crs, str) or not isinstance(to_crs, str):
        from pygeoapi.crs import transform_bbox

        return list(transform_bbox(bbox, from_crs, to_crs, always_xy))
    transform, web_mercator = _transformer(from_crs, to_crs, always_xy)
    if transform is None:
        return list(bbox)
    if web_mercator:
        bbox = [bbox[0], max(-85.0511, bbox[1]), bbox[2], min(85.0511, bbox[3])]
    dims = len(bbox) // 2
    return list(transform(*bbox[:dims]) + transform(*bbox[dims:]))


@lru_cache(maxsize=256)
def _transform_spec(storage_crs: str, query_crs: str | None, supported: tuple[str, ...], always_xy: bool) -> Any:
    from pygeoapi.crs import create_crs_transform_spec

    provider_def: dict[str, Any] = {"storage_crs": storage_crs, "crs": list(supported), "always_xy": always_xy}
    if not supported:
        provider_def.pop("crs")
    return create_crs_transform_spec(provider_def, query_crs)


def transform_spec_create(provider_def: dict[str, Any], query_crs_uri: str | None = None) -> Any:
    """pygeoapi's `create_crs_transform_spec`, cached on the few values it reads (errors are not cached)."""
    from pygeoapi.crs import DEFAULT_STORAGE_CRS

    return _transform_spec(
        provider_def.get("storage_crs", DEFAULT_STORAGE_CRS),
        query_crs_uri,
        tuple(provider_def.get("crs") or ()),
        bool(provider_def.get("always_xy", False)),
    )


def install() -> None:
    """Rebind pygeoapi's items handler to the cached functions (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    import pygeoapi.api.itemtypes as itemtypes

    itemtypes.transform_bbox = bbox_transform
    itemtypes.create_crs_transform_spec = transform_spec_create
    _INSTALLED = True
