from typing import Any

import pytest

from gis_core.models import Territory
from permits.services import procedures_load
from tests.factories import TerritoryFactory
from tests.permits.factories import commune_tree


@pytest.fixture
def places(db: Any) -> dict[str, Territory]:
    """The catalogue, and two communes of one province of one region."""
    procedures_load()
    anfa = commune_tree("CASA-ANFA")
    maarif = TerritoryFactory.create(code="CASA-MAARIF", parent=anfa.parent)
    return {"anfa": anfa, "maarif": maarif, "province": anfa.parent, "region": anfa.parent.parent}
