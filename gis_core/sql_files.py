"""The one helper that loads raw SQL from an app's `sql/` folder and runs it with bound parameters.

SQL files use psycopg's placeholders: `%(name)s` for values (always bound, never formatted in) and
`{name}` for identifiers (quoted with `psycopg.sql.Identifier`). A literal brace in a file is written `{{`/`}}`.
"""

from functools import lru_cache
from importlib import resources
from typing import Any

from psycopg import Cursor, sql


@lru_cache(maxsize=128)
def sql_text(package: str, name: str) -> str:
    """Text of `<package>/sql/<name>.sql`, cached."""
    return resources.files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def sql_statement(package: str, name: str, **identifiers: str | sql.Composable) -> sql.Composed:
    """The statement of a `.sql` file with its `{identifier}` placeholders quoted (or already composed)."""
    template = sql.SQL(sql_text(package, name))
    return template.format(
        **{key: sql.Identifier(value) if isinstance(value, str) else value for key, value in identifiers.items()}
    )


def run_sql(
    cursor: Cursor[Any],
    package: str,
    name: str,
    params: dict[str, Any] | None = None,
    **identifiers: str | sql.Composable,
) -> Cursor[Any]:
    """Execute `<package>/sql/<name>.sql` on a psycopg cursor; returns the cursor for fetching."""
    return cursor.execute(sql_statement(package, name, **identifiers), params or {})
