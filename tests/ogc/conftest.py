"""Fixtures of the OGC API tests: a small committed geoportal (the reader role sees committed rows only).

Every test here reads through the `geoportal` alias, a test mirror of default: they are transactional
(`django_db(transaction=True, databases=[...])`) and the generated pygeoapi config is rebuilt for each test.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from ogc_services import config
from permits.models import Dossier, DossierStatus
from tests.factories import OverlayFactory, ParcelFactory, ZoneFactory, box
from tests.permits.factories import DossierFactory, commune_tree, decided_state_write

GEOPORTAL_DB = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])

# Personal data that must never be in a public feed (names, contact details, ids of people).
PERSONAL = {
    "applicant",
    "applicant_id",
    "architect",
    "architect_id",
    "mandate",
    "mandate_id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "username",
    "national_id",
    "cin",
    "title",
    "decision_motivation",
    "decision_conditions",
    "precheck",
}


@dataclass
class Geoportal:
    published: list[Dossier]
    hidden: dict[str, Dossier]  # label -> a dossier that must not be in any feed
    parcels: int


def dossier_published_unfavourable(**kwargs: Any) -> Dossier:
    """Decided unfavourable, signed and published: public, but not an authorised project (test data)."""
    dossier = DossierFactory.create(in_commission=True, **kwargs)
    return decided_state_write(
        dossier, DossierStatus.PUBLISHED, decision="unfavourable", motivation="The height exceeds the zone maximum."
    )


@pytest.fixture
def ogc_fresh() -> Iterator[None]:
    """Each test builds the pygeoapi config from the data it made."""
    config.reset()
    yield
    config.reset()


def parcels_create(commune: Any, count: int = 25) -> int:
    for i in range(count):
        ParcelFactory.create(commune=commune, geom=box(-71.1200 + i * 0.0004, 42.3700, -71.1197 + i * 0.0004, 42.3703))
    return count


@pytest.fixture
def parcels_only(ogc_fresh: None) -> int:
    """25 parcels in one commune, nothing else (cheap)."""
    return parcels_create(commune_tree("CASA-ANFA"))


def dossier_publish(dossier: Dossier) -> Dossier:
    """Publish a signed decision (test data: `dossier.publish` published as its last signature would)."""
    return decided_state_write(dossier, DossierStatus.PUBLISHED)


@pytest.fixture
def geoportal(ogc_fresh: None) -> Geoportal:
    """Parcels, a zone, an overlay, 3 authorised projects and 5 files that must stay out of every feed."""
    commune = commune_tree("CASA-ANFA")
    parcels = parcels_create(commune)
    ZoneFactory.create(commune=commune)
    OverlayFactory.create(commune=commune)
    published = [DossierFactory.create(published=True, commune=commune) for _ in range(3)]
    hidden = {
        "draft": DossierFactory.create(commune=commune),
        "submitted": DossierFactory.create(submitted=True, commune=commune),
        "decided": DossierFactory.create(decided=True, commune=commune),
        "signed": DossierFactory.create(signed=True, commune=commune),
        "unfavourable": dossier_published_unfavourable(commune=commune),
    }
    for dossier in published:
        assert dossier.status == DossierStatus.PUBLISHED and dossier.reference
    assert hidden["unfavourable"].status == DossierStatus.PUBLISHED
    return Geoportal(published=published, hidden=hidden, parcels=parcels)
