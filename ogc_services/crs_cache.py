"""pygeoapi's CRS work on every items request, made cheap: it builds `pyproj.CRS` objects for the `crs` parameter
(~36 ms per request) and transforms a `bbox` from its `bbox-crs` with pyproj, two corners only. The transform spec
depends only on the CRS URIs, so it is computed once per process; the bbox is handed to our provider as given,
which transforms it exactly in SQL (`ItemsQuery.where_bbox`). `install()` rebinds the names pygeoapi's items
handler imported.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_INSTALLED = False


def bbox_as_given(bbox: list[float], from_crs: Any, to_crs: Any, always_xy: bool = False) -> list[float]:
    """Stands for pygeoapi's `transform_bbox`: the provider reads the bbox in its `bbox-crs`."""
    return list(bbox)


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
    """Rebind pygeoapi's items handler to these functions (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    import pygeoapi.api.itemtypes as itemtypes

    itemtypes.transform_bbox = bbox_as_given
    itemtypes.create_crs_transform_spec = transform_spec_create
    _INSTALLED = True
