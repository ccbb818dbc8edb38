"""The dashboard's JSON and each chart's CSV and JSON, against snapshot rows written by hand: the figures are the
rows' own, the selection picks the right rows (period, territory, procedure), a bad filter is a 400 problem, the
answer is cacheable (ETag, Last-Modified, 304) and costs a fixed number of queries."""

import csv
import io
from typing import Any

import pytest
from django.test import Client

from gis_core.models import Territory
from tests.opendata.dashboard.snapshots import Dataset, dashboard_dataset

pytestmark = pytest.mark.django_db
URL = "/opendata/dashboard.json"


@pytest.fixture
def dataset(places: dict[str, Territory]) -> Dataset:
    return dashboard_dataset(places)


def test_year_of_the_nation(client: Client, dataset: Dataset) -> None:
    answer = client.get(URL, {"period": "2025"})
    assert answer.status_code == 200
    data = answer.json()
    assert data["filters"] == {"territory": None, "procedure": "", "period": "2025"}
    assert data["figures"] == {
        "filed": 24,
        "decided": 20,
        "authorised": 16,
        "refused": 2,
        "tacitly_decided": 2,
        "decision_days": {"count": 20, "median": 41.5, "p90": 88.25},
        "decided_within_limit": {"count": 18, "share": 0.75},
        "authorised_floor_area_m2": 2469.0,
    }
    charts = data["charts"]
    assert [row["month"] for row in charts["flow"]] == [f"2025-{month:02d}" for month in range(1, 13)]
    assert charts["flow"][0] == {"month": "2025-01", "filed": 5, "decided": 0, "authorised": 0}
    assert charts["flow"][2] == {"month": "2025-03", "filed": 12, "decided": 10, "authorised": 8}
    assert charts["flow"][10]["filed"] == 4
    steps = {row["step"]: row for row in charts["steps"]}
    assert list(steps) == ["completeness", "instruction", "commission", "signature", "decision"]
    assert steps["completeness"] == {"step": "completeness", "files": 20, "median_days": 3.0, "p90_days": 9.5}
    assert steps["instruction"] == {"step": "instruction", "files": 0, "median_days": None, "p90_days": None}
    assert steps["decision"]["p90_days"] == 88.25
    assert charts["opinions"] == [
        {
            "agency": "WATER-T",
            "name_fr": "Office de l'eau",
            "name_ar": "المكتب",
            "name_en": "",
            "on_time": 14,
            "late": 4,
            "tacit": 0,
        }
    ]
    assert charts["uses"] == [
        {
            "use": dataset.use.code,
            "name_fr": dataset.use.label_fr,
            "name_ar": dataset.use.label_ar,
            "name_en": dataset.use.label_en,
            "files": 12,
            "floor_area_m2": 1800.0,
        }
    ]
    assert data["communes"] == {
        "CASA-ANFA": {
            "filed": 12,
            "decided": 10,
            "authorised": 8,
            "decision_days": 41.5,
            "decided_within_limit": 0.75,
            "authorised_floor_area_m2": 1234.5,
        },
        "CASA-MAARIF": {"filed": 30, "decision_days": 55.0},
    }


def test_a_commune_a_month_and_a_procedure(client: Client, dataset: Dataset) -> None:
    anfa = client.get(URL, {"period": "2025", "territory": "CASA-ANFA"}).json()
    assert anfa["filters"]["territory"] == {
        "code": "CASA-ANFA",
        "level": "commune",
        "name_fr": dataset.anfa.name_fr,
        "name_ar": dataset.anfa.name_ar,
        "name_en": dataset.anfa.name_en,
    }
    assert (anfa["figures"]["filed"], anfa["figures"]["authorised"]) == (12, 8)
    march = client.get(URL, {"period": "2025-03"}).json()
    assert (march["figures"]["filed"], march["figures"]["decided"]) == (12, 10)
    assert march["figures"]["decision_days"]["median"] == 41.5
    assert len(march["charts"]["flow"]) == 12  # the months of the period's year
    other = client.get(URL, {"period": "2025", "procedure": "occupancy-permit"}).json()
    assert other["figures"]["filed"] == 555
    assert other["figures"]["decided"] == 0
    assert other["figures"]["decision_days"] == {"count": 0, "median": None, "p90": None}
    assert other["charts"]["opinions"] == other["charts"]["uses"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"period": "2025-13"}, "period"),
        ({"period": "25"}, "period"),
        ({"period": "1990"}, "period"),
        ({"period": "3025"}, "period"),
        ({"period": "2025-03-01"}, "period"),
        ({"territory": "NOWHERE"}, "territory"),
        ({"procedure": "no-such-procedure"}, "procedure"),
    ],
)
def test_bad_filter_is_a_400_problem(client: Client, dataset: Dataset, query: dict[str, str], parameter: str) -> None:
    answer = client.get(URL, query)
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 400
    assert problem["parameter"] == parameter
    assert problem["detail"]


def test_cacheable_and_a_fixed_number_of_queries(
    client: Client, dataset: Dataset, django_assert_max_num_queries: Any
) -> None:
    query = {"period": "2025", "territory": "CASA-ANFA", "procedure": "building-permit"}
    with django_assert_max_num_queries(8):
        answer = client.get(URL, query)
    assert answer.status_code == 200
    assert answer["ETag"].startswith('W/"dashboard-')
    assert answer["Last-Modified"]
    with django_assert_max_num_queries(3):
        again = client.get(URL, query, HTTP_IF_NONE_MATCH=answer["ETag"])
    assert again.status_code == 304
    other = client.get(URL, {"period": "2025-03"})
    assert other["ETag"] != answer["ETag"]


def test_chart_downloads(client: Client, dataset: Dataset) -> None:
    answer = client.get("/opendata/dashboard/steps.csv", {"period": "2025"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"] == 'attachment; filename="steps_2025.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [row["step"] for row in rows] == ["completeness", "instruction", "commission", "signature", "decision"]
    assert rows[0] == {"step": "completeness", "files": "20", "median_days": "3.0", "p90_days": "9.5"}
    as_json = client.get("/opendata/dashboard/flow.json", {"period": "2025", "territory": "CASA-ANFA"})
    assert as_json["Content-Type"] == "application/json"
    assert as_json.json() == client.get(URL, {"period": "2025", "territory": "CASA-ANFA"}).json()["charts"]["flow"]
    empty = client.get("/opendata/dashboard/opinions.csv", {"period": "2025", "procedure": "occupancy-permit"})
    assert empty.content.decode() == "agency,name_fr,name_ar,name_en,on_time,late,tacit\r\n"  # the header still
    assert client.get("/opendata/dashboard/steps.xlsx").status_code == 404
    assert client.get("/opendata/dashboard/secrets.csv").status_code == 404
    assert client.get("/opendata/dashboard/uses.csv", {"period": "20x5"}).status_code == 400
