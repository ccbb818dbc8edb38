"""The data of the office statistics' tests: a hand-built set of files decided in March 2026 with opinions and
commission sessions, and files whose clocks run today (over, close to and far from their limit)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from demo.generate_dossiers import FileHistory, histories_write
from gis_core.models import Territory
from permits.clock import clock_rebuild
from permits.commissions.models import (
    Booking,
    Commission,
    Examination,
    Session,
    SessionStatus,
    Slot,
    SlotOccupancy,
)
from permits.models import Consultation, ConsultationStatus, Decision, Dossier, InstructionRound, Procedure, Role
from permits.workflow import Action
from tests.factories import AgencyFactory
from tests.opendata.conftest import opinion
from tests.permits.factories import RoleMembershipFactory, UserFactory, commune_tree

DECIDED_AT = datetime(2026, 3, 20, 10, tzinfo=UTC)
TODAY = date(2026, 3, 31)
MARCH = "2026-03"


def staff(username: str, territory: Territory | None, role: str = Role.DESK_AGENT) -> Any:
    user = UserFactory.create(username=username)
    RoleMembershipFactory.create(user=user, role=role, territory=territory)
    return user


def decided(commune: Territory, *, filed_days_before: int, action: Action, decision: str) -> FileHistory:
    marks = [
        (Action.SUBMIT, DECIDED_AT - timedelta(days=filed_days_before)),
        (Action.ACCEPT_COMPLETE, DECIDED_AT - timedelta(days=filed_days_before - 2)),
        (Action.SEND_TO_COMMISSION, DECIDED_AT - timedelta(days=5)),
        (action, DECIDED_AT),
    ]
    procedure = Procedure.objects.get(code="building-permit")
    return FileHistory(procedure=procedure, commune=commune, marks=marks, decision=decision)


def hand_built_write(places: dict[str, Territory]) -> dict[str, Any]:
    """Decided on 20 March 2026: in Anfa three files filed 10, 20 and 30 days before (the last refused), in Maarif two
    filed 40 and 100 days before (the last tacitly, past its two months), and one in another province's commune (out
    of every scope below but the nation's). Three opinions of an agency given in March (on time after 4 days, late
    after 6, tacit after 11) and one pending; a provincial commission held two sessions (4 and 2 slots, 3 booked, 2
    files examined, among them the files decided from Anfa filed 10 and 20 days before)."""
    anfa, maarif = places["anfa"], places["maarif"]
    elsewhere = commune_tree("RABAT-AGDAL")
    favourable, unfavourable = Decision.FAVOURABLE, Decision.UNFAVOURABLE
    files = histories_write(
        [
            decided(anfa, filed_days_before=10, action=Action.DECIDE, decision=favourable),
            decided(anfa, filed_days_before=20, action=Action.DECIDE, decision=favourable),
            decided(anfa, filed_days_before=30, action=Action.DECIDE, decision=unfavourable),
            decided(maarif, filed_days_before=40, action=Action.DECIDE, decision=favourable),
            decided(maarif, filed_days_before=100, action=Action.TACIT_DECISION, decision=favourable),
            decided(elsewhere, filed_days_before=15, action=Action.DECIDE, decision=favourable),
        ]
    )
    agency = AgencyFactory.create(code="AG-WATER", name_fr="Agence de l'eau")
    noon = DECIDED_AT.replace(hour=12)
    cases = [
        (4, date(2026, 3, 20), ConsultationStatus.GIVEN),
        (6, date(2026, 3, 18), ConsultationStatus.GIVEN),
        (11, date(2026, 3, 19), ConsultationStatus.TACIT),
        (3, date(2026, 4, 10), ConsultationStatus.PENDING),
    ]
    for dossier, (days, deadline, status) in zip(files[:4], cases, strict=True):
        opinion(dossier, agency, noon=noon, days=days, deadline=deadline, status=status)
    secretary = UserFactory.create(username="secretary")
    commission = Commission.objects.create(
        name_fr="Commission provinciale", territory=places["province"], family="urbanism"
    )
    Commission.objects.create(name_fr="Commission d'Agdal", territory=elsewhere, family="urbanism")
    examined = iter(files[:2])
    for hour, capacity, booked in ((9, 4, 3), (14, 2, 0)):
        start = datetime(2026, 3, 15, hour, tzinfo=UTC)
        session = Session.objects.create(
            commission=commission,
            date=start.date(),
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=capacity,
            status=SessionStatus.HELD,
        )
        slots = [
            Slot.objects.create(session=session, number=number, starts_at=start, ends_at=start)
            for number in range(capacity)
        ]
        for number, slot in enumerate(slots[:booked]):
            dossier = files[number]
            booking = Booking.objects.create(dossier=dossier, session=session, first_slot=slot, booked_by=secretary)
            SlotOccupancy.objects.create(slot=slot, booking=booking)
            if number < 2:
                Examination.objects.create(
                    session=session, dossier=next(examined), joint_opinion="favourable", recorded_by=secretary
                )
    return {**places, "elsewhere": elsewhere, "files": files, "commission": commission}


@transaction.atomic  # the clocks are replayed under a lock of each file
def running_write(places: dict[str, Territory]) -> dict[str, Dossier]:
    """Files with their clocks replayed from the audit trail, today: filed 20 days ago and not checked (over its
    3 business days), filed today (3 business days left), complete for 40 days with an opinion pending (over its
    instruction's 20 business days), and one just checked complete (20 business days left: not listed)."""
    now = timezone.now()
    procedure = Procedure.objects.get(code="building-permit")
    anfa, maarif = places["anfa"], places["maarif"]
    histories = {
        "overdue": FileHistory(procedure=procedure, commune=anfa, marks=[(Action.SUBMIT, now - timedelta(days=20))]),
        "close": FileHistory(procedure=procedure, commune=anfa, marks=[(Action.SUBMIT, now)]),
        "with-agency": FileHistory(
            procedure=procedure,
            commune=anfa,
            marks=[(Action.SUBMIT, now - timedelta(days=41)), (Action.ACCEPT_COMPLETE, now - timedelta(days=40))],
        ),
        "far": FileHistory(
            procedure=procedure,
            commune=anfa,
            marks=[(Action.SUBMIT, now - timedelta(days=1)), (Action.ACCEPT_COMPLETE, now)],
        ),
        "maarif": FileHistory(procedure=procedure, commune=maarif, marks=[(Action.SUBMIT, now - timedelta(days=20))]),
    }
    files = dict(zip(histories, histories_write(list(histories.values())), strict=True))
    for name, dossier in files.items():
        Dossier.objects.filter(pk=dossier.pk).update(reference=f"REF-{name.upper()}")
        clock_rebuild(dossier=Dossier.objects.get(pk=dossier.pk))
    agency = AgencyFactory.create(code="AG-ROADS", name_fr="Direction des routes")
    opened = InstructionRound.objects.create(dossier=files["with-agency"], number=1, opened_at=now)
    Consultation.objects.bulk_create(
        [
            Consultation(
                dossier=files["with-agency"],
                round=opened,
                agency=agency,
                permanent=True,
                dispatched_at=now,
                deadline=timezone.localdate(),
            )
        ]
    )
    return files
