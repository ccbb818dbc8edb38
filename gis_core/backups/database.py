"""The database half of a backup: PostgreSQL's own tools, run with Django's connection settings.

`pg_dump` and `pg_restore` come from `BACKUP_PG_BIN_DIR` (the PostgreSQL 15 client by default), else from PATH;
host, port, user, database, password (`PGPASSWORD`, never on a command line) and TLS mode come from the
connection's settings. The SQL below reads the catalog: which tables hold rows, which roles the dump grants
privileges to, which extensions and migrations it holds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.utils import CursorWrapper

from gis_core.backups.errors import BackupToolFailed

# Tables that `manage.py migrate` fills by itself (the uses nomenclature by a data migration): a migrated
# installation with only these rows is still empty.
FILLED_BY_MIGRATE = frozenset(
    {"public.django_migrations", "public.django_content_type", "public.auth_permission", "public.permits_projectuse"}
)
# Every table of the dump: the schemas of the project, not the catalog's, and not those an extension owns.
TABLES_SQL = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"""
# Roles named in the dump's privileges (grantees, and owners of default privileges): they must exist to restore.
ROLES_SQL = """
WITH grantees AS (
    SELECT (aclexplode(c.relacl)).grantee AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relacl IS NOT NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION SELECT (aclexplode(n.nspacl)).grantee FROM pg_namespace n
     WHERE n.nspacl IS NOT NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_%%'
    UNION SELECT (aclexplode(p.proacl)).grantee FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.proacl IS NOT NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION SELECT (aclexplode(d.defaclacl)).grantee FROM pg_default_acl d
    UNION SELECT d.defaclrole FROM pg_default_acl d
)
SELECT DISTINCT r.rolname FROM grantees g JOIN pg_roles r ON r.oid = g.oid WHERE r.rolname <> current_user ORDER BY 1
"""
# Privileges on the database itself (CONNECT...), which a dump of its contents does not carry.
DATABASE_PRIVILEGES_SQL = """
SELECT r.rolname, a.privilege_type
FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles r ON r.oid = a.grantee
WHERE d.datname = current_database() AND a.grantee <> d.datdba
ORDER BY 1, 2
"""
EXTENSION_LINE = re.compile(r"^\d+; \d+ \d+ (?:EXTENSION - |COMMENT - EXTENSION )(?P<name>\S+)")


def tool(name: str) -> str:
    """The path of `pg_dump` / `pg_restore`: BACKUP_PG_BIN_DIR first, then PATH."""
    candidate = Path(settings.BACKUP_PG_BIN_DIR) / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupToolFailed(
            f"{name} was found neither in BACKUP_PG_BIN_DIR ({settings.BACKUP_PG_BIN_DIR}) nor on PATH: install "
            "the PostgreSQL client of the server's major version (Debian: postgresql-client-15)."
        )
    return found


def tool_environment(alias: str = "default") -> dict[str, str]:
    """The environment of a PostgreSQL tool reaching the database of `alias` (password through PGPASSWORD)."""
    database = connections[alias].settings_dict
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if os.environ.get("PGPASSFILE"):
        environment["PGPASSFILE"] = os.environ["PGPASSFILE"]
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
        "PGSSLMODE": database.get("OPTIONS", {}).get("sslmode"),
        "PGSSLROOTCERT": database.get("OPTIONS", {}).get("sslrootcert"),
        "PGAPPNAME": "urbaplan-backup",
    }
    environment.update({key: str(value) for key, value in values.items() if value})
    return environment


