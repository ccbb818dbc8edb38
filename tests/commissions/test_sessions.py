"""Sessions generated from a recurring schedule: the right days and hours, holidays skipped, idempotent."""

from datetime import time
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command

from permits.commissions import services
from permits.commissions.models import Session, Slot
from tests.commissions.conftest import FIRST_DAY, HOLIDAY, World

CASABLANCA = ZoneInfo("Africa/Casablanca")


def test_sessions_on_tuesdays_and_thursdays_skipping_the_holiday(world: World) -> None:
    sessions = world.sessions()
    days = [session.date.isoformat() for session in sessions]
    assert days == ["2027-01-05", "2027-01-07", "2027-01-12"]
    assert HOLIDAY not in [session.date for session in sessions]
    first = sessions[0]
    assert first.starts_at.astimezone(CASABLANCA).time() == time(9)
    assert first.ends_at.astimezone(CASABLANCA).time() == time(12)
    assert first.capacity == 6
    slots = list(Slot.objects.filter(session=first).order_by("number"))
    assert [slot.starts_at.astimezone(CASABLANCA).strftime("%H:%M") for slot in slots] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    ]


def test_generation_is_idempotent_and_reports_holidays(world: World) -> None:
    again = services.sessions_generate(weeks=2, today=FIRST_DAY, commission=world.commission)
    assert again.created == []
    assert again.skipped_holidays == [HOLIDAY]
    assert Session.objects.filter(commission=world.commission).count() == 3
    further = services.sessions_generate(weeks=3, today=FIRST_DAY)
    assert len(further.created) == 2  # 19 and 21 January
    assert Slot.objects.filter(session__commission=world.commission).count() == 5 * 6


def test_management_command(world: World) -> None:
    output = StringIO()
    call_command("commission_sessions_generate", "--weeks", "3", "--today", FIRST_DAY.isoformat(), stdout=output)
    assert "2 session(s) created; holidays skipped: 2027-01-14" in output.getvalue()
    call_command("commission_sessions_generate", "--weeks", "3", "--today", FIRST_DAY.isoformat(), stdout=output)
    assert "0 session(s) created" in output.getvalue()


def test_beat_task_generates_ahead(world: World, settings: object) -> None:
    from permits.commissions.tasks import sessions_generate_task

    created = sessions_generate_task.delay(weeks=1).get()
    assert isinstance(created, int)


def test_a_commission_takes_its_defaults_from_the_catalogue(world: World) -> None:
    world.procedure.commission_name_fr = "Commission d'examen des permis de construire"
    world.procedure.save()
    commission = services.commission_create(
        name_fr="", territory=world.commune.parent, family=world.procedure.family, procedures=[world.procedure]
    )
    assert commission.name_fr == "Commission d'examen des permis de construire"
    assert list(commission.required_agencies.values_list("code", flat=True)) == ["PERMANENT-AGENCY"]
