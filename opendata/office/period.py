"""The period of the office statistics: the last 30 days (the default, today included), a calendar month
(`YYYY-MM`) or a calendar year (`YYYY`), as its first and last days and its window in the platform's time zone."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from opendata.indicators import PeriodWindow, span_window

RECENT_DAYS = 30
MONTHS_OFFERED = 12
YEARS_OFFERED = 3
FIRST_YEAR = 2000
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period that is neither empty, a month `YYYY-MM` nor a year `YYYY`, or that starts after today."""


@dataclass(frozen=True)
class Period:
    key: str  # "" (the last 30 days), "YYYY-MM" or "YYYY"
    first: date
    last: date  # included

    @property
    def window(self) -> PeriodWindow:
        """From the first day's local midnight to the midnight after the last day."""
        return span_window(self.first, self.last)


def recent_period(today: date) -> Period:
    return Period(key="", first=today - timedelta(days=RECENT_DAYS - 1), last=today)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def period_parse(key: str, *, today: date) -> Period:
    """The period named by `key`; `PeriodError` when it names none or starts after today."""
    key = key.strip()
    if not key:
        return recent_period(today)
    if found := MONTH.match(key):
        year, month = int(found[1]), int(found[2])
        if not 1 <= month <= 12:
            raise PeriodError(_("Unknown month: %(month)s.") % {"month": key})
        first, last = date(year, month, 1), _month_end(year, month)
    elif found := YEAR.match(key):
        year = int(found[1])
        first, last = date(year, 1, 1), date(year, 12, 31)
    else:
        raise PeriodError(_("A period is a month (YYYY-MM) or a year (YYYY)."))
    if first.year < FIRST_YEAR or first > today:
        raise PeriodError(_("No statistics for %(period)s: choose a period that has started.") % {"period": key})
    return Period(key=key, first=first, last=min(last, today))


def period_choices(today: date) -> list[tuple[str, str]]:
    """What the page offers: the last 30 days, the last twelve months and the last three years."""
    choices = [("", str(_("The last 30 days")))]
    year, month = today.year, today.month
    for _index in range(MONTHS_OFFERED):
        choices.append((f"{year:04d}-{month:02d}", date_format(date(year, month, 1), "F Y")))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    choices += [(str(today.year - offset), str(today.year - offset)) for offset in range(YEARS_OFFERED)]
    return choices
