"""Where files wait: the consulted agencies' opinions and the commissions' sessions of a day, computed by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest

from demo.generate_dossiers import FileHistory, histories_write
from gis_core.models import Territory
from opendata.indicators import indicators_refresh
from opendata.models import IndicatorSnapshot
from permits.commissions.models import Booking, Commission, Examination, Session, SessionStatus, Slot, SlotOccupancy
from permits.models import ConsultationStatus, Dossier, Procedure
from permits.workflow import Action
from tests.factories import AgencyFactory
from tests.opendata.conftest import opinion
from tests.permits.factories import UserFactory

DAY = date(2026, 3, 10)
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)


def files(places: dict[str, Territory], count: int) -> list[Dossier]:
    procedure = Procedure.objects.get(code="building-permit")
    marks = [(Action.SUBMIT, NOON - timedelta(days=30)), (Action.ACCEPT_COMPLETE, NOON - timedelta(days=28))]
    return histories_write([FileHistory(procedure=procedure, commune=places["anfa"], marks=marks)] * count)


def figure(indicator: str, breakdown: str = "", territory: Territory | None = None) -> IndicatorSnapshot:
    return IndicatorSnapshot.objects.get(
        day=DAY, indicator=indicator, procedure="", territory=territory, breakdown=breakdown
    )


def test_opinions_on_time_late_and_tacit_per_agency(places: dict[str, Territory]) -> None:
    agency = AgencyFactory.create(code="AG-WATER")
    given, tacit = ConsultationStatus.GIVEN, ConsultationStatus.TACIT
    # (dispatched days before, deadline, status): on time after 4 days, late after 6, tacit after 11
    cases = [(4, DAY, given), (6, DAY - timedelta(days=2), given), (11, DAY - timedelta(days=1), tacit)]
    for dossier, (days, deadline, status) in zip(files(places, 3), cases, strict=True):
        opinion(dossier, agency, noon=NOON, days=days, deadline=deadline, status=status)
    indicators_refresh(day=DAY)
    counts = {name: figure(name, "AG-WATER").count for name in ("opinions_on_time", "opinions_late", "opinions_tacit")}
    assert counts == {"opinions_on_time": 1, "opinions_late": 1, "opinions_tacit": 1}
    times = figure("opinion_days", "AG-WATER", places["province"])  # [4, 6, 11]: 6; 6 + 0.8 * 5 = 10
    assert (times.count, times.median, times.p90) == (3, 6, pytest.approx(10))


def test_sessions_held_slots_offered_and_booked_and_files_examined(places: dict[str, Territory]) -> None:
    province, desk = places["province"], UserFactory.create(username="secretary")
    commission = Commission.objects.create(name_fr="Commission", territory=province, family="urbanism")
    dossiers = iter(files(places, 3))

    def session(hour: int, capacity: int, booked: int, examined: int, status: str = SessionStatus.HELD) -> None:
        start = NOON.replace(hour=hour)
        held = Session.objects.create(
            commission=commission,
            date=DAY,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=capacity,
            status=status,
        )
        slots = [
            Slot.objects.create(session=held, number=number, starts_at=start, ends_at=start)
            for number in range(capacity)
        ]
        for slot in slots[:booked]:
            dossier = next(dossiers)
            booking = Booking.objects.create(dossier=dossier, session=held, first_slot=slot, booked_by=desk)
            SlotOccupancy.objects.create(slot=slot, booking=booking)
            if examined:
                Examination.objects.create(session=held, dossier=dossier, joint_opinion="favourable", recorded_by=desk)
                examined -= 1

    session(9, capacity=4, booked=3, examined=2)
    session(14, capacity=2, booked=0, examined=0)
    session(16, capacity=5, booked=0, examined=0, status=SessionStatus.CANCELLED)
    indicators_refresh(day=DAY)
    mine = str(commission.pk)
    assert figure("sessions_held", mine, province).count == figure("sessions_held").count == 2
    assert (figure("slots_offered", mine, province).value, figure("slots_booked").value) == (6, 3)
    examined = figure("files_examined_per_session", mine, province)  # [2, 0]: mean 1, p90 0 + 0.9 * 2 = 1.8
    assert (examined.value, examined.median, examined.p90) == (2, 1, pytest.approx(1.8))
