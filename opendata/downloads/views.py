"""The HTTP face of the downloads: `/opendata/datasets/authorised-projects.<extension>`, public and anonymous,
throttled by path (`THROTTLE_PATHS`, scope `datasets`), read through the `geoportal` alias.

Each answer carries a weak `ETag` (the dataset's version and the format) and `Last-Modified` (the latest
publication), so a harvester's conditional request costs one small query and gets 304; the media type, a
`Content-Disposition` with a stable file name, and the licence as a `Link: <...>; rel="license"` header.
"""

import tempfile
from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from gis_core.problems import problem_response
from opendata.downloads.formats import FORMATS, LICENCE_NAME, LICENCE_URL, FileFormat
from opendata.downloads.selectors import DatasetVersion, projects_batches, projects_version

DATASET = "authorised-projects"


def _file_response(file_format: FileFormat, *, filename: str) -> FileResponse:
    """The file written to a temporary directory, unlinked at once: the open handle keeps it until it is sent."""
    with tempfile.TemporaryDirectory(prefix="opendata-") as directory:
        path = Path(directory) / filename
        file_format.write(projects_batches(), path)
        handle = path.open("rb")
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=file_format.media_type)


def _etag(extension: str, version: DatasetVersion) -> str:
    return f'W/"{extension}-{version.identity}"'


def _headers(response: HttpResponseBase, *, extension: str, version: DatasetVersion) -> HttpResponseBase:
    response["ETag"] = _etag(extension, version)
    if version.last_published is not None:
        response["Last-Modified"] = http_date(version.last_published.timestamp())
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    response["Link"] = f'<{LICENCE_URL}>; rel="license"; title="{LICENCE_NAME}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def authorised_projects(request: HttpRequest, extension: str) -> HttpResponseBase:
    file_format = FORMATS.get(extension)
    if file_format is None:
        known = ", ".join(sorted(FORMATS))
        return problem_response(404, "Unknown format", f"{DATASET} is published as: {known}.")
    version = projects_version()
    last_modified = int(version.last_published.timestamp()) if version.last_published else None
    not_modified = get_conditional_response(request, etag=_etag(extension, version), last_modified=last_modified)
    if not_modified is not None:
        return _headers(not_modified, extension=extension, version=version)
    filename = f"{DATASET}.{extension}"
    response: StreamingHttpResponse | FileResponse
    if isinstance(file_format, FileFormat):
        response = _file_response(file_format, filename=filename)
    else:
        response = StreamingHttpResponse(file_format.stream(projects_batches()), content_type=file_format.media_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _headers(response, extension=extension, version=version)
