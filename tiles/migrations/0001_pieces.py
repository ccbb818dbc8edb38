"""The `geoportal_tiles` schema: subdivided, generalised copies of the large-polygon geoportal layers
(see tiles/pieces.py), readable by the read-only role."""

from django.db import migrations


def build(apps, schema_editor):
    from tiles.pieces import pieces_refresh_all

    pieces_refresh_all()


class Migration(migrations.Migration):
    dependencies = [("ogc_services", "0001_geoportal_views")]

    operations = [
        migrations.RunPython(build, migrations.RunPython.noop),
        migrations.RunSQL(migrations.RunSQL.noop, "DROP SCHEMA IF EXISTS geoportal_tiles CASCADE"),
    ]
