"""The file's documents as the pages use them, through the permits document services (upload, list, download).

The services are looked up when called: the pages work (and say uploads are not open yet) on a code base where
the documents services have not landed.
"""

from typing import Any

from permits import selectors, services


def _service(name: str) -> Any:
    return getattr(services, name, None) or getattr(selectors, name, None)


def uploads_available() -> bool:
    return _service("document_upload") is not None


def documents_of(*, dossier: Any, user: Any) -> list[Any]:
    documents_for = _service("documents_for")
    return list(documents_for(dossier=dossier, user=user)) if documents_for else []


def document_upload(
    *, actor: Any, address: str | None, dossier: Any, document_type: str, uploaded_file: Any, supersedes: Any = None
) -> Any:
    upload = _service("document_upload")
    if upload is None:
        raise RuntimeError("the document services are not installed")
    return upload(
        actor=actor,
        address=address,
        dossier=dossier,
        document_type=document_type,
        uploaded_file=uploaded_file,
        supersedes=supersedes,
    )
