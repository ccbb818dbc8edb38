"""The `geoportal` schema of public views and the read-only role the services use (SQL in ogc_services/sql/).

A later migration that changes a column these views read must drop the views first and re-run this SQL.
"""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("gis_core", "0001_initial"),
        ("parcels", "0003_zone_overlay_pieces"),
        ("permits", "0002_audit_immutable"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(SQL / "geoportal_views.sql").read_text(),
            reverse_sql=(SQL / "geoportal_views_drop.sql").read_text(),
        )
    ]
