"""Authorised projects publish their economic activity as a code of the catalogue's nomenclature (never text), and
the activities with their labels are a view of the geoportal (SQL in
ogc_services/sql/authorised_projects_activity_code.sql).

Frozen in its own files, like 0004: a later change of these views gets its own migration and files.
"""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("ogc_services", "0004_authorised_projects_use_code"),
        ("permits", "0008_procedure_forms_answers_activities"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(SQL / "authorised_projects_activity_code.sql").read_text(),
            reverse_sql=(SQL / "authorised_projects_activity_code_revert.sql").read_text(),
        )
    ]
