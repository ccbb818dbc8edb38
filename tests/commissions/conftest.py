"""Fixtures of the commission tests: a commission of the CASA-ANFA commune with two members, a Tuesday/Thursday
schedule, sessions in January 2027 (Thursday 14 January is Yennayer, a public holiday), files reaching their
statuses through the permits services, the real SMTP server, and a development PKI for the signatures.

The clock is pinned to `PINNED_NOW` (a week before the first session, the clock still running from there): the
bookings' 48-hour cut-off and the sessions ahead are judged as of that day, whatever today's date is."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gis_core.signing.pki import DevelopmentPki
from parcels.models import Agency
from permits.commissions import services
from permits.commissions.models import Commission, CommissionMember, MemberKind, Session
from permits.models import Procedure, RequiredDocument
from tests.conftest import tasks_eager
from tests.factories import AgencyFactory
from tests.legal_path import (  # noqa: F401 - the development PKI of the session and the legal path, as fixtures
    legal_path,
    pki,
    signing_settings_apply,
)
from tests.notifications.conftest import (  # noqa: F401 - the real SMTP server, shared as fixtures
    smtp,
    smtp_server,
)
from tests.permits.factories import ProcedureFactory, UserFactory, commune_tree, member_for, staff_for

FIRST_DAY = date(2027, 1, 4)  # a Monday
HOLIDAY = date(2027, 1, 14)  # Thursday, Amazigh New Year
PINNED_NOW = datetime(2026, 12, 28, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))  # Monday, a week before FIRST_DAY


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    """Today is `PINNED_NOW` for every commission test (time keeps running from there)."""
    with time_machine.travel(PINNED_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def commission_settings(settings: Any, pki: DevelopmentPki, tmp_path: Path) -> Path:  # noqa: F811 - the fixture
    """Documents under tmp_path, the development PKI and the local TSA, tasks in-process."""
    return signing_settings_apply(settings, pki, tmp_path)


@pytest.fixture(autouse=True)
def celery_in_process() -> Iterator[None]:
    with tasks_eager(propagate=True):
        yield


@dataclass
class World:
    commission: Commission
    procedure: Procedure
    commune: Any
    staff: dict[str, Any]
    permanent: CommissionMember
    occasional: CommissionMember
    agency: Agency

    def sessions(self) -> list[Session]:
        return list(Session.objects.filter(commission=self.commission).order_by("starts_at"))


def build_world() -> World:
    commune = commune_tree("CASA-ANFA")
    staff = staff_for(commune)
    procedure = ProcedureFactory.create(code="building-permit", name_fr="Permis de construire")
    procedure.name_ar = "رخصة البناء"
    procedure.save()
    RequiredDocument.objects.get_or_create(  # uploaded by `helpers.booked_file`: the plans the commission stamps
        procedure=procedure,
        code="architectural-plans",
        defaults={"label_fr": "Plans", "accepted_formats": ["pdf"], "mandatory": False},
    )
    agency = Agency.objects.get(code="PERMANENT-AGENCY")
    other = AgencyFactory.create(code="AUC", name_fr="Agence urbaine")
    commission = services.commission_create(
        name_fr="Commission des grands projets",
        name_ar="لجنة المشاريع الكبرى",
        territory=commune,
        family=procedure.family,
        procedures=[procedure],
        quorum_minimum_members=2,
        required_agencies=[agency],
        president=staff["commission_president"],
        signing_authority=staff["signing_authority"],
        secretary=staff["desk_agent"],
    )
    permanent_user = member_for(agency)
    permanent_user.first_name, permanent_user.last_name = "Amina", "El Idrissi"
    permanent_user.save()
    occasional_user = UserFactory.create(username="member-auc", first_name="Karim", last_name="Benali")
    permanent = services.commission_member_add(commission=commission, user=permanent_user, agency=agency)
    occasional = services.commission_member_add(
        commission=commission, user=occasional_user, agency=other, kind=MemberKind.OCCASIONAL
    )
    services.schedule_create(
        commission=commission, weekdays=[1, 3], start_time=time(9), end_time=time(12), slot_minutes=30
    )
    services.procedure_duration_set(commission=commission, procedure=procedure, minutes=30)
    services.sessions_generate(weeks=2, today=FIRST_DAY, commission=commission)
    return World(commission, procedure, commune, staff, permanent, occasional, agency)


@pytest.fixture
def world(db: None) -> World:
    return build_world()
