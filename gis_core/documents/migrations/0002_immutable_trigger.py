"""Install the PostgreSQL trigger that refuses UPDATE and DELETE of stored documents (sql/immutable.sql)."""

from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=(SQL_DIR / "immutable.sql").read_text(encoding="utf-8"),
            reverse_sql=(SQL_DIR / "immutable_reverse.sql").read_text(encoding="utf-8"),
        )
    ]
