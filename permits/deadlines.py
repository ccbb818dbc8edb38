"""Business days in Morocco: weekends (Saturday, Sunday), fixed national holidays and the Islamic holidays.

The Islamic holidays follow the lunar Hijri calendar; the dates in `ISLAMIC_HOLIDAYS` are the expected ones
(astronomical calculation, Moroccan sighting usually one day after Saudi Arabia's) and MUST be confirmed each
year against the official list published by the Ministry of Administrative Reform / Ministry of Habous, which
may move a date by a day once the crescent is sighted. Edit the table, not the code, when it does.
"""

from datetime import date, timedelta
from functools import lru_cache

WEEKEND_DAYS = frozenset({5, 6})  # Saturday, Sunday (date.weekday())

# (month, day, name, first year observed)
FIXED_HOLIDAYS: tuple[tuple[int, int, str, int], ...] = (
    (1, 1, "New Year's Day", 1956),
    (1, 11, "Proclamation of Independence Manifesto", 1956),
    (1, 14, "Amazigh New Year (Yennayer)", 2024),
    (5, 1, "Labour Day", 1956),
    (7, 30, "Throne Day", 1999),
    (8, 14, "Oued Ed-Dahab Allegiance Day", 1979),
    (8, 20, "Revolution of the King and the People", 1956),
    (8, 21, "Youth Day", 1956),
    (11, 6, "Green March", 1975),
    (11, 18, "Independence Day", 1956),
)

# First day of each Islamic holiday and how many days it lasts: approximate, to be confirmed each year.
ISLAMIC_HOLIDAYS: tuple[tuple[date, int, str], ...] = (
    (date(2024, 4, 10), 2, "Eid al-Fitr"),
    (date(2024, 6, 17), 2, "Eid al-Adha"),
    (date(2024, 7, 8), 1, "Islamic New Year (1 Muharram 1446)"),
    (date(2024, 9, 16), 2, "Mawlid (Eid al-Mawlid an-Nabawi)"),
    (date(2025, 3, 31), 2, "Eid al-Fitr"),
    (date(2025, 6, 7), 2, "Eid al-Adha"),
    (date(2025, 6, 27), 1, "Islamic New Year (1 Muharram 1447)"),
    (date(2025, 9, 5), 2, "Mawlid (Eid al-Mawlid an-Nabawi)"),
    (date(2026, 3, 21), 2, "Eid al-Fitr"),
    (date(2026, 5, 27), 2, "Eid al-Adha"),
    (date(2026, 6, 17), 1, "Islamic New Year (1 Muharram 1448)"),
    (date(2026, 8, 26), 2, "Mawlid (Eid al-Mawlid an-Nabawi)"),
    (date(2027, 3, 10), 2, "Eid al-Fitr"),
    (date(2027, 5, 17), 2, "Eid al-Adha"),
    (date(2027, 6, 6), 1, "Islamic New Year (1 Muharram 1449)"),
    (date(2027, 8, 15), 2, "Mawlid (Eid al-Mawlid an-Nabawi)"),
    (date(2028, 2, 27), 2, "Eid al-Fitr"),
    (date(2028, 5, 5), 2, "Eid al-Adha"),
    (date(2028, 5, 26), 1, "Islamic New Year (1 Muharram 1450)"),
    (date(2028, 8, 4), 2, "Mawlid (Eid al-Mawlid an-Nabawi)"),
    (date(2029, 2, 15), 2, "Eid al-Fitr"),
    (date(2029, 4, 24), 2, "Eid al-Adha"),
    (date(2029, 5, 15), 1, "Islamic New Year (1 Muharram 1451)"),
    (date(2029, 7, 24), 2, "Mawlid (Eid al-Mawlid an-Nabawi)"),
    (date(2030, 2, 5), 2, "Eid al-Fitr"),
    (date(2030, 4, 14), 2, "Eid al-Adha"),
    (date(2030, 5, 4), 1, "Islamic New Year (1 Muharram 1452)"),
    (date(2030, 7, 14), 2, "Mawlid (Eid al-Mawlid an-Nabawi)"),
)
ISLAMIC_TABLE_YEARS = range(2024, 2031)


@lru_cache(maxsize=64)
def holidays(year: int) -> dict[date, str]:
    """Public holidays of a year (date -> name). Outside 2024-2030 only the fixed holidays are known."""
    days = {date(year, month, day): name for month, day, name, since in FIXED_HOLIDAYS if year >= since}
    for first_day, length, name in ISLAMIC_HOLIDAYS:
        for offset in range(length):
            day = first_day + timedelta(days=offset)
            if day.year == year:
                days.setdefault(day, name)
    return days


def is_business_day(day: date) -> bool:
    return day.weekday() not in WEEKEND_DAYS and day not in holidays(day.year)


def add_business_days(start: date, count: int) -> date:
    """The `count`-th business day after `start` (the start day itself is not counted)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days in (start, end]; negative, counting (end, start], when end is before start."""
    if end < start:
        return -business_days_between(end, start)
    days = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day):
            days += 1
    return days


def business_days_remaining(today: date, deadline: date) -> int:
    """Business days left until a deadline, the deadline day included; 0 on the day, negative once overdue."""
    if today <= deadline:
        return business_days_between(today, deadline)
    return -business_days_between(deadline, today)
