"""From the files to the dashboard: three files decided in March 2025, refreshed by `opendata_refresh`, then read
through `/opendata/dashboard.json`; every figure below is computed by hand from the marks. No answer of the
dashboard (page, JSON, charts' data) names the applicant, the file's title or its reference."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from demo.generate_dossiers import APPLICANT, FileHistory, histories_write
from gis_core.models import Territory
from permits.models import Decision, Dossier, Procedure
from permits.workflow import Action

pytestmark = pytest.mark.django_db
TITLE = "Villa de Yasmine Benali"


def decided(commune: Territory, at: datetime, *, filed_days_before: int, area: float, decision: str) -> FileHistory:
    filed = at - timedelta(days=filed_days_before)
    marks = [(Action.SUBMIT, filed), (Action.ACCEPT_COMPLETE, filed + timedelta(days=1)), (Action.DECIDE, at)]
    procedure = Procedure.objects.get(code="building-permit")
    return FileHistory(procedure=procedure, commune=commune, marks=marks, decision=decision, gross_floor_area_m2=area)


def test_refreshed_files_read_on_the_dashboard(client: Client, places: dict[str, Territory]) -> None:
    anfa, maarif = places["anfa"], places["maarif"]
    files = histories_write(
        [
            # filed March 10 and March 5; filed February 16
            decided(
                anfa,
                datetime(2025, 3, 20, 10, tzinfo=UTC),
                filed_days_before=10,
                area=100,
                decision=Decision.FAVOURABLE,
            ),
            decided(
                anfa,
                datetime(2025, 3, 25, 10, tzinfo=UTC),
                filed_days_before=20,
                area=200,
                decision=Decision.FAVOURABLE,
            ),
            decided(
                maarif,
                datetime(2025, 3, 28, 10, tzinfo=UTC),
                filed_days_before=40,
                area=999,
                decision=Decision.UNFAVOURABLE,
            ),
        ]
    )
    call_command("opendata_refresh", "--date", "2025-03-20", stdout=io.StringIO())  # the day, March and 2025

    march = client.get("/opendata/dashboard.json", {"period": "2025-03"})
    assert march.status_code == 200
    assert march["Last-Modified"]
    figures = march.json()["figures"]
    assert (figures["filed"], figures["decided"], figures["authorised"], figures["refused"]) == (2, 3, 2, 1)
    # filing to decision 10, 20 and 40 days: median 20, p90 20 + 0.8 x (40 - 20) = 36
    assert figures["decision_days"] == {"count": 3, "median": 20.0, "p90": pytest.approx(36.0)}
    assert figures["authorised_floor_area_m2"] == 300.0
    steps = {row["step"]: row for row in march.json()["charts"]["steps"]}
    assert steps["completeness"]["median_days"] == pytest.approx(1.0)
    assert march.json()["communes"]["CASA-ANFA"]["decided"] == 2
    assert march.json()["communes"]["CASA-MAARIF"]["decided"] == 1

    year = client.get("/opendata/dashboard.json", {"period": "2025"}).json()
    assert (year["figures"]["filed"], year["figures"]["decided"]) == (3, 3)
    flow = {row["month"]: row for row in year["charts"]["flow"]}
    assert flow["2025-03"] == {"month": "2025-03", "filed": 2, "decided": 3, "authorised": 2}
    assert flow["2025-02"] == {"month": "2025-02", "filed": 0, "decided": 0, "authorised": 0}  # not refreshed
    anfa_year = client.get("/opendata/dashboard.json", {"period": "2025", "territory": "CASA-ANFA"}).json()
    assert anfa_year["figures"]["decision_days"]["median"] == pytest.approx(15.0)

    # Nothing that names a person or a file, in any of the dashboard's answers.
    Dossier.objects.filter(pk__in=[file.pk for file in files]).update(title=TITLE)
    private = [APPLICANT, TITLE, *(file.reference for file in files if file.reference)]
    answers = [client.get("/opendata/", {"period": "2025"}), client.get("/opendata/dashboard.json", {"period": "2025"})]
    answers += [
        client.get(f"/opendata/dashboard/{chart}.{extension}", {"period": "2025-03"})
        for chart in ("flow", "steps", "opinions", "uses")
        for extension in ("csv", "json")
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert not [fact for fact in private if fact in answer.content.decode()]
