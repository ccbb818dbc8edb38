from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from demo.generate_dossiers import FileHistory, histories_write
from gis_core.models import Territory
from parcels.models import Agency
from permits.models import Consultation, ConsultationStatus, Decision, Dossier, InstructionRound, Procedure
from permits.services import procedures_load
from permits.workflow import Action
from tests.factories import TerritoryFactory
from tests.permits.factories import commune_tree

MARCH, YEAR = date(2026, 3, 1), date(2026, 1, 1)


@pytest.fixture
def places(db: Any) -> dict[str, Territory]:
    """The catalogue, and two communes of one province of one region."""
    procedures_load()
    anfa = commune_tree("CASA-ANFA")
    maarif = TerritoryFactory.create(code="CASA-MAARIF", parent=anfa.parent)
    return {"anfa": anfa, "maarif": maarif, "province": anfa.parent, "region": anfa.parent.parent}


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


def decided(
    commune: Territory, at: datetime, *, filed_days_before: int, area: float, decision: str = Decision.FAVOURABLE
) -> FileHistory:
    filed = at.astimezone(UTC) - timedelta(days=filed_days_before)  # elapsed days, not wall-clock days
    marks = [(Action.SUBMIT, filed), (Action.ACCEPT_COMPLETE, filed + timedelta(days=1)), (Action.DECIDE, at)]
    procedure = Procedure.objects.get(code="building-permit")
    return FileHistory(procedure=procedure, commune=commune, marks=marks, decision=decision, gross_floor_area_m2=area)


@pytest.fixture
def spread(places: dict[str, Territory]) -> dict[str, Territory]:
    """Five files decided in March 2026 (local time) on four days, one on April 1st at 00:30 local time and one
    in February. Filing to decision in days, March: Anfa 10, 20, 30; Maarif 40, 60 (refused)."""
    anfa, maarif = places["anfa"], places["maarif"]
    histories_write(
        [
            decided(anfa, datetime(2026, 3, 2, 10, tzinfo=UTC), filed_days_before=10, area=100),
            decided(anfa, datetime(2026, 3, 10, 10, tzinfo=UTC), filed_days_before=20, area=200),
            decided(maarif, datetime(2026, 3, 10, 11, tzinfo=UTC), filed_days_before=40, area=300),
            decided(
                maarif,
                datetime(2026, 3, 20, 10, tzinfo=UTC),
                filed_days_before=60,
                area=999,
                decision=Decision.UNFAVOURABLE,
            ),
            decided(anfa, local(2026, 3, 31, 23, 30), filed_days_before=30, area=800),
            decided(anfa, local(2026, 4, 1, 0, 30), filed_days_before=5, area=50),
            decided(maarif, datetime(2026, 2, 15, 10, tzinfo=UTC), filed_days_before=50, area=70),
        ]
    )
    return places


def opinion(
    dossier: Dossier, agency: Agency, *, noon: datetime, days: int, deadline: date, status: str
) -> Consultation:
    """The agency's consultation on the file, dispatched `days` before `noon` in a round opened 20 days before it;
    given (favourable) at `noon` unless still pending."""
    opened = InstructionRound.objects.create(dossier=dossier, number=1, opened_at=noon - timedelta(days=20))
    pending = status == ConsultationStatus.PENDING
    consultation = Consultation(
        dossier=dossier,
        round=opened,
        agency=agency,
        permanent=True,
        dispatched_at=noon - timedelta(days=days),
        deadline=deadline,
        status=status,
        opinion="" if pending else "favourable",
        given_at=None if pending else noon,
    )
    return Consultation.objects.bulk_create([consultation])[0]  # as stored data: the machine writes live statuses
