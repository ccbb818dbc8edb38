"""PostgreSQL trigger that refuses UPDATE and DELETE on the audit trail (see permits/sql/audit_immutable.sql)."""

from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=(SQL_DIR / "audit_immutable.sql").read_text(encoding="utf-8"),
            reverse_sql=(SQL_DIR / "audit_immutable_reverse.sql").read_text(encoding="utf-8"),
        )
    ]
