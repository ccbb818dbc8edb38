"""The office statistics (`/office/statistics/`): who may see them, the figures of a hand-built set of files computed
by hand, the files over or close to their limit from their clocks, the bottlenecks, and the CSV and XLSX downloads
read back by pandas and openpyxl with the page's figures."""

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pandas
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from demo.generate_dossiers import FileHistory, histories_write
from gis_core.models import Territory
from opendata.office.period import period_parse
from opendata.office.selectors import office_scope, office_statistics
from opendata.office.tables import Table
from permits.clock import clock_rebuild
from permits.models import Decision, Dossier, Procedure, Role
from permits.workflow import Action
from tests.factories import AgencyFactory
from tests.opendata.office_data import MARCH, TODAY, hand_built_write, running_write, staff
from tests.permits.factories import UserFactory, member_for


@pytest.fixture(autouse=True)
def english() -> Any:
    """The figures' labels in English (the page's language follows the browser's)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def hand_built(places: dict[str, Territory]) -> dict[str, Any]:
    return hand_built_write(places)


@pytest.fixture
def running(places: dict[str, Territory]) -> dict[str, Dossier]:
    return running_write(places)


def tables_for(user: Any, period: str = MARCH, today: date = TODAY) -> dict[str, Table]:
    scope = office_scope(user=user)
    assert scope is not None
    found = office_statistics(user=user, scope=scope, period=period_parse(period, today=today), today=today)
    return {table.key: table for table in found}


def rows_by_first(table: Table) -> dict[Any, dict[str, Any]]:
    return {row[0]: dict(zip(table.keys, row, strict=True)) for row in table.rows}


# --- who may see them ---------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, places: dict[str, Territory]) -> None:
    for url in ("/office/statistics/", "/office/statistics/desks.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "next=/office/statistics/" in response["Location"]


def test_an_applicant_and_a_commission_member_only_get_403(client: Client, places: dict[str, Territory]) -> None:
    applicant = UserFactory.create(username="applicant")
    member = member_for(AgencyFactory.create(code="AG-MEMBER"))
    for user in (applicant, member):
        client.force_login(user)
        assert client.get("/office/statistics/").status_code == 403
        assert client.get("/office/statistics/desks.xlsx").status_code == 403


def test_a_commune_desk_sees_only_its_commune(client: Client, hand_built: dict[str, Any]) -> None:
    anfa = hand_built["anfa"]
    tables = tables_for(staff("desk-anfa", anfa))
    desks = rows_by_first(tables["desks"])
    assert set(desks) == {anfa.name_fr, "All desks of the territory"}
    assert desks[anfa.name_fr]["decided"] == desks["All desks of the territory"]["decided"] == 3
    assert tables["agencies"].column("pending_now") == [0]  # the pending consultation is on a file of Maarif
    assert tables["commissions"].column("commission") == ["Commission provinciale"]  # not Agdal's
    client.force_login(staff("desk-anfa-page", anfa))
    page = client.get("/office/statistics/", {"period": MARCH}).content.decode()
    assert hand_built["maarif"].name_fr not in page and hand_built["elsewhere"].name_fr not in page


# --- the figures ------------------------------------------------------------------------------------------------


def test_the_figures_per_desk_equal_the_hand_built_set(hand_built: dict[str, Any]) -> None:
    tables = tables_for(staff("province", hand_built["province"], role=Role.ADMINISTRATOR))
    desks = rows_by_first(tables["desks"])
    anfa, maarif, total = desks["Commune CASA-ANFA"], desks["Commune CASA-MAARIF"], desks["All desks of the territory"]
    figures = ("filed", "decided", "authorised", "refused", "tacit")
    assert [anfa[key] for key in figures] == [1, 3, 2, 1, 0]  # filed in March: the one of 10 March
    assert [maarif[key] for key in figures] == [0, 2, 2, 0, 1]  # filed in February and December
    assert (total["decided"], total["within_limit_percent"], maarif["within_limit_percent"]) == (5, 80.0, 50.0)
    times = {(row[0], row[1]): row for row in tables["processing-times"].rows}
    # filing to decision over [10, 20, 30, 40, 100]: median 30; 90th percentile 40 + 0.6 * 60 = 76
    assert times[("All desks of the territory", "Filing to decision")][2:] == (5, 30.0, 76.0)
    assert times[("Commune CASA-MAARIF", "Filing to decision")][2:] == (2, 70.0, 94.0)  # [40, 100]
    assert times[("All desks of the territory", "Completeness")][2:] == (5, 2.0, 2.0)
    assert times[("All desks of the territory", "Commission")][2:] == (5, 5.0, 5.0)


def test_agencies_and_commissions_figures(hand_built: dict[str, Any]) -> None:
    tables = tables_for(staff("region", hand_built["region"]))
    water = rows_by_first(tables["agencies"])["Agence de l'eau"]
    # on time after 4 days, late after 6, tacit after 11: median 6, 90th percentile 6 + 0.8 * 5 = 10
    assert (water["on_time"], water["late"], water["tacit"], water["pending_now"]) == (1, 1, 1, 1)
    assert (water["median_days"], water["p90_days"]) == (6.0, 10.0)
    commissions = rows_by_first(tables["commissions"])
    assert set(commissions) == {"Commission provinciale"}  # Agdal's is in another region
    provincial = commissions["Commission provinciale"]
    assert (provincial["sessions_held"], provincial["slots_offered"], provincial["slots_booked"]) == (2, 6, 3)
    assert (provincial["files_examined"], provincial["files_per_session"], provincial["median_days"]) == (2, 1.0, 5.0)


def test_a_national_administrator_sees_every_commune(hand_built: dict[str, Any]) -> None:
    desks = rows_by_first(tables_for(staff("national", None, role=Role.ADMINISTRATOR))["desks"])
    assert desks["All desks of the territory"]["decided"] == 6
    assert hand_built["elsewhere"].name_fr in desks


def test_the_bottlenecks_rank_where_files_waited_longest(hand_built: dict[str, Any]) -> None:
    bottlenecks = tables_for(staff("province-b", hand_built["province"]), period="", today=date(2026, 4, 1))
    ranked = [(row[1], row[2], row[4]) for row in bottlenecks["bottlenecks"].rows]
    # the last 30 days to 1 April: the commission's 5 days, the agency's 6, instruction (completeness to commission)
    # [3, 13, 23, 33, 93] median 23, completeness 2
    assert ranked == [
        ("Step", "Instruction", 23.0),
        ("Agency", "Agence de l'eau", 6.0),
        ("Step", "Commission", 5.0),
        ("Commission", "Commission provinciale", 5.0),
        ("Step", "Completeness", 2.0),
    ]
    assert [row[0] for row in bottlenecks["bottlenecks"].rows] == [1, 2, 3, 4, 5]


def test_a_bad_period_is_a_form_error_or_a_problem(client: Client, places: dict[str, Territory]) -> None:
    client.force_login(staff("desk", places["anfa"]))
    for period in ("2026-13", "last week", "2999"):
        page = client.get("/office/statistics/", {"period": period})
        assert page.status_code == 400 and 'role="alert"' in page.content.decode()
        download = client.get("/office/statistics/desks.csv", {"period": period})
        assert download.status_code == 400 and download["Content-Type"] == "application/problem+json"
    assert client.get("/office/statistics/nothing.csv").status_code == 404
    assert client.get("/office/statistics/desks.pdf").status_code == 404


# --- the files over or close to their limit ------------------------------------------------------------------


def test_the_files_over_or_close_to_their_limit_with_who_holds_them(
    client: Client, places: dict[str, Territory], running: dict[str, Dossier]
) -> None:
    desk = staff("desk-limits", places["anfa"])
    today = timezone.localdate()
    limits = tables_for(desk, period="", today=today)["limits"]
    rows = rows_by_first(limits)
    assert list(rows) == ["REF-OVERDUE", "REF-WITH-AGENCY", "REF-CLOSE"]  # earliest deadline first; not Maarif's
    assert rows["REF-OVERDUE"]["state"] == "Over the limit" and rows["REF-OVERDUE"]["business_days_left"] < 0
    assert rows["REF-CLOSE"]["state"] == "Close to the limit"
    assert 0 <= rows["REF-CLOSE"]["business_days_left"] <= 5
    assert (rows["REF-CLOSE"]["held_by"], rows["REF-CLOSE"]["holder"]) == ("Desk", places["anfa"].name_fr)
    assert (rows["REF-WITH-AGENCY"]["held_by"], rows["REF-WITH-AGENCY"]["holder"]) == (
        "Agency",
        "Direction des routes",
    )
    assert rows["REF-WITH-AGENCY"]["step"] == "Instruction of the file"
    client.force_login(desk)
    page = client.get("/office/statistics/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/files/{running["overdue"].pk}/"' in page
    applicant = running["overdue"].applicant
    applicant.first_name, applicant.last_name, applicant.email = "Yasmine", "Benali", "yasmine@example.org"
    applicant.save()
    csv = client.get("/office/statistics/limits.csv").content.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/office/statistics/limits.xlsx").content)).active
    assert sheet is not None
    cells = " ".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)
    for text in (csv, cells):  # files by reference: nothing of the applicant
        assert "REF-OVERDUE" in text
        assert not any(personal in text for personal in ("Yasmine", "Benali", "yasmine@", applicant.username))


def test_the_page_answers_in_a_fixed_number_of_queries(client: Client, places: dict[str, Territory]) -> None:
    desk = staff("desk-queries", places["anfa"])
    client.force_login(desk)
    procedure = Procedure.objects.get(code="building-permit")
    now = timezone.now()

    def add(count: int) -> None:
        histories = [
            FileHistory(
                procedure=procedure,
                commune=places["anfa"],
                marks=[(Action.SUBMIT, now - timedelta(days=3)), (Action.DECIDE, now)],
                decision=Decision.FAVOURABLE,
            )
        ] * count + [FileHistory(procedure=procedure, commune=places["anfa"], marks=[(Action.SUBMIT, now)])] * count
        for dossier in histories_write(histories):
            clock_rebuild(dossier=Dossier.objects.get(pk=dossier.pk))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/office/statistics/").status_code == 200
        return len(captured)

    add(2)
    few = queries()
    add(6)
    assert queries() == few


# --- the downloads ------------------------------------------------------------------------------------------


def test_csv_and_xlsx_downloads_carry_the_page_figures(client: Client, hand_built: dict[str, Any]) -> None:
    user = staff("province-exports", hand_built["province"])
    client.force_login(user)
    with time_machine.travel(datetime(2026, 3, 31, 12, tzinfo=UTC), tick=False):
        tables = tables_for(user)
        for key in ("desks", "processing-times", "agencies", "commissions", "bottlenecks", "limits"):
            expected = tables[key]
            csv = client.get(f"/office/statistics/{key}.csv", {"period": MARCH})
            assert csv.status_code == 200 and csv["Content-Type"] == "text/csv; charset=utf-8"
            assert f"statistics-{key}-{MARCH}.csv" in csv["Content-Disposition"]
            read = pandas.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig", keep_default_na=False)
            assert list(read.columns) == expected.keys
            assert len(read) == len(expected.rows)
            xlsx = client.get(f"/office/statistics/{key}.xlsx", {"period": MARCH})
            assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
            sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
            assert sheet is not None
            values = list(sheet.iter_rows(values_only=True))
            assert list(values[0]) == expected.keys
            assert [tuple(row) for row in values[1:]] == [
                tuple(None if value == "" else value for value in row) for row in expected.rows
            ]
    desks = pandas.read_csv(io.BytesIO(client.get("/office/statistics/desks.csv", {"period": MARCH}).content))
    total = desks[desks["desk"] == "All desks of the territory"].iloc[0]
    assert (total["decided"], total["authorised"], total["within_limit_percent"]) == (5, 4, 80.0)
    times = pandas.read_excel(
        io.BytesIO(client.get("/office/statistics/processing-times.xlsx", {"period": MARCH}).content)
    )
    overall = times[(times["desk"] == "All desks of the territory") & (times["step"] == "Filing to decision")]
    assert (overall["median_days"].item(), overall["p90_days"].item()) == (30, 76)
