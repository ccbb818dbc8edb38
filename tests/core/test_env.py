"""Settings from the environment (`config.env`): an empty variable means the default (a copied `.env.example`),
and a service that can be turned off says so with `off`."""

import pytest

from config.env import env_url_or_off


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "redis://default/0"),  # unset: the default
        ("", "redis://default/0"),  # empty, as in a copied .env.example: the default too
        ("redis://cache:6379/3", "redis://cache:6379/3"),
        ("off", ""),
        ("OFF", ""),
        ("none", ""),
    ],
)
def test_a_service_url_is_the_default_a_value_or_off(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str
) -> None:
    if value is None:
        monkeypatch.delenv("URBAPLAN_TEST_SERVICE_URL", raising=False)
    else:
        monkeypatch.setenv("URBAPLAN_TEST_SERVICE_URL", value)
    assert env_url_or_off("URBAPLAN_TEST_SERVICE_URL", "redis://default/0") == expected
