import datetime


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """Monday to Friday. Bank holidays are not counted out: a target met early does no harm."""
    current = start
    added = 0
    while added < days:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    if end <= start:
        return 0
    days = 0
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days
