"""The public read-only connection, and the check that refuses to start the platform if it can read more.

Every anonymous read (`/map/`, `/api/parcels/...`, `/api/constraints/`, `/api/precheck/`, `/verify/<token>/`, the
OGC API, WMS, tiles, the open-data downloads) goes through `DATABASES["geoportal"]` (`PUBLIC_DATABASE`): the role
`geoportal_reader`, autocommit (no transaction held), a statement timeout. It may read the views of the `geoportal`
schema (and the tiles' copies in `geoportal_tiles`), which hold only published rows and public columns, so one bug
in a public query cannot publish an unpublished file, a name or a phone number.

That holds only while the role can read nothing else. `reader_confinement_check` asks PostgreSQL, connected as the
reader, what it may do beyond that (`sql/reader_privileges.sql`: SELECT outside those schemas, any write, CREATE
on a schema or the database, a superuser or role-creating attribute, a role it may SET ROLE to that owns base
tables, a SECURITY DEFINER function outside those schemas) and reports each excess as an `Error`. It is a system
check, run by `manage.py check`, `migrate`, `runserver` and every command that runs checks; `config.wsgi` and
`config.asgi` call `reader_confinement_require` before serving, so no web process starts either.

It is skipped in one case only: the reader cannot log in and the migration that creates it
(`ogc_services` 0001) has not been applied to the default database yet — `migrate` on an empty cluster.
"""

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder

from gis_core.sql_files import sql_text

PUBLIC_DATABASE = "geoportal"
# The schemas the reader may read: the public views (ogc_services) and the tiles' subdivided copies (tiles).
READABLE_SCHEMAS = ("geoportal", "geoportal_tiles")
# The migration that creates the role and the schema (the only case the check may be skipped in).
ROLE_MIGRATION = ("ogc_services", "0001_geoportal_views")
CHECK_ID = "gis_core.E001"
SHOWN_EXCESSES = 12


def reader_excesses(*, using: str = PUBLIC_DATABASE) -> list[tuple[str, str, str]]:
    """What the reader of `using` may do beyond reading the public schemas: (kind, object, privilege) rows."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql_text("gis_core", "reader_privileges"), {"schemas": list(READABLE_SCHEMAS)})
        return [(str(kind), str(name), str(privilege)) for kind, name, privilege in cursor.fetchall()]


def _role_migration_applied() -> bool:
    return ROLE_MIGRATION in MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations()


def _describe(excesses: list[tuple[str, str, str]]) -> str:
    shown = [f"{name} ({right})" if kind == "role" else f"{right} on {name}" for kind, name, right in excesses]
    more = len(shown) - SHOWN_EXCESSES
    return "; ".join(shown[:SHOWN_EXCESSES]) + (f"; and {more} more" if more > 0 else "")


def reader_confinement_errors(*, using: str = PUBLIC_DATABASE) -> list[CheckMessage]:
    """One `Error` when the public reader can read outside the public schemas or write anything, none when it is
    confined (or when it cannot exist yet: before the migration that creates it)."""
    user = connections[using].settings_dict.get("USER") or "the public reader"
    try:
        excesses = reader_excesses(using=using)
    except DatabaseError as error:
        try:
            if not _role_migration_applied():
                return []  # migrate on an empty database creates the role: nothing to protect yet
        except DatabaseError:
            pass
        return [
            Error(
                f"Cannot check the public read-only connection DATABASES[{using!r}] (role {user}): {error}".strip(),
                hint="Public reads go through this connection. Check GEOPORTAL_DATABASE_URL / "
                "GEOPORTAL_DATABASE_USER / GEOPORTAL_DATABASE_PASSWORD and that `manage.py migrate` has run.",
                id=CHECK_ID,
            )
        ]
    if not excesses:
        return []
    return [
        Error(
            f"The public read-only connection DATABASES[{using!r}] (role {user}) can do more than read the "
            f"{' and '.join(READABLE_SCHEMAS)} schemas: {_describe(excesses)}. The platform refuses to start: a "
            "public page could then show unpublished files or personal data.",
            hint=f"Revoke these privileges from {user} (e.g. `REVOKE SELECT ON <table> FROM {user}`); it needs only "
            f"USAGE and SELECT on the schemas {', '.join(READABLE_SCHEMAS)}.",
            id=CHECK_ID,
        )
    ]


@register("geoportal")
def reader_confinement_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The system check (any `databases` argument: migrate passes its own, `check` and `runserver` none)."""
    return reader_confinement_errors()


def reader_confinement_require() -> None:
    """Raise `ImproperlyConfigured` (the process does not start) unless the public reader is confined."""
    errors = reader_confinement_errors()
    for alias in (PUBLIC_DATABASE, DEFAULT_DB_ALIAS):
        connections[alias].close()  # nothing opened here is carried into a forked worker
    if errors:
        raise ImproperlyConfigured("\n".join(f"{error.msg} {error.hint}" for error in errors))
