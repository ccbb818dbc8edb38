"""The indicator tables and histories as their users read them: pandas for CSV, a JSON parser; the figures equal
the snapshots, the JSON keeps its shape, conditional requests get 304, bad filters 400 problems.

The downloads read through the `geoportal` alias, which sees committed rows only: the tests are transactional.
"""

import io
import json
import math
from datetime import date
from typing import Any

import pandas
import pytest
from django.test import Client

from gis_core.models import Territory
from opendata.catalogue import dataset, datasets
from opendata.downloads.indicators import FIELDS
from opendata.indicators import days_between, periods_refresh
from opendata.models import IndicatorSnapshot, Period
from tests.opendata.conftest import MARCH
from tests.opendata.downloads.client import body_of

GEOPORTAL_DB = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
HISTORY = "/opendata/datasets/indicators/{}"


def get(path: str, **headers: str) -> tuple[bytes, Any]:
    response = Client().get(path, headers=headers)
    return body_of(response), response


def figures_of(rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Each figure's key and numbers, NaN and None alike (pandas reads an empty cell as NaN)."""

    def number(value: Any) -> float | None:
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 9)

    def text(value: Any) -> str:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)

    return {
        (
            text(row["period"]),
            text(row["day"]),
            text(row["indicator"]),
            text(row["procedure_code"]),
            text(row["territory_code"]),
            text(row["breakdown_code"]),
            int(row["count"]),
            number(row["value"]),
            number(row["median"]),
            number(row["p90"]),
        )
        for row in rows
    }


def snapshots_of(period: str, indicators: tuple[str, ...]) -> set[tuple[Any, ...]]:
    rows = IndicatorSnapshot.objects.filter(period=period, indicator__in=indicators).values(
        "period", "day", "indicator", "procedure", "territory__code", "breakdown", "count", "value", "median", "p90"
    )
    return figures_of(
        [
            {**row, "day": row["day"].isoformat(), "procedure_code": row["procedure"]}
            | {"territory_code": row["territory__code"], "breakdown_code": row["breakdown"]}
            for row in rows
        ]
    )


@pytest.fixture
def refreshed(spread: dict[str, Territory]) -> dict[str, Territory]:
    periods_refresh(days=days_between(MARCH, date(2026, 3, 31)))
    return spread


@GEOPORTAL_DB
def test_pandas_reads_every_table_and_its_figures_are_the_snapshots(refreshed: dict[str, Territory]) -> None:
    checked = 0
    for each in datasets():
        for period in (Period.MONTH, Period.YEAR) if each.indicators else ():
            body, response = get(f"/opendata/datasets/{each.slug}/{period}.csv")
            assert response.status_code == 200 and response["Content-Type"].startswith("text/csv; charset=utf-8")
            assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 with the mark
            table = pandas.read_csv(io.BytesIO(body), dtype={"territory_code": str, "breakdown_code": str})
            assert list(table.columns) == list(FIELDS)
            expected = snapshots_of(period, each.indicators)
            assert figures_of(table.to_dict("records")) == expected
            checked += len(expected)
    assert checked > 0
    table = pandas.read_csv(io.BytesIO(get("/opendata/datasets/processing-times/month.csv")[0]))
    anfa = table[(table.indicator == "decision_days") & (table.territory_code == "CASA-ANFA")]
    anfa = anfa[anfa.procedure_code.isna() & (anfa.day == "2026-03-01")]
    assert (anfa["median"].item(), anfa["p90"].item()) == (20, pytest.approx(28))  # tests/opendata/test_periods.py
    assert anfa.territory_level.item() == "commune" and anfa.territory_name_ar.item() == refreshed["anfa"].name_ar


