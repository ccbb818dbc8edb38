"""Settings of the document store, read from the environment (imported by `config.settings`, nothing else).

`DOCUMENTS_STORAGE=filesystem` (default) keeps documents under `MEDIA_ROOT/documents` with no public URL;
`DOCUMENTS_STORAGE=s3` uses django-storages' S3 backend (any S3-compatible service: MinIO, Ceph, Scaleway...).
S3 credentials are read by boto3 from its usual sources (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, an
instance role, ~/.aws), never from this module.
"""

from pathlib import Path
from typing import Any

from config.env import env_int, env_str

FILESYSTEM = "filesystem"
S3 = "s3"


def documents_storage_config(media_root: Path) -> dict[str, Any]:
    """The `STORAGES["documents"]` entry chosen by `DOCUMENTS_STORAGE`."""
    backend = env_str("DOCUMENTS_STORAGE", FILESYSTEM).strip().lower()
    if backend == FILESYSTEM:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(Path(env_str("DOCUMENTS_DIR", "") or media_root / "documents")),
                "base_url": None,  # no public URL: documents are only served through permission-checked views
                "file_permissions_mode": 0o640,
                "directory_permissions_mode": 0o750,
            },
        }
    if backend == S3:
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("DOCUMENTS_S3_BUCKET", "urbaplan-documents"),
                "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL", "") or None,
                "region_name": env_str("DOCUMENTS_S3_REGION", "") or None,
                "location": env_str("DOCUMENTS_S3_PREFIX", "documents"),
                "default_acl": None,  # the bucket's policy (private) applies
                "file_overwrite": False,
                "querystring_auth": True,  # presigned, short-lived URLs for DOCUMENTS_DOWNLOAD=redirect
                "querystring_expire": env_int("DOCUMENTS_S3_URL_EXPIRY_SECONDS", 300),
            },
        }
    raise ValueError(f"DOCUMENTS_STORAGE must be {FILESYSTEM!r} or {S3!r}, not {backend!r}")
