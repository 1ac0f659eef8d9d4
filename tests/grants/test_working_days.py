"""Working days, as the group is told them: weekends and the council's bank holidays don't count."""

import datetime

from django.core.management import call_command
from django.core.management.base import SystemCheckError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.services.dates import add_working_days, is_working_day, working_days_between


def test_five_working_days_from_just_before_christmas_skip_the_bank_holidays():
    # Wednesday 23 December 2026: Christmas Day, Boxing Day (observed on Monday 28th) and New
    # Year's Day are not working days in England and Wales.
    assert add_working_days(datetime.date(2026, 12, 23), 5) == datetime.date(2027, 1, 4)


def test_scotland_keeps_its_own_bank_holidays(settings):
    settings.BANK_HOLIDAYS_REGION = "SCT"
    assert not is_working_day(datetime.date(2027, 1, 4))  # 2 January, observed
    assert is_working_day(datetime.date(2027, 3, 29))  # Easter Monday is not one there
    settings.BANK_HOLIDAYS_REGION = "ENG"
    assert is_working_day(datetime.date(2027, 1, 4))
    assert not is_working_day(datetime.date(2027, 3, 29))


@given(
    start=st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=60),
)
def test_a_target_in_working_days_ends_on_a_working_day_that_many_working_days_on(start, days):
    due = add_working_days(start, days)
    assert is_working_day(due)
    assert working_days_between(start, due) == days
    assert due - start >= datetime.timedelta(days=days)


@pytest.mark.django_db
def test_a_region_that_does_not_exist_stops_the_server_starting(settings):
    settings.BANK_HOLIDAYS_REGION = "England"
    with pytest.raises(SystemCheckError, match="BANK_HOLIDAYS_REGION"):
        call_command("check")
