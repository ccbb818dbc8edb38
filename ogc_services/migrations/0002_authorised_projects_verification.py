"""Authorised projects carry the public verification token of their signed decision (for the public map's link).

The SQL is frozen in its own files (not geoportal_views.sql, which 0001 reads) so that replaying 0001 on a fresh
database never needs the signing tables.
"""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("ogc_services", "0001_geoportal_views"),
        ("signing", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(SQL / "authorised_projects_verification.sql").read_text(),
            reverse_sql=(SQL / "authorised_projects_verification_revert.sql").read_text(),
        )
    ]
