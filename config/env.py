"""Typed access to settings from the environment, with `var/services.env` as local defaults.

`scripts/services.sh` writes `var/services.env` (DATABASE_URL, REDIS_URL of the project's own services);
real environment variables always win over it.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _services_env() -> dict[str, str]:
    path = BASE_DIR / "var" / "services.env"
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() and not key.startswith("#"):
                values[key.strip()] = value.strip()
    return values


_DEFAULTS = _services_env()


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset or empty (as in a copied `.env.example`) means the default."""
    return os.environ.get(name) or _DEFAULTS.get(name) or default


OFF = frozenset({"off", "none", "false", "0"})


def env_url_or_off(name: str, default: str) -> str:
    """A service URL, the default when unset or empty, or "" when the variable says `off` (the feature is off)."""
    value = env_str(name, default)
    return "" if value.strip().lower() in OFF else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name, "")
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env_str(name, "")
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] if value else default