@GEOPORTAL_DB
def test_the_json_keeps_its_shape_and_the_csv_figures(refreshed: dict[str, Territory]) -> None:
    body, response = get("/opendata/datasets/what-gets-built/year.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = json.loads(body)
    assert set(document) == {"dataset", "license", "fields", "rows"} and document["dataset"] == "what-gets-built"
    assert document["fields"] == list(FIELDS) and document["rows"]
    assert all(list(row) == list(FIELDS) for row in document["rows"])
    csv_rows = pandas.read_csv(io.BytesIO(get("/opendata/datasets/what-gets-built/year.csv")[0]))
    assert figures_of(document["rows"]) == figures_of(csv_rows.to_dict("records"))
    empty = json.loads(get(HISTORY.format("sessions_held.json"))[0])
    assert empty == {**document, "dataset": "agencies-and-commissions", "rows": []}


@GEOPORTAL_DB
def test_a_history_is_the_daily_figures_of_one_indicator_filtered(refreshed: dict[str, Territory]) -> None:
    body, response = get(HISTORY.format("decision_days.csv?territory=nation&procedure=building-permit"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="decision_days-nation-building-permit.csv"'
    table = pandas.read_csv(io.BytesIO(body))
    assert set(table.period) == {"day"} and set(table.territory_level) == {"nation"}
    assert set(table.procedure_code) == {"building-permit"}
    # decided on March 2nd, 10th (two), 20th and 31st; the day of the 10th: [20, 40]
    assert list(table.day) == ["2026-03-02", "2026-03-10", "2026-03-20", "2026-03-31"]
    assert table[table.day == "2026-03-10"]["median"].item() == 30
    anfa = pandas.read_csv(io.BytesIO(get(HISTORY.format("decision_days.csv?territory=CASA-ANFA"))[0]))
    assert set(anfa.territory_code) == {"CASA-ANFA"} and set(anfa.procedure_code.fillna("")) == {"", "building-permit"}
    totals = pandas.read_csv(io.BytesIO(get(HISTORY.format("decision_days.csv?territory=nation&procedure=all"))[0]))
    assert list(totals["count"]) == [1, 2, 1, 1] and totals.procedure_code.isna().all()
    everything = json.loads(get(HISTORY.format("decision_days.json"))[0])["rows"]
    assert figures_of(everything) == snapshots_of("day", ("decision_days",))


@GEOPORTAL_DB
def test_a_conditional_request_gets_304_until_the_next_refresh(refreshed: dict[str, Territory]) -> None:
    path = HISTORY.format("decided.csv?territory=nation")
    _, first = get(path)
    assert first["ETag"].startswith('W/"csv-') and first["Last-Modified"].endswith("GMT")
    assert 'rel="license"' in first["Link"] and "etalab" in first["Link"]
    body, again = get(path, if_none_match=first["ETag"])
    assert again.status_code == 304 and body == b""
    assert get(path, if_modified_since=first["Last-Modified"])[1].status_code == 304
    assert get(HISTORY.format("decided.json?territory=nation"))[1]["ETag"] != first["ETag"]
    periods_refresh(days=[date(2026, 3, 10)], periods=(Period.DAY,))
    assert get(path, if_none_match=first["ETag"])[1].status_code == 200


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("decided.csv?territory=NOWHERE", 400),
        ("decided.csv?procedure=no-such-procedure", 400),
        ("decided.csv?territory=", 400),
        ("decided.json?commune=CASA-ANFA", 400),
        ("nothing.csv", 404),
        ("decided.xlsx", 404),
    ],
)
@GEOPORTAL_DB
def test_a_bad_filter_or_name_is_a_problem_not_a_500(places: dict[str, Territory], query: str, status: int) -> None:
    body, response = get(HISTORY.format(query))
    assert response.status_code == status and response["Content-Type"] == "application/problem+json"
    assert json.loads(body)["detail"]


@GEOPORTAL_DB
def test_an_unknown_table_is_a_404_problem(places: dict[str, Territory]) -> None:
    for path in ("files-flow/week.csv", "files-flow/month.xml", "authorised-projects/month.csv", "nothing/year.csv"):
        _, response = get(f"/opendata/datasets/{path}")
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json", path
    processing = dataset("processing-times")
    assert processing is not None and get(processing.distributions[0].path())[1].status_code == 200
