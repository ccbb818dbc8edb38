"""The dataset pages: a view-model read from the registry (`opendata.catalogue`), rendered by the templates."""

from dataclasses import dataclass
from datetime import date, datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from opendata.catalogue import Dataset, dataset, datasets
from opendata.dcat.graph import FEEDS, Feed
from opendata.dcat.views import SERIALISATIONS
from opendata.dcat.vocabularies import FREQUENCIES, THEMES
from opendata.selectors import BoundingBox


@dataclass(frozen=True)
class Download:
    title: str | Promise
    extension: str
    media_type: str
    url: str

    @property
    def file_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class FeedLink:
    title: Promise
    description: Promise
    endpoint: str
    described_by: str


@dataclass(frozen=True)
class DatasetPage:
    dataset: Dataset
    url: str
    frequency: Promise
    theme: Promise
    modified: datetime | None
    temporal: tuple[date, date] | None
    spatial: dict[str, SafeString] | None  # west, south, east, north, each isolated left-to-right
    downloads: list[Download]
    feeds: list[FeedLink]

    @property
    def formats(self) -> list[str]:
        """Each download format once, in the registry's order."""
        return list(dict.fromkeys(download.extension for download in self.downloads))


def _coordinates(bbox: BoundingBox | None) -> dict[str, SafeString] | None:
    """The box's coordinates, each in a left-to-right island: a minus sign stays before its number in Arabic."""
    if bbox is None:
        return None
    names = ("west", "south", "east", "north")
    return {
        name: format_html('<bdi dir="ltr">{}</bdi>', number_format(value, 4))
        for name, value in zip(names, bbox, strict=True)
    }


def _feed_link(feed: Feed) -> FeedLink:
    return FeedLink(
        title=feed.title,
        description=feed.description,
        endpoint=reverse(feed.endpoint, kwargs=dict(feed.endpoint_kwargs)),
        described_by=reverse(feed.described_by, kwargs=dict(feed.described_kwargs)) + feed.described_query,
    )


def _page(item: Dataset, *, detailed: bool) -> DatasetPage:
    return DatasetPage(
        dataset=item,
        url=reverse("opendata:dataset", kwargs={"slug": item.slug}),
        frequency=FREQUENCIES[item.frequency],
        theme=THEMES[item.theme],
        modified=item.modified(),
        temporal=item.temporal_coverage() if detailed else None,
        spatial=_coordinates(item.spatial_coverage()) if detailed else None,
        downloads=[
            Download(
                title=distribution.title,
                extension=distribution.extension,
                media_type=distribution.media_type.split(";", 1)[0],
                url=distribution.path(),
            )
            for distribution in item.distributions
        ],
        feeds=[_feed_link(feed) for feed in FEEDS if item.slug in feed.serves] if detailed else [],
    )


def _catalogue_files() -> list[tuple[str, str]]:
    return [
        (extension, reverse("opendata:catalog-file", kwargs={"extension": extension})) for extension in SERIALISATIONS
    ]


@require_safe
def dataset_list(request: HttpRequest) -> HttpResponse:
    pages = [_page(item, detailed=False) for item in datasets()]
    return render(request, "opendata/dataset_list.html", {"pages": pages, "catalogue_files": _catalogue_files()})


@require_safe
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    item = dataset(slug)
    if item is None:
        raise Http404(slug)
    context = {"page": _page(item, detailed=True), "catalogue_files": _catalogue_files()}
    return render(request, "opendata/dataset_detail.html", context)
