"""Authorised projects publish their use as a code of the catalogue's uses, never the text an applicant typed, and
the uses with their labels are a view of the geoportal (SQL in ogc_services/sql/authorised_projects_use_code.sql).

Frozen in its own files, like 0002: a later change of these views gets its own migration and files.
"""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("ogc_services", "0003_public_lookups"),
        ("permits", "0005_project_uses"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(SQL / "authorised_projects_use_code.sql").read_text(),
            reverse_sql=(SQL / "authorised_projects_use_code_revert.sql").read_text(),
        )
    ]
