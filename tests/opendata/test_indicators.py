"""The indicator engine on a hand-built set of files: every figure below is computed by hand from the marks."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from demo.generate_dossiers import FileHistory, histories_write
from gis_core.models import Territory
from opendata import indicators
from opendata.indicators import indicators_refresh
from opendata.models import IndicatorSnapshot, RefreshOutcome, RefreshRun
from opendata.tasks import indicators_refresh_task
from permits.models import Decision, Procedure
from permits.workflow import Action

DAY = date(2026, 3, 10)
DECIDED_AT = datetime(2026, 3, 10, 10, tzinfo=UTC)  # 10:00 or 11:00 in Casablanca: the same local day


def days_before(days: float) -> datetime:
    return DECIDED_AT - timedelta(days=days)


def decided(
    commune: Territory, *, filed_days_before: int, action: Action, decision: str, area: float, remark_rounds: int = 0
) -> FileHistory:
    marks = [
        (Action.SUBMIT, days_before(filed_days_before)),
        (Action.ACCEPT_COMPLETE, days_before(filed_days_before - 2)),
    ]
    for round_number in range(remark_rounds):
        marks.append((Action.SEND_REMARKS, days_before(filed_days_before - 3 - round_number)))
        marks.append((Action.REPLY_TO_REMARKS, days_before(filed_days_before - 3.5 - round_number)))
    marks += [(Action.SEND_TO_COMMISSION, days_before(5)), (action, DECIDED_AT)]
    procedure = Procedure.objects.get(code="building-permit")
    return FileHistory(
        procedure=procedure, commune=commune, marks=marks, decision=decision, gross_floor_area_m2=area, floors=2
    )


@pytest.fixture
def hand_built(places: dict[str, Territory]) -> dict[str, Territory]:
    """Five files decided on DAY, filed 10, 20, 30, 40 and 100 days before (the last past its two months); two
    filed on DAY, one completed on DAY, one withdrawn on DAY, one decided the day after."""
    anfa, maarif = places["anfa"], places["maarif"]
    procedure = Procedure.objects.get(code="building-permit")
    favourable, unfavourable = Decision.FAVOURABLE, Decision.UNFAVOURABLE
    histories = [
        decided(anfa, filed_days_before=10, action=Action.DECIDE, decision=favourable, area=100, remark_rounds=2),
        decided(anfa, filed_days_before=20, action=Action.DECIDE, decision=favourable, area=200),
        decided(anfa, filed_days_before=30, action=Action.DECIDE, decision=unfavourable, area=999),
        decided(maarif, filed_days_before=40, action=Action.DECIDE, decision=favourable, area=300),
        decided(maarif, filed_days_before=100, action=Action.TACIT_DECISION, decision=favourable, area=400),
        FileHistory(procedure=procedure, commune=anfa, marks=[(Action.SUBMIT, DECIDED_AT)]),
        FileHistory(procedure=procedure, commune=maarif, marks=[(Action.SUBMIT, DECIDED_AT + timedelta(hours=2))]),
        FileHistory(
            procedure=procedure,
            commune=anfa,
            marks=[(Action.SUBMIT, days_before(3)), (Action.ACCEPT_COMPLETE, DECIDED_AT)],
        ),
        FileHistory(
            procedure=procedure,
            commune=maarif,
            marks=[
                (Action.SUBMIT, days_before(9)),
                (Action.ACCEPT_COMPLETE, days_before(8)),
                (Action.WITHDRAW, DECIDED_AT),
            ],
        ),
    ]
    histories_write(histories)
    return places


def figure(
    indicator: str, territory: Territory | None = None, procedure: str = "", breakdown: str = ""
) -> IndicatorSnapshot:
    return IndicatorSnapshot.objects.get(
        period="day", day=DAY, indicator=indicator, territory=territory, procedure=procedure, breakdown=breakdown
    )


def test_the_counts_per_commune_roll_up_to_province_region_and_nation(hand_built: dict[str, Territory]) -> None:
    indicators_refresh(day=DAY)
    anfa, maarif = hand_built["anfa"], hand_built["maarif"]
    for territory in (None, hand_built["province"], hand_built["region"]):
        assert figure("decided", territory).count == 5
        assert figure("decided", territory, procedure="building-permit").count == 5
    assert (figure("decided", anfa).count, figure("decided", maarif).count) == (3, 2)
    assert figure("authorised").count == 4
    assert figure("refused").count == 1
    assert figure("tacitly_decided").count == 1
    assert (figure("filed").count, figure("filed", anfa).count, figure("filed", maarif).count) == (2, 1, 1)
    assert figure("completed").count == 1
    assert figure("withdrawn", maarif).count == 1
    assert not IndicatorSnapshot.objects.filter(day=DAY, indicator="withdrawn", territory=anfa).exists()


def test_processing_times_median_90th_percentile_and_share_within_the_limit(hand_built: dict[str, Territory]) -> None:
    indicators_refresh(day=DAY)
    times = figure("decision_days")
    # [10, 20, 30, 40, 100]: median 30; 90th percentile at 0.9 * 4 = 3.6, 40 + 0.6 * (100 - 40) = 76
    assert (times.count, times.median, times.p90, times.value) == (5, 30, pytest.approx(76), 40)
    maarif = figure("decision_days", hand_built["maarif"])  # [40, 100]: 40 + 0.5 * 60 = 70, 40 + 0.9 * 60 = 94
    assert (maarif.median, maarif.p90) == (pytest.approx(70), pytest.approx(94))
    assert (figure("completeness_days").median, figure("commission_days").p90) == (2, 5)
    within = figure("decided_within_limit")  # the file filed 100 days before is past its two months
    assert (within.count, within.value) == (5, pytest.approx(0.8))
    assert figure("decided_within_limit", hand_built["anfa"]).value == 1
    rounds = figure("remark_rounds")  # [0, 0, 0, 0, 2]: mean 0.4, 90th percentile 0 + 0.6 * 2 = 1.2
    assert (rounds.value, rounds.median, rounds.p90) == (pytest.approx(0.4), 0, pytest.approx(1.2))


def test_what_gets_built_counts_the_authorised_files_only(hand_built: dict[str, Territory]) -> None:
    indicators_refresh(day=DAY)
    area = figure("authorised_floor_area_m2")  # 100, 200, 300, 400 (the refused 999 is not built)
    assert (area.count, area.value, area.median, area.p90) == (4, 1000, 250, pytest.approx(370))
    assert figure("authorised_storeys").value == 8


def test_a_rerun_for_a_past_day_gives_the_same_figures(hand_built: dict[str, Territory]) -> None:
    def figures() -> list[tuple[Any, ...]]:
        rows = IndicatorSnapshot.objects.filter(day=DAY).order_by("indicator", "procedure", "territory", "breakdown")
        return list(
            rows.values_list("indicator", "procedure", "territory", "breakdown", "count", "value", "median", "p90")
        )

    indicators_refresh(day=DAY)
    first = figures()
    procedure = Procedure.objects.get(code="building-permit")
    later = DECIDED_AT + timedelta(days=1)  # a file decided the next day, filed the same day: nothing of DAY changes
    histories_write([FileHistory(procedure=procedure, commune=hand_built["anfa"], marks=[(Action.SUBMIT, later)])])
    call_command("opendata_refresh", "--date", DAY.isoformat())
    assert figures() == first
    assert len(first) == IndicatorSnapshot.objects.filter(day=DAY).count()


def test_each_run_is_logged_and_a_failed_run_keeps_the_previous_figures(
    hand_built: dict[str, Territory], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = indicators_refresh(day=DAY)
    assert run.outcome == RefreshOutcome.SUCCEEDED and run.finished_at is not None
    assert run.rows == IndicatorSnapshot.objects.filter(day=DAY).count() > 0

    def broken(*args: Any) -> None:
        raise RuntimeError("the clock table is unreadable")

    monkeypatch.setattr(indicators, "run_sql", broken)
    with pytest.raises(RuntimeError):
        indicators_refresh(day=DAY)
    failed = RefreshRun.objects.order_by("-started_at").first()
    assert failed is not None and failed.outcome == RefreshOutcome.FAILED
    assert "the clock table is unreadable" in failed.error
    assert IndicatorSnapshot.objects.filter(day=DAY).count() == run.rows


def test_the_command_refreshes_a_range_then_its_month_and_year_and_refuses_mixed_options(
    hand_built: dict[str, Territory],
) -> None:
    call_command("opendata_refresh", "--from", "2026-03-09", "--to", "2026-03-11")
    runs = RefreshRun.objects.order_by("started_at").values_list("period", "day")
    march, year = date(2026, 3, 1), date(2026, 1, 1)
    days = [("day", date(2026, 3, 9)), ("day", DAY), ("day", date(2026, 3, 11))]
    assert list(runs) == [*days, ("month", march), ("year", year)]
    call_command("opendata_refresh", "--date", "2026-04-02", "--period", "month")
    assert list(runs.all())[-1] == ("month", date(2026, 4, 1)) and runs.all().count() == 6
    with pytest.raises(CommandError):
        call_command("opendata_refresh", "--date", "2026-03-09", "--from", "2026-03-09", "--to", "2026-03-10")
    with pytest.raises(CommandError):
        call_command("opendata_refresh", "--from", "2026-03-11", "--to", "2026-03-09")
    with pytest.raises(CommandError):
        call_command("opendata_refresh", "--date", "2026-03-09", "--period", "week")


def test_no_row_names_a_person_or_a_file(hand_built: dict[str, Territory]) -> None:
    indicators_refresh(day=DAY)
    fields = {field.name for field in IndicatorSnapshot._meta.get_fields()}
    assert fields == {
        "id",
        "period",
        "day",
        "indicator",
        "procedure",
        "territory",
        "breakdown",
        "count",
        "value",
        "median",
        "p90",
    }


def test_the_nightly_task_refreshes_yesterday_its_month_and_its_year_and_is_scheduled(
    places: dict[str, Territory], settings: Any
) -> None:
    indicators_refresh_task.apply()
    yesterday = timezone.localdate() - timedelta(days=1)
    runs = RefreshRun.objects.values_list("period", "day", "outcome")
    succeeded = RefreshOutcome.SUCCEEDED
    month, year = yesterday.replace(day=1), yesterday.replace(month=1, day=1)
    assert set(runs) == {("day", yesterday, succeeded), ("month", month, succeeded), ("year", year, succeeded)}
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "opendata.tasks.indicators_refresh_task" in scheduled
