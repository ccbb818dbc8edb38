"""A small face for the tests: an upload view and a download view over the document store (no permissions)."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from gis_core.documents.downloads import document_response
from gis_core.documents.selectors import document_get
from gis_core.documents.services import document_store
from gis_core.documents.uploads import limit_upload_size
from gis_core.problems import DomainError, problem_response


@csrf_exempt
def upload(request: HttpRequest) -> HttpResponse:
    max_bytes = int(request.GET.get("max_bytes", settings.DOCUMENTS_MAX_UPLOAD_BYTES))
    limit_upload_size(request, max_bytes=max_bytes)
    try:
        uploaded = request.FILES.get("file")
        if not isinstance(uploaded, UploadedFile):
            return problem_response(400, "Invalid input", "Send the document in the multipart field 'file'.")
        document = document_store(
            uploaded_file=uploaded, allowed_kinds=("pdf", "image"), max_bytes=max_bytes, user=request.user
        )
    except DomainError as error:
        return problem_response(error.status, error.title, error.detail, **error.extra)
    return JsonResponse(
        {
            "id": str(document.pk),
            "sha256": document.sha256,
            "size_bytes": document.size_bytes,
            "content_type": document.content_type,
            "page_count": document.page_count,
        },
        status=201,
    )


def download(request: HttpRequest, document_id: str) -> HttpResponse:
    try:
        document = document_get(document_id=document_id)
    except DomainError as error:
        return problem_response(error.status, error.title, error.detail)
    return document_response(document, request=request, mode=request.GET.get("mode"))  # type: ignore[return-value]


urlpatterns = [
    path("upload/", upload, name="documents-test-upload"),
    path("documents/<str:document_id>/", download, name="documents-test-download"),
]
