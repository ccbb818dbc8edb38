"""A file booked in its commission's session whose decision's limit expires (the administration's silence, law
12-90 art. 48 in the catalogue): the platform decides it tacitly, gives its slot back (the session will not examine
it), seals the attestation and publishes the file; the session can no longer examine it."""

from datetime import date

import pytest
from django.conf import settings
from django.test import TestCase

from gis_core.signing.pki import DevelopmentPki
from permits.commissions import services
from permits.commissions.errors import NotOnAgenda
from permits.commissions.models import Booking, BookingStatus
from permits.commissions.tasks import clock_outcomes_apply
from permits.models import AuditEvent, DossierStatus
from tests.commissions.conftest import World
from tests.commissions.helpers import booked_file
from tests.permits.factories import ADDRESS
from tests.permits.test_clock import at, clock_catalogue

pytestmark = pytest.mark.django_db


def test_a_booked_file_decided_by_silence_gives_its_slot_back(world: World, pki: DevelopmentPki) -> None:
    clock_catalogue(world.procedure)
    pki.user(settings.SIGNING_PLATFORM_SEAL_USERNAME, display_name="Plateforme")
    session = world.sessions()[0]
    dossier = booked_file(world, session, 1)  # filed on 28 December 2026 (the pinned day): due 1 March 2027
    assert dossier.status == DossierStatus.IN_COMMISSION
    with at(date(2027, 3, 2)), TestCase.captureOnCommitCallbacks(execute=True):
        assert clock_outcomes_apply(today=date(2027, 3, 2))["tacit_decisions"] == 1
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PUBLISHED and dossier.decided_tacitly
    booking = Booking.objects.get(dossier=dossier)
    assert booking.status == BookingStatus.CANCELLED and not booking.occupancies.exists()
    cancelled = AuditEvent.objects.get(dossier=dossier, action="commission.booking_cancelled")
    assert cancelled.actor is None and cancelled.payload["reason"] == "tacit decision"
    with pytest.raises(NotOnAgenda):
        services.examination_record(
            actor=world.staff["desk_agent"],
            address=ADDRESS,
            session=session,
            dossier=dossier,
            joint_opinion="favourable",
        )
