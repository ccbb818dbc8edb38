"""Concurrent writers, each on its own database connection: ten applicants book the same slot at the same moment
(one wins); a booking cancelled while its file is examined waits for the examination instead of deadlocking."""

import contextlib
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import OperationalError, connection

from permits.commissions import services
from permits.commissions.errors import NotOnAgenda, SlotTaken
from permits.commissions.models import Booking, BookingStatus, Examination, SlotOccupancy
from tests.commissions.conftest import build_world
from tests.commissions.helpers import booked_file
from tests.permits.factories import ADDRESS, DossierFactory

BOOKERS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_bookers_for_one_slot_exactly_one_wins() -> None:
    world = build_world()
    dossiers = [DossierFactory.create(procedure=world.procedure, under_instruction=True) for _ in range(BOOKERS)]
    slot = world.sessions()[0].slots.get(number=0)
    barrier = threading.Barrier(BOOKERS)
    outcomes: list[Any] = [None] * BOOKERS

    def book(index: int) -> None:
        dossier = dossiers[index]
        try:
            barrier.wait(timeout=30)
            outcomes[index] = services.booking_create(
                actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=slot
            )
        except Exception as error:  # collected and asserted on below
            outcomes[index] = error
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=book, args=(index,)) for index in range(BOOKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    winners = [outcome for outcome in outcomes if isinstance(outcome, Booking)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, SlotTaken)]
    assert len(winners) == 1, outcomes
    assert len(losers) == BOOKERS - 1, outcomes
    assert all(loser.status == 409 and "already booked" in loser.detail for loser in losers)
    assert SlotOccupancy.objects.filter(slot=slot).count() == 1
    assert SlotOccupancy.objects.get(slot=slot).booking_id == winners[0].pk
    assert Booking.objects.filter(session=slot.session).count() == 1


def pause_after_first_lock(barrier: threading.Barrier) -> Callable[..., Any]:
    """A query wrapper that, once this thread's first row lock is taken, waits (3 s at most) for the other thread
    to take its own: the two transactions then hold their first lock each, whatever the scheduling."""
    paused = False

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal paused
        result = execute(sql, params, many, context)
        if not paused and "FOR UPDATE" in sql:
            paused = True
            with contextlib.suppress(threading.BrokenBarrierError):  # the other waits for this lock: go on
                barrier.wait(timeout=3)
        return result

    return wrapper


@pytest.mark.django_db(transaction=True)
def test_a_booking_cancelled_while_its_file_is_examined_waits_instead_of_deadlocking() -> None:
    """The examination locked the session then the file, the booking the file then the session: two such
    transactions at once deadlocked (PostgreSQL aborts one: "deadlock detected"). Both now lock the file first."""
    world = build_world()
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    president = world.staff["commission_president"]
    services.session_attendance_record(
        actor=president, address=ADDRESS, session=session, present_member_ids=[world.permanent.pk, world.occasional.pk]
    )
    booking = Booking.objects.get(dossier=dossier)
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def run(name: str, call: Callable[[], Any]) -> None:
        try:
            with connection.execute_wrapper(pause_after_first_lock(barrier)):
                outcomes[name] = call()
        except Exception as error:  # collected and asserted on below
            outcomes[name] = error
        finally:
            connection.close()

    examine = partial(
        services.examination_record,
        actor=president,
        address=ADDRESS,
        session=session,
        dossier=dossier,
        joint_opinion="favourable",
    )
    cancel = partial(services.booking_cancel, actor=dossier.applicant, address=ADDRESS, booking=booking)
    threads = [threading.Thread(target=run, args=item) for item in (("examine", examine), ("cancel", cancel))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(isinstance(outcome, OperationalError) for outcome in outcomes.values()), outcomes
    assert isinstance(outcomes["cancel"], Booking) and outcomes["cancel"].status == BookingStatus.CANCELLED
    # examined first (then the booking was cancelled), or refused once the file had left the agenda
    assert isinstance(outcomes["examine"], Examination | NotOnAgenda), outcomes
