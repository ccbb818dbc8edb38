"""Immutable document storage: every upload is a verified, hashed, never-overwritten version.

The domain (permits, and any other app) attaches its documents here:

- `services.document_store(...)` streams an upload to a temporary file while hashing it, checks the size limit,
  the magic bytes and the content (pypdf for PDFs, Pillow for images), stores it through
  `STORAGES["documents"]` under a uuid key and records a `StoredDocument` row, all or nothing.
- `selectors` read documents and their version chains (`supersedes`).
- `downloads.document_response(...)` streams a stored document (or hands it to nginx with X-Accel-Redirect);
  faces wrap it with their own permission checks.
- `uploads.DocumentUploadLimitHandler` aborts an HTTP upload as soon as it passes the limit.
- `manage.py documents_orphans [--delete]` finds stored files whose row was rolled back by a caller's transaction.

Nothing here imports the domain or the faces.
"""
