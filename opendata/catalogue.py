"""The registry of published datasets: one place that the pages, the downloads and the DCAT catalogue read.

A `Dataset` says what it is (title, description, keywords, EU data themes), under which licence and how often it
changes, where and when it is about (callables: asked at read time), and its `Distribution`s (one per file format,
each a named URL of this face). `datasets()` lists them in order; `dataset(slug)` finds one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.gis.db.models import Extent
from django.db import connections
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gis_core.models import Territory
from gis_core.public_reader import PUBLIC_DATABASE
from gis_core.sql_files import sql_text
from opendata.downloads.formats import FORMATS, LICENCE_NAME, LICENCE_URL
from opendata.downloads.selectors import projects_version

BoundingBox = tuple[float, float, float, float]  # west, south, east, north (longitude, latitude)
DAILY = "http://publications.europa.eu/resource/authority/frequency/DAILY"


@dataclass(frozen=True)
class Licence:
    name: str
    url: str


LICENCE_OUVERTE = Licence(name=LICENCE_NAME, url=LICENCE_URL)


@dataclass(frozen=True)
class Distribution:
    extension: str
    media_type: str
    title: str | Promise
    url_name: str  # in the `opendata` namespace
    url_kwargs: tuple[tuple[str, str], ...]

    def path(self) -> str:
        return reverse(f"opendata:{self.url_name}", kwargs=dict(self.url_kwargs))


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str | Promise
    description: str | Promise
    keywords: tuple[str | Promise, ...]
    theme: str  # a URI of the EU data-theme table
    distributions: tuple[Distribution, ...]
    temporal_coverage: Callable[[], tuple[date, date] | None]  # first and last day covered
    modified: Callable[[], datetime | None]
    licence: Licence = LICENCE_OUVERTE
    frequency: str = DAILY  # a URI of the EU frequency table

    def spatial_coverage(self) -> BoundingBox | None:
        return territories_bbox()


def territories_bbox() -> BoundingBox | None:
    """The box around every territory the platform knows (None before any is loaded)."""
    extent = Territory.objects.aggregate(extent=Extent("geom"))["extent"]
    return tuple(float(value) for value in extent) if extent else None  # type: ignore[return-value]


def _projects_period() -> tuple[date, date] | None:
    with connections[PUBLIC_DATABASE].cursor() as cursor:
        cursor.execute(sql_text("opendata", "authorised_projects_period"))
        first, last = cursor.fetchone()
    return (first, last) if first else None


_PROJECT_FORMATS = {
    "geojson": _("GeoJSON (RFC 7946)"),
    "gpkg": _("GeoPackage"),
    "fgb": _("FlatGeobuf"),
    "parquet": _("GeoParquet"),
    "csv": _("CSV with WKT geometry"),
}

_DATASETS = (
    Dataset(
        slug="authorised-projects",
        title=_("Authorised projects"),
        description=_(
            "Every published decision that authorises a project: procedure, decision and its date, use, "
            "activity, height, storeys, floor area, housing units, commune and the footprint. No personal data."
        ),
        keywords=(_("building permit"), _("urban planning"), _("authorisation")),
        theme="http://publications.europa.eu/resource/authority/data-theme/REGI",
        temporal_coverage=_projects_period,
        modified=lambda: projects_version().last_published,
        distributions=tuple(
            Distribution(
                extension=extension,
                media_type=FORMATS[extension].media_type,
                url_name="authorised-projects-download",
                url_kwargs=(("extension", extension),),
                title=title,
            )
            for extension, title in _PROJECT_FORMATS.items()
        ),
    ),
)


def datasets() -> tuple[Dataset, ...]:
    return _DATASETS


def dataset(slug: str) -> Dataset | None:
    return next((item for item in _DATASETS if item.slug == slug), None)
