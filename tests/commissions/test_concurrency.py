"""Ten applicants book the same slot at the same moment, each on its own database connection: one wins."""

import threading
from typing import Any

import pytest
from django.db import connection

from permits.commissions import services
from permits.commissions.errors import SlotTaken
from permits.commissions.models import Booking, SlotOccupancy
from tests.commissions.conftest import build_world
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
