"""Backups of an installation: the database and the document store, taken consistently, restored into an empty one.

    manage.py backup_create --output /backups/2026-12-07      # exit 1 with the reason on any failure
    manage.py backup_restore --input /backups/2026-12-07      # into the configured, empty installation

A backup is a directory: `database.dump` (`pg_dump -Fc`), `documents/<storage key>` (every stored document the
dump refers to) and `manifest.json`, written last (versions, database name and applied migrations, the row
count of every table, the size and SHA-256 of every file). A directory without a readable manifest is an
interrupted or damaged backup: `backup_restore` refuses it, and `backup_create` removes what it wrote when it
fails.

Why the two halves are consistent without stopping the platform:

- `backup_create` opens a REPEATABLE READ transaction, exports its snapshot, has `pg_dump --snapshot` dump
  exactly that snapshot and, in the same snapshot, lists the `StoredDocument` rows: the list of documents is
  the list of rows in the dump, neither more nor less.
- The documents are copied AFTER the dump. `gis_core.documents` writes a file to the store before its row is
  committed, and never changes or deletes a file that has a row (rows and files are immutable; only files
  without a row are ever removed, by `documents_orphans`). So every file a row of the snapshot names was in the
  store when the snapshot was taken and is still there, unchanged, when it is copied. Each copy is hashed and
  checked against its row's SHA-256 while it is read.
- Documents stored after the snapshot are not in the backup, and neither are their rows.

`backup_restore` refuses a target that holds data (rows in the project's tables, or any file in the document
store), checks every file of the backup against the manifest before touching the target, writes the documents,
restores the database in one transaction (`pg_restore --single-transaction`; the documents written are removed
again if it fails), then reads every document back and checks it against the manifest and its `StoredDocument`
row, and every table's row count against the manifest. Then run `manage.py migrate` (a backup of an older
version) and `manage.py verify_audit` (docs/operations.md).

The store is reached through `STORAGES["documents"]`, so a filesystem or an S3 store are backed up and restored
alike. Nothing here imports an app: the package is the kernel's, like the settings and the document store whose
data it copies.
"""
