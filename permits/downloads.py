"""Serving a file's documents: the visibility check of `permits.selectors`, then `gis_core.documents.downloads`.

Faces (the web pages, the JSON API) call `dossier_document_response(user=request.user, document_id=...,
request=request)`; a document of a file the user may not see is a 404, exactly like one that does not exist.
"""

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from gis_core.documents.downloads import document_response
from permits.selectors import dossier_document_get_for


def dossier_document_response(
    *,
    user: Any,
    document_id: int,
    dossier_id: int | None = None,
    request: HttpRequest | None = None,
    as_attachment: bool = True,
) -> HttpResponseBase:
    """The content of one uploaded version (streamed, x-accel or redirect per `DOCUMENTS_DOWNLOAD`), with its
    SHA-256 as ETag; raises `permits.errors.NotFound` when the user may not see it (or, with `dossier_id`, when it
    is another file's). Every Range request of a plan viewer pays this: the check is one query after the user's."""
    document = dossier_document_get_for(user=user, document_id=document_id, dossier_id=dossier_id)
    return document_response(document.stored_document, request=request, as_attachment=as_attachment)
