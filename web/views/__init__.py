"""The web pages: the public parcel map, the public map of authorised projects, the applicant space, the back
office and the account pages.

Each module is one face of the platform; views only translate requests into calls of the permits services and
selectors (never a model write) and render server-side templates in the active language (fr, ar, en).
"""

from web.views.parcel_map import (
    EXTENT_CACHE_KEY,
    EXTENT_CACHE_SECONDS,
    FALLBACK_BOUNDS,
    PARCELS_MAX_FEATURES,
    PARCELS_MIN_ZOOM,
    PARCELS_PAGE_SIZE,
    parcel_extent,
    parcel_map,
    script_catalogue,
)
from web.views.public_map import PUBLIC_MAP_CACHE_KEY, public_map

__all__ = [
    "EXTENT_CACHE_KEY",
    "EXTENT_CACHE_SECONDS",
    "FALLBACK_BOUNDS",
    "PARCELS_MAX_FEATURES",
    "PARCELS_MIN_ZOOM",
    "PARCELS_PAGE_SIZE",
    "PUBLIC_MAP_CACHE_KEY",
    "parcel_extent",
    "parcel_map",
    "public_map",
    "script_catalogue",
]
