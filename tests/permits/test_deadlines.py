"""Business days in Morocco: weekends, fixed holidays, the Islamic holidays table; consultation deadlines."""

from datetime import date, datetime
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from permits.deadlines import (
    ISLAMIC_HOLIDAYS,
    add_business_days,
    business_days_between,
    business_days_remaining,
    holidays,
    is_business_day,
)
from permits.models import Procedure, ProcedureStep
from permits.selectors import consultation_deadlines
from tests.permits.factories import DossierFactory


def test_weekend_is_skipped() -> None:
    assert add_business_days(date(2026, 1, 2), 1) == date(2026, 1, 5)  # Friday -> Monday


def test_fixed_holiday_is_skipped() -> None:
    assert add_business_days(date(2026, 1, 13), 1) == date(2026, 1, 15)  # 14 Jan: Amazigh new year


def test_weekend_and_holiday_together() -> None:
    # Wed 29 Jul 2026; Thu 30 Jul is Throne Day; Fri 31 is the 1st business day; Mon 3 Aug the 2nd.
    assert add_business_days(date(2026, 7, 29), 2) == date(2026, 8, 3)


def test_islamic_holiday_is_skipped() -> None:
    assert not is_business_day(date(2026, 5, 27)) and not is_business_day(date(2026, 5, 28))  # Eid al-Adha
    assert add_business_days(date(2026, 5, 26), 1) == date(2026, 5, 29)


def test_amazigh_new_year_only_since_2024() -> None:
    assert date(2024, 1, 14) in holidays(2024)
    assert date(2023, 1, 14) not in holidays(2023)


def test_islamic_table_covers_2024_to_2030() -> None:
    years = {first_day.year for first_day, _, _ in ISLAMIC_HOLIDAYS}
    assert years == set(range(2024, 2031))
    for year in years:
        names = [name for first_day, _, name in ISLAMIC_HOLIDAYS if first_day.year == year]
        assert len(names) == 4


def test_remaining_business_days() -> None:
    deadline = date(2026, 1, 5)  # a Monday
    assert business_days_remaining(date(2026, 1, 5), deadline) == 0
    assert business_days_remaining(date(2026, 1, 2), deadline) == 1  # Friday: Monday is the one left
    assert business_days_remaining(date(2026, 1, 6), deadline) == -1
    assert business_days_between(date(2026, 1, 1), date(2026, 1, 31)) == 20  # 21 weekdays after 1 Jan, less 14 Jan


@pytest.mark.django_db
def test_consultation_deadline_across_weekend_and_holiday(django_capture_on_commit_callbacks: Any) -> None:
    friday_before_throne_day = timezone.make_aware(datetime(2026, 7, 24, 10, 0))
    with mock.patch("django.utils.timezone.now", return_value=friday_before_throne_day):
        dossier = DossierFactory.create(under_instruction=True)
    days = Procedure.objects.get(pk=dossier.procedure_id).deadline_days(ProcedureStep.CONSULTATION)
    assert days == 10
    # Mon 27, Tue 28, Wed 29, (Thu 30 Throne Day), Fri 31, Mon 3, Tue 4, Wed 5, Thu 6, Fri 7, Mon 10 Aug.
    consultation = dossier.consultations.get()
    assert consultation.deadline == date(2026, 8, 10)
    rows = consultation_deadlines(dossier=dossier, today=date(2026, 8, 7))
    assert rows[0].business_days_remaining == 1 and not rows[0].overdue
    rows = consultation_deadlines(dossier=dossier, today=date(2026, 8, 12))
    assert rows[0].business_days_remaining == -2 and rows[0].overdue
