"""The platform refuses to start when the public read-only connection can read a base table or write anything: the
system check (`manage.py check`, migrate, runserver) fails with a clear message, and so does the WSGI start; a
confined reader passes. The check is skipped only before the migration that creates the role."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.checks import Error, run_checks
from django.db import DEFAULT_DB_ALIAS, connections

from gis_core.public_reader import CHECK_ID, PUBLIC_DATABASE, reader_confinement_errors, reader_excesses

MANAGE = Path(settings.BASE_DIR) / "manage.py"
READER = "geoportal_reader"


def owner_execute(statement: str) -> None:
    """Run a statement as the owner of the test database, committed at once (the reader's own connection sees
    committed grants only)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(statement)


@contextmanager
def granted(grant: str, revoke: str) -> Iterator[None]:
    owner_execute(grant)
    try:
        yield
    finally:
        owner_execute(revoke)


def environment_for(database: str, **overrides: str) -> dict[str, str]:
    """The environment of a `manage.py` run against `database` of this cluster (the test database...)."""
    default = connections[DEFAULT_DB_ALIAS].settings_dict
    url = f"postgis://{default['USER']}:{default['PASSWORD']}@{default['HOST']}:{default['PORT']}/{database}"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GEOPORTAL_DATABASE_URL")}
    environment.update(DATABASE_URL=url, **overrides)
    return environment


def run(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments], env=environment, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.django_db(databases=["default", "geoportal"])
def test_the_reader_of_the_migrated_database_is_confined() -> None:
    assert reader_excesses() == []
    assert reader_confinement_errors() == []
    assert [message for message in run_checks(tags=["geoportal"])] == []
    with connections[PUBLIC_DATABASE].cursor() as cursor:
        cursor.execute("SELECT current_user, count(*) >= 0 FROM geoportal.authorised_projects")
        assert cursor.fetchone() == (READER, True)


@pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
def test_a_grant_on_a_base_table_stops_the_platform_with_a_clear_message() -> None:
    database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    with granted(f"GRANT SELECT ON permits_dossier TO {READER}", f"REVOKE SELECT ON permits_dossier FROM {READER}"):
        errors = reader_confinement_errors()
        assert [error.id for error in errors] == [CHECK_ID] and isinstance(errors[0], Error)
        assert "SELECT on public.permits_dossier" in errors[0].msg
        assert "refuses to start" in errors[0].msg and f"REVOKE SELECT ON <table> FROM {READER}" in str(errors[0].hint)
        assert [message.id for message in run_checks(tags=["geoportal"])] == [CHECK_ID]

        check = run(environment_for(database), str(MANAGE), "check")
        assert check.returncode != 0
        assert CHECK_ID in check.stderr and "SELECT on public.permits_dossier" in check.stderr
        serving = run(environment_for(database), "-c", "import config.wsgi")
        assert serving.returncode != 0
        assert "ImproperlyConfigured" in serving.stderr and "SELECT on public.permits_dossier" in serving.stderr
    assert reader_confinement_errors() == []  # revoked: the platform starts again


@pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
def test_column_grants_writes_and_schema_rights_are_refused_too() -> None:
    cases = [
        ("GRANT SELECT (title) ON permits_dossier TO {r}", "REVOKE SELECT (title) ON permits_dossier FROM {r}",
         "SELECT on public.permits_dossier"),
        ("GRANT INSERT ON geoportal.parcels TO {r}", "REVOKE INSERT ON geoportal.parcels FROM {r}",
         "INSERT on geoportal.parcels"),
        ("GRANT UPDATE ON parcels_parcel TO {r}", "REVOKE UPDATE ON parcels_parcel FROM {r}",
         "UPDATE on public.parcels_parcel"),
        ("GRANT CREATE ON SCHEMA geoportal TO {r}", "REVOKE CREATE ON SCHEMA geoportal FROM {r}",
         "CREATE on schema geoportal"),
        ("GRANT USAGE ON SEQUENCE permits_dossier_id_seq TO {r}",
         "REVOKE USAGE ON SEQUENCE permits_dossier_id_seq FROM {r}", "USAGE on public.permits_dossier_id_seq"),
    ]  # fmt: skip
    for grant, revoke, described in cases:
        with granted(grant.format(r=READER), revoke.format(r=READER)):
            errors = reader_confinement_errors()
            assert len(errors) == 1 and described in errors[0].msg, (grant, errors)
    assert reader_confinement_errors() == []


def test_the_check_is_skipped_only_before_the_migration_that_creates_the_role(django_db_blocker: Any) -> None:
    """`migrate` on an empty cluster runs the checks before it creates the role: a reader that cannot log in is
    no error on a database where nothing is migrated (here the cluster's maintenance database, which Django never
    migrates); on a migrated database it is one (the public reads would fail)."""
    before = run(
        environment_for("postgres", GEOPORTAL_DATABASE_USER="no_such_reader_role"),
        str(MANAGE), "check", "--tag", "geoportal",
    )  # fmt: skip
    assert before.returncode == 0, before.stdout + before.stderr
    alias = "reader-that-does-not-exist"  # the test database's reader, logging in as a role that does not exist
    connections.settings[alias] = {**connections[PUBLIC_DATABASE].settings_dict, "USER": "no_such_reader_role"}
    try:
        with django_db_blocker.unblock():
            errors = reader_confinement_errors(using=alias)
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
    assert [error.id for error in errors] == [CHECK_ID]
    assert "Cannot check the public read-only connection" in errors[0].msg and "no_such_reader_role" in errors[0].msg
