"""The tokens of DRF's `rest_framework.authtoken` (keys stored in clear, never expiring), replaced by this app:
each key is carried over as its SHA-256 digest, expiring `API_TOKEN_TTL_DAYS` from the migration (its clients
keep working until then), and the clear-text table is dropped with its migration records.

An installation that never had the table (a new one) has nothing to carry over.
"""

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import timezone

DRF_TABLE = "authtoken_token"


def carry_over(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return
    api_token = apps.get_model("api_tokens", "ApiToken")
    expires_at = timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "key", "user_id", "created" FROM "{DRF_TABLE}"')
        rows = cursor.fetchall()
    api_token.objects.bulk_create(
        api_token(
            user_id=user_id,
            name="API",
            prefix=key[:12],
            digest=hashlib.sha256(key.encode("utf-8")).hexdigest(),
            created_at=created,
            expires_at=expires_at,
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{DRF_TABLE}"')
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("api_tokens", "0001_initial")]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
