"""Months and years computed over their own records (not from daily figures), on a hand-built set of files
decided on several days: every figure below is computed by hand from the marks."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from demo.generate_dossiers import FileHistory, histories_write
from gis_core.models import Territory
from opendata.indicators import days_between, indicators_refresh, period_window, periods_refresh
from opendata.models import IndicatorSnapshot, Period
from permits.models import Decision, Procedure
from permits.workflow import Action

MARCH, YEAR = date(2026, 3, 1), date(2026, 1, 1)


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


def figure(indicator: str, period: Period, day: date, territory: Territory | None = None) -> IndicatorSnapshot:
    return IndicatorSnapshot.objects.get(
        period=period, day=day, indicator=indicator, territory=territory, procedure="", breakdown=""
    )


def snapshots(period: Period, day: date) -> list[tuple[Any, ...]]:
    rows = IndicatorSnapshot.objects.filter(period=period, day=day)
    return list(
        rows.order_by("indicator", "procedure", "territory", "breakdown").values_list(
            "indicator", "procedure", "territory", "breakdown", "count", "value", "median", "p90"
        )
    )


def test_a_month_has_the_true_median_and_90th_percentile_of_its_files(spread: dict[str, Territory]) -> None:
    indicators_refresh(day=date(2026, 3, 10), period=Period.MONTH)
    times = figure("decision_days", Period.MONTH, MARCH)
    # [10, 20, 30, 40, 60]: mean 32, median 30; 90th percentile at 0.9 * 4 = 3.6: 40 + 0.6 * 20 = 52
    assert (times.count, times.value, times.median, times.p90) == (5, 32, 30, pytest.approx(52))
    anfa = figure("decision_days", Period.MONTH, MARCH, spread["anfa"])  # [10, 20, 30]: 20, 20 + 0.8 * 10
    assert (anfa.count, anfa.median, anfa.p90) == (3, 20, pytest.approx(28))
    maarif = figure("decision_days", Period.MONTH, MARCH, spread["maarif"])  # [40, 60]: 50, 40 + 0.9 * 20
    assert (maarif.median, maarif.p90) == (50, pytest.approx(58))
    area = figure("authorised_floor_area_m2", Period.MONTH, MARCH)  # 100, 200, 300, 800: 300 + 0.7 * 500
    assert (area.count, area.value, area.median, area.p90) == (4, 1400, 250, pytest.approx(650))
    assert (figure("decided", Period.MONTH, MARCH).count, figure("refused", Period.MONTH, MARCH).count) == (5, 1)
    # filed in March (local): the file decided on March 31st (filed March 1st) and April's (filed March 27th)
    assert figure("filed", Period.MONTH, MARCH).count == 2


def test_a_year_counts_all_its_months(spread: dict[str, Territory]) -> None:
    indicators_refresh(day=date(2026, 3, 10), period=Period.YEAR)
    times = figure("decision_days", Period.YEAR, YEAR)
    # [5, 10, 20, 30, 40, 50, 60]: median 30; 90th percentile at 0.9 * 6 = 5.4: 50 + 0.4 * 10 = 54
    assert (times.count, times.median, times.p90) == (7, 30, pytest.approx(54))
    assert figure("filed", Period.YEAR, YEAR).count == 6  # the February file was filed in December 2025


def test_the_days_keep_their_figures_and_a_rerun_gives_the_same_figures(spread: dict[str, Territory]) -> None:
    day = date(2026, 3, 10)
    indicators_refresh(day=day)
    alone = snapshots(Period.DAY, day)
    assert figure("decision_days", Period.DAY, day).median == 30  # [20, 40]
    march = days_between(MARCH, date(2026, 3, 31))
    periods_refresh(days=march)
    assert snapshots(Period.DAY, day) == alone
    periods = ((Period.MONTH, MARCH), (Period.YEAR, YEAR))
    first = [snapshots(period, start) for period, start in periods]
    assert all(first)
    periods_refresh(days=march)
    assert [snapshots(period, start) for period, start in periods] == first
    assert IndicatorSnapshot.objects.filter(period=Period.MONTH).values("day").distinct().count() == 1


def test_the_running_month_and_year_are_counted_to_date() -> None:
    today = timezone.localdate()
    for period in (Period.MONTH, Period.YEAR):
        window = period_window(period, today - timedelta(days=1))
        assert window.until == today and window.day <= today - timedelta(days=1)
    closed = period_window(Period.MONTH, date(2026, 2, 10))
    assert (closed.day, closed.until) == (date(2026, 2, 1), date(2026, 3, 1))
    assert closed.start == local(2026, 2, 1, 0, 0) and closed.end == local(2026, 3, 1, 0, 0)
