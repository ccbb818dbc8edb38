"""The registry of the published datasets: one place that lists them for the portal's pages, the downloads and
the DCAT catalogue. A `Dataset` says what it is (title, description and keywords in English, translated),
under which licence, how often it changes, where and when it applies, and in which `Distribution`s (a file
format at a URL name and its arguments) it is published. `datasets()` lists them, `dataset(slug)` finds one.

The indicator datasets are the four families of `docs/opendata.md`, each published as a table per month and per
year (CSV and JSON) and as the daily history of each of its indicators.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from opendata import selectors
from opendata.downloads.formats import FORMATS
from opendata.downloads.selectors import projects_version
from opendata.licence import LICENCE, Licence
from opendata.models import Period

Text = str | Promise
# The EU vocabularies DCAT-AP uses for the theme and the update frequency
THEMES = "http://publications.europa.eu/resource/authority/data-theme/"
DAILY = "http://publications.europa.eu/resource/authority/frequency/DAILY"
TABLE_PERIODS = (Period.MONTH, Period.YEAR)
TABLE_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8; header=present", "json": "application/json"}
FORMAT_NAMES = {"geojson": "GeoJSON", "csv": "CSV", "gpkg": "GeoPackage", "fgb": "FlatGeobuf", "parquet": "GeoParquet"}


@dataclass(frozen=True)
class Distribution:
    """One file of a dataset: its format (the URL's extension), media type, title, and the URL name (in the
    `opendata` namespace) and arguments that give its address."""

    extension: str
    media_type: str
    title: Text
    url_name: str
    url_kwargs: tuple[tuple[str, str], ...]

    def path(self) -> str:
        return reverse(f"opendata:{self.url_name}", kwargs=dict(self.url_kwargs))


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Text
    description: Text
    keywords: tuple[Text, ...]
    theme: str  # a data-theme URI
    distributions: tuple[Distribution, ...]
    temporal_coverage: Callable[[], tuple[date, date] | None]  # first and last day covered
    modified: Callable[[], datetime | None]  # last successful refresh, or latest publication
    indicators: tuple[str, ...] = ()  # an indicator family's indicators (docs/opendata.md)
    licence: Licence = LICENCE
    frequency: str = DAILY

    def spatial_coverage(self) -> selectors.BoundingBox | None:
        """Every dataset covers the published territories."""
        return selectors.territories_extent()


PERIOD_TABLE_TITLES = {Period.MONTH: _("Table per month"), Period.YEAR: _("Table per year")}


def _indicators_coverage() -> tuple[date, date] | None:
    return selectors.indicators_freshness().coverage


def _indicators_modified() -> datetime | None:
    return selectors.indicators_freshness().refreshed_at


def _projects_modified() -> datetime | None:
    return projects_version().last_published


def _family_distributions(slug: str, indicators: tuple[str, ...]) -> tuple[Distribution, ...]:
    tables = tuple(
        Distribution(
            extension,
            media_type,
            format_lazy("{} ({})", PERIOD_TABLE_TITLES[period], extension.upper()),
            "indicator-table",
            (("family", slug), ("period", str(period)), ("extension", extension)),
        )
        for period in TABLE_PERIODS
        for extension, media_type in TABLE_MEDIA_TYPES.items()
    )
    histories = tuple(
        Distribution(
            extension,
            media_type,
            format_lazy("{}: {} ({})", _("Daily history"), indicator, extension.upper()),
            "indicator-history",
            (("indicator", indicator), ("extension", extension)),
        )
        for indicator in indicators
        for extension, media_type in TABLE_MEDIA_TYPES.items()
    )
    return tables + histories


def _indicator_family(
    slug: str, title: Text, description: Text, keywords: tuple[Text, ...], indicators: tuple[str, ...]
) -> Dataset:
    return Dataset(
        slug=slug,
        title=title,
        description=description,
        keywords=keywords,
        theme=f"{THEMES}GOVE",
        distributions=_family_distributions(slug, indicators),
        temporal_coverage=_indicators_coverage,
        modified=_indicators_modified,
        indicators=indicators,
    )


AUTHORISED_PROJECTS = Dataset(
    slug="authorised-projects",
    title=_("Authorised projects"),
    description=_(
        "The published authorised projects with their footprint: procedure, decision and its date, use, "
        "economic activity, height, storeys, floor area, units and commune. No personal data."
    ),
    keywords=(_("building permits"), _("urban planning"), _("construction")),
    theme=f"{THEMES}REGI",
    distributions=tuple(
        Distribution(
            extension,
            file_format.media_type,
            FORMAT_NAMES[extension],
            "authorised-projects-download",
            (("extension", extension),),
        )
        for extension, file_format in FORMATS.items()
    ),
    temporal_coverage=selectors.projects_coverage,
    modified=_projects_modified,
)


INDICATOR_FAMILIES = (
    _indicator_family(
        "files-flow",
        _("Files flow"),
        _(
            "Planning applications filed, declared complete, decided (authorised, refused, tacitly), withdrawn and "
            "published, per procedure and territory (commune, province, region, nation)."
        ),
        (_("planning applications"), _("building permits"), _("decisions")),
        (
            "filed",
            "completed",
            "decided",
            "authorised",
            "refused",
            "tacitly_decided",
            "withdrawn",
            "published",
        ),
    ),
    _indicator_family(
        "processing-times",
        _("Processing times"),
        _(
            "Days from filing to completeness, to the decision and to signature, instruction and commission "
            "times, the share decided within the legal limit and the rounds of remarks: mean, median and 90th "
            "percentile per procedure and territory."
        ),
        (_("processing times"), _("legal limits"), _("planning applications")),
        (
            "decision_days",
            "completeness_days",
            "instruction_days",
            "commission_days",
            "signature_days",
            "decided_within_limit",
            "remark_rounds",
        ),
    ),
    _indicator_family(
        "agencies-and-commissions",
        _("Agencies and commissions"),
        _(
            "Opinions of the consulted agencies (on time, late, tacit, and their delay) and the sessions of the "
            "commissions (held, slots offered and booked, files examined per session)."
        ),
        (_("consultations"), _("commissions"), _("public agencies")),
        (
            "opinions_on_time",
            "opinions_late",
            "opinions_tacit",
            "opinion_days",
            "sessions_held",
            "slots_offered",
            "slots_booked",
            "files_examined_per_session",
        ),
    ),
    _indicator_family(
        "what-gets-built",
        _("What gets built"),
        _(
            "Authorised projects' floor area, footprint and storeys, and the authorisations per use and per "
            "economic activity, per procedure and territory."
        ),
        (_("construction"), _("floor area"), _("land use")),
        (
            "authorised_floor_area_m2",
            "authorised_footprint_m2",
            "authorised_storeys",
            "authorised_by_use",
            "authorised_by_activity",
        ),
    ),
)

DATASETS = (AUTHORISED_PROJECTS, *INDICATOR_FAMILIES)


def datasets() -> tuple[Dataset, ...]:
    """Every published dataset, in the order the portal lists them."""
    return DATASETS


def dataset(slug: str) -> Dataset | None:
    return next((each for each in datasets() if each.slug == slug), None)


def indicator_dataset(indicator: str) -> Dataset | None:
    """The indicator family publishing `indicator`."""
    return next((each for each in datasets() if indicator in each.indicators), None)
