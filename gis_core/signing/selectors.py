"""Reads of the signing kernel for the public: the verification page's token, through the read-only connection.

`/verify/<token>/` is public, so it reads through `PUBLIC_DATABASE` (role `geoportal_reader`), which may read no
base table. What it needs — the reference printed with the token and the latest version of its document (id,
version, kind, SHA-256, where the store keeps it) — comes from `geoportal.verification_document(token)`
(ogc_services/sql/public_lookups.sql): a function answering for the one token it is given, run with its owner's
rights, rather than a view, which would let the reader list every token of the platform.
"""

from dataclasses import dataclass

from django.db import connections

from gis_core.documents.models import StoredDocument
from gis_core.public_reader import PUBLIC_DATABASE

VERIFICATION_SQL = (
    "SELECT reference, purpose, document_id, version, kind, sha256, storage_key "
    "FROM geoportal.verification_document(%(token)s)"
)


@dataclass(frozen=True)
class PublicVerification:
    """A token's printed reference and purpose, and the latest version of its document (not saved, read-only)."""

    reference: str
    purpose: str
    document: StoredDocument


def verification_public_get(*, token: str, using: str = PUBLIC_DATABASE) -> PublicVerification | None:
    """What `/verify/<token>/` shows and checks; None for an unknown token."""
    with connections[using].cursor() as cursor:
        cursor.execute(VERIFICATION_SQL, {"token": token})
        row = cursor.fetchone()
    if row is None:
        return None
    reference, purpose, document_id, version, kind, sha256, storage_key = row
    document = StoredDocument(id=document_id, version=version, kind=kind, sha256=sha256, storage_key=storage_key)
    return PublicVerification(reference=reference, purpose=purpose, document=document)
