"""Working days, as a council counts them: Monday to Friday, less the bank holidays of the part
of the UK it is in (settings.BANK_HOLIDAYS_REGION: ENG for England and Wales' shared calendar,
WLS, SCT or NIR), so a decision promised in five working days before Christmas is promised for
the right day."""

import datetime
from functools import cache

from django.conf import settings

import holidays


@cache
def _bank_holidays(region: str, year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(settings.BANK_HOLIDAYS_REGION, day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The working day `days` working days after `start`."""
    current = start
    added = 0
    while added < days:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            added += 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days after `start`, up to and including `end`."""
    days = 0
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            days += 1
    return days