def tool_run(arguments: list[str], *, alias: str = "default", what: str) -> str:
    """Run a PostgreSQL tool; its stdout, or `BackupToolFailed` with the end of its stderr."""
    result = subprocess.run(arguments, env=tool_environment(alias), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise BackupToolFailed(f"{what} failed (exit code {result.returncode}):\n{detail}")
    return result.stdout


def tool_version(name: str) -> str:
    return subprocess.run([tool(name), "--version"], capture_output=True, text=True, check=False).stdout.strip()


@contextmanager
def snapshot(alias: str = "default") -> Iterator[tuple[str, CursorWrapper]]:
    """A read-only REPEATABLE READ transaction and its exported snapshot id, open for the `with` block.

    `pg_dump --snapshot=<id>` dumps exactly what this transaction sees, and so does every query on the cursor.
    """
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        row = cursor.fetchone()
        assert row is not None
        yield str(row[0]), cursor


def database_dump(*, output: Path, snapshot_id: str, alias: str = "default") -> None:
    """`pg_dump -Fc` of the exported snapshot into `output` (a new file)."""
    tool_run(
        [tool("pg_dump"), "--format=custom", "--no-password", f"--snapshot={snapshot_id}", f"--file={output}"],
        alias=alias,
        what="pg_dump",
    )


def tables(cursor: CursorWrapper) -> list[str]:
    cursor.execute(TABLES_SQL)
    return [f"{schema}.{name}" for schema, name in cursor.fetchall()]


def table_counts(cursor: CursorWrapper) -> dict[str, int]:
    """The exact number of rows of every table."""
    counts = {}
    for table in tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {_quoted(table)}")  # identifiers from the catalog, quoted
        row = cursor.fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def tables_with_rows(cursor: CursorWrapper, *, ignore: frozenset[str] = FILLED_BY_MIGRATE) -> list[str]:
    """The tables that hold at least one row, those `migrate` fills by itself excepted."""
    found = []
    for table in tables(cursor):
        if table in ignore:
            continue
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_quoted(table)})")  # identifiers from the catalog, quoted
        row = cursor.fetchone()
        if row and row[0]:
            found.append(table)
    return found


def catalogue(cursor: CursorWrapper) -> dict[str, Any]:
    """Server version, extensions, applied migrations, roles and database privileges of the snapshot."""
    cursor.execute("SHOW server_version")
    server_version = str(cursor.fetchone()[0])
    cursor.execute("SELECT extname, extversion FROM pg_extension ORDER BY 1")
    extensions = {str(name): str(version) for name, version in cursor.fetchall()}
    cursor.execute("SELECT to_regclass('public.django_migrations') IS NOT NULL")
    migrations: list[tuple[str, str]] = []
    if cursor.fetchone()[0]:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [(str(app), str(name)) for app, name in cursor.fetchall()]
    cursor.execute(ROLES_SQL)
    roles = [str(row[0]) for row in cursor.fetchall()]
    cursor.execute(DATABASE_PRIVILEGES_SQL)
    privileges = [(str(role), str(privilege)) for role, privilege in cursor.fetchall()]
    return {
        "server_version": server_version,
        "extensions": extensions,
        "migrations": migrations,
        "roles": roles,
        "database_privileges": privileges,
    }


def roles_missing(cursor: CursorWrapper, roles: list[str]) -> list[str]:
    cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [roles])
    present = {row[0] for row in cursor.fetchall()}
    return [role for role in roles if role not in present]


def extensions_installed(cursor: CursorWrapper) -> set[str]:
    cursor.execute("SELECT extname FROM pg_extension")
    return {str(row[0]) for row in cursor.fetchall()}


def database_restore(*, dump: Path, alias: str = "default", work_directory: Path) -> None:
    """`pg_restore` of `dump` into the (empty) database of `alias`, all or nothing.

    Objects are owned by the connecting role (`--no-owner`); extensions the target already has are left as they
    are (their entries are skipped: an extension is created by a superuser, the dump's own role may not be one);
    a target migrated but empty is cleaned of the dump's objects first.
    """
    connection = connections[alias]
    with connection.cursor() as cursor:
        installed = extensions_installed(cursor)
        has_tables = bool(tables(cursor))
    connection.close()  # no session of ours holds anything while pg_restore drops and creates
    listing = tool_run([tool("pg_restore"), "--list", str(dump)], alias=alias, what="pg_restore --list")
    kept = [
        line
        for line in listing.splitlines()
        if not ((match := EXTENSION_LINE.match(line)) and match.group("name") in installed)
    ]
    list_path = work_directory / "restore.list"
    list_path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    arguments = [
        tool("pg_restore"),
        "--no-password",
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        f"--use-list={list_path}",
        f"--dbname={connection.settings_dict['NAME']}",
    ]
    if has_tables:
        arguments += ["--clean", "--if-exists"]
    tool_run([*arguments, str(dump)], alias=alias, what="pg_restore")


def database_privileges_grant(cursor: CursorWrapper, *, database: str, privileges: list[tuple[str, str]]) -> None:
    """Grant the database-level privileges the source database had (CONNECT for the geoportal reader...)."""
    for role, privilege in privileges:
        if privilege in {"CONNECT", "TEMPORARY", "CREATE"}:
            cursor.execute(f"GRANT {privilege} ON DATABASE {_identifier(database)} TO {_identifier(role)}")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quoted(table: str) -> str:
    schema, name = table.split(".", 1)
    return f"{_identifier(schema)}.{_identifier(name)}"
