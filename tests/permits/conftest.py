"""Fixtures of the permits tests: the shipped catalogue, a commune tree, the staff of a commune."""

from typing import Any

import pytest

from permits.services import procedures_load
from tests.permits.factories import commune_tree, staff_for


@pytest.fixture
def catalogue(db: Any) -> None:
    procedures_load()


@pytest.fixture
def commune(db: Any) -> Any:
    return commune_tree("CASA-ANFA")


@pytest.fixture
def staff(commune: Any) -> dict[str, Any]:
    return staff_for(commune)
