"""A commission whose work grows, for the tests that check a read takes as many queries for many rows as for one:
files of each kind in the first session (booked, examined, decided), then more of them in two sessions, more
sessions and more members present."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from permits.commissions import services
from permits.models import Dossier
from tests.commissions.conftest import FIRST_DAY, World
from tests.commissions.helpers import booked_file, hold_session
from tests.factories import AgencyFactory
from tests.permits.factories import ADDRESS, UserFactory

NOW = datetime(2027, 1, 4, 8, tzinfo=ZoneInfo("Africa/Casablanca"))  # the Monday before the first session

# A read returns how many rows it read (files, members, sessions, signatures...), so a test can see them grow.
Read = Callable[[], int]


def files_of_each_kind(world: World, capture: Any, session_index: int, first_slot: int) -> list[Dossier]:
    """Three files booked in a session from `first_slot`: one only booked, one examined, one examined and decided
    (its outputs generated and their signatures requested)."""
    session = world.sessions()[session_index]
    booked, examined, decided = (booked_file(world, session, first_slot + offset) for offset in range(3))
    hold_session(world, session, examined)
    examination = hold_session(world, session, decided)
    with capture(execute=True):
        services.examination_decide(
            actor=world.staff["commission_president"], address=ADDRESS, examination=examination, decision="favourable"
        )
    return [booked, examined, decided]


def grow(world: World, capture: Any) -> None:
    """From three files in the first session to six there and three in the second, two weeks more of sessions,
    and two more members, everyone present in the first session."""
    files_of_each_kind(world, capture, 0, 3)
    files_of_each_kind(world, capture, 1, 0)
    services.sessions_generate(weeks=4, today=FIRST_DAY, commission=world.commission)
    members = [world.permanent.pk, world.occasional.pk]
    for code in ("GROW-1", "GROW-2"):
        user, agency = UserFactory.create(username=f"member-{code.lower()}"), AgencyFactory.create(code=code)
        members.append(services.commission_member_add(commission=world.commission, user=user, agency=agency).pk)
    president, session = world.staff["commission_president"], world.sessions()[0]
    services.session_attendance_record(actor=president, address=ADDRESS, session=session, present_member_ids=members)


def queries_of(read: Read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured.captured_queries)


def assert_same_queries_as_rows_grow(
    reads: dict[str, Read], more_rows: Callable[[], None], assert_num_queries: Any
) -> None:
    """Each read takes the same number of queries after `more_rows` as before, and reads more rows."""
    for read in reads.values():
        read()  # caches warmed (content types, site, translations)
    before = {name: (queries_of(read), read()) for name, read in reads.items()}
    more_rows()
    for name, read in reads.items():
        queries, rows = before[name]
        with assert_num_queries(queries, info=name):
            grown = read()
        assert grown > rows, (name, rows, grown)
