"""What the public look-ups read through the read-only role: the zones' and overlays' pieces, and the verification
of a document by its token (SQL in ogc_services/sql/public_lookups.sql). The parcels, zones, overlays and
territories themselves are the views of 0001."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [
        ("ogc_services", "0002_authorised_projects_verification"),
        ("parcels", "0003_zone_overlay_pieces"),
        ("documents", "0002_immutable_trigger"),
        ("signing", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(SQL / "public_lookups.sql").read_text(),
            reverse_sql=(SQL / "public_lookups_drop.sql").read_text(),
        )
    ]
