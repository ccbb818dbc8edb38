"""The HTTP face of the downloads, public and anonymous, throttled by path (`THROTTLE_PATHS`, scope `datasets`),
read through the `geoportal` alias: `/opendata/datasets/authorised-projects.<extension>`, the indicator tables
`/opendata/datasets/<family>/<month|year>.<csv|json>` and the daily histories
`/opendata/datasets/indicators/<indicator>.<csv|json>[?territory=<code>|nation][&procedure=<code>|all]`.

Each answer carries a weak `ETag` (the dataset's version and the format) and `Last-Modified` (the latest
publication, or the latest successful refresh of the indicators), so a harvester's conditional request costs one
small query and gets 304; the media type, a `Content-Disposition` with a stable file name, and the licence as a
`Link: <...>; rel="license"` header. An unknown dataset or format is a 404 problem, an unknown filter a 400 one.
"""

import tempfile
from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.views.decorators.http import require_safe

from gis_core.problems import problem_response
from opendata import selectors
from opendata.catalogue import TABLE_MEDIA_TYPES, TABLE_PERIODS, dataset, indicator_dataset
from opendata.downloads.formats import FORMATS, FileFormat
from opendata.downloads.http import download_headers, not_modified, streamed
from opendata.downloads.indicators import (
    SnapshotQuery,
    csv_stream,
    json_stream,
    snapshot_rows,
    unknown_filters,
    version_tag,
)
from opendata.downloads.selectors import DatasetVersion, projects_batches, projects_version

DATASET = "authorised-projects"
HISTORY_FILTERS = ("territory", "procedure")


def _file_response(file_format: FileFormat, *, filename: str) -> FileResponse:
    """The file written to a temporary directory, unlinked at once: the open handle keeps it until it is sent."""
    with tempfile.TemporaryDirectory(prefix="opendata-") as directory:
        path = Path(directory) / filename
        file_format.write(projects_batches(), path)
        handle = path.open("rb")
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=file_format.media_type)


def _etag(extension: str, version: DatasetVersion) -> str:
    return f'W/"{extension}-{version.identity}"'


@require_safe
def authorised_projects(request: HttpRequest, extension: str) -> HttpResponseBase:
    file_format = FORMATS.get(extension)
    if file_format is None:
        known = ", ".join(sorted(FORMATS))
        return problem_response(404, "Unknown format", f"{DATASET} is published as: {known}.")
    version = projects_version()
    etag, last_modified = _etag(extension, version), version.last_published
    unchanged = not_modified(request, etag=etag, last_modified=last_modified)
    if unchanged is not None:
        return unchanged
    filename = f"{DATASET}.{extension}"
    response: StreamingHttpResponse | FileResponse
    if isinstance(file_format, FileFormat):
        response = _file_response(file_format, filename=filename)
    else:
        response = streamed(
            file_format.stream(projects_batches()), media_type=file_format.media_type, filename=filename
        )
    return download_headers(response, etag=etag, last_modified=last_modified)


def _indicator_download(
    request: HttpRequest, *, query: SnapshotQuery, dataset_slug: str, extension: str, filename: str
) -> HttpResponseBase:
    refreshed_at = selectors.indicators_freshness().refreshed_at
    etag = version_tag(extension=extension, refreshed_at=refreshed_at, address=request.get_full_path())
    unchanged = not_modified(request, etag=etag, last_modified=refreshed_at)
    if unchanged is not None:
        return unchanged
    rows = snapshot_rows(query)
    chunks = csv_stream(rows) if extension == "csv" else json_stream(rows, dataset=dataset_slug)
    response = streamed(chunks, media_type=TABLE_MEDIA_TYPES[extension], filename=filename)
    return download_headers(response, etag=etag, last_modified=refreshed_at)


def _unknown_format(name: str, extension: str) -> HttpResponseBase | None:
    if extension in TABLE_MEDIA_TYPES:
        return None
    return problem_response(404, "Unknown format", f"{name} is published as: {', '.join(TABLE_MEDIA_TYPES)}.")


@require_safe
def indicator_table(request: HttpRequest, family: str, period: str, extension: str) -> HttpResponseBase:
    """One indicator family's figures of every month or every year."""
    found = dataset(family)
    if found is None or not found.indicators:
        return problem_response(404, "Unknown dataset", f"No indicator dataset is named {family!r}.")
    if period not in TABLE_PERIODS:
        periods = ", ".join(str(each) for each in TABLE_PERIODS)
        return problem_response(404, "Unknown period", f"{family} is published per: {periods}.")
    unknown = _unknown_format(family, extension)
    if unknown is not None:
        return unknown
    query = SnapshotQuery(period=period, indicators=found.indicators)
    filename = f"{family}-{period}.{extension}"
    return _indicator_download(request, query=query, dataset_slug=found.slug, extension=extension, filename=filename)


@require_safe
def indicator_history(request: HttpRequest, indicator: str, extension: str) -> HttpResponseBase:
    """One indicator's daily figures, optionally of one territory and one procedure."""
    found = indicator_dataset(indicator)
    if found is None:
        return problem_response(404, "Unknown indicator", f"No published indicator is named {indicator!r}.")
    unknown = _unknown_format(indicator, extension)
    if unknown is not None:
        return unknown
    extra = sorted(set(request.GET) - set(HISTORY_FILTERS))
    if extra:
        allowed = ", ".join(HISTORY_FILTERS)
        return problem_response(400, "Unknown filter", f"Unknown parameter {', '.join(extra)}; the filters: {allowed}.")
    territory, procedure = request.GET.get("territory"), request.GET.get("procedure")
    wrong = unknown_filters(territory=territory, procedure=procedure)
    if wrong:
        given = "; ".join(f"{name}={request.GET[name]!r}" for name in wrong)
        return problem_response(400, "Unknown filter", f"No published code for {given}.")
    query = SnapshotQuery(period="day", indicators=(indicator,), territory=territory, procedure=procedure)
    filename = "-".join(part for part in (indicator, territory, procedure) if part) + f".{extension}"
    return _indicator_download(request, query=query, dataset_slug=found.slug, extension=extension, filename=filename)
