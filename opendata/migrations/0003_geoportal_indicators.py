"""The indicator snapshots (with the names of their procedures, territories and breakdowns) and their successful
refreshes as views of the geoportal, read by the open-data downloads through the read-only role (SQL in
opendata/sql/geoportal_indicators.sql). Frozen in its own files: a later change gets its own migration."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0002_periods"),
        ("ogc_services", "0005_authorised_projects_activity_code"),
        ("commissions", "0002_output_dossier_signature_requested"),
        ("parcels", "0003_zone_overlay_pieces"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(SQL / "geoportal_indicators.sql").read_text(),
            reverse_sql=(SQL / "geoportal_indicators_drop.sql").read_text(),
        )
    ]
