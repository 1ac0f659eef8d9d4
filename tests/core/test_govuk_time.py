"""Times are written the GOV.UK way, by the council's clock."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.templatetags.dates import govuk_time


@pytest.mark.parametrize(
    "moment, written",
    [
        (datetime.time(9, 0), "9am"),
        (datetime.time(17, 30), "5:30pm"),
        (datetime.time(12, 0), "midday"),
        (datetime.time(0, 0), "midnight"),
        (datetime.time(0, 15), "12:15am"),
        (datetime.time(12, 5), "12:05pm"),
        # 10:52 in the morning UTC is 11:52am in London in summer.
        (datetime.datetime(2026, 7, 1, 10, 52, tzinfo=datetime.UTC), "11:52am"),
        (datetime.datetime(2026, 11, 24, 22, 52, tzinfo=datetime.UTC), "10:52pm"),
        (None, ""),
    ],
)
def test_a_time_reads_as_people_say_it(moment, written):
    assert govuk_time(moment) == written


@given(st.times())
def test_every_time_of_day_has_one_plain_reading(moment):
    written = govuk_time(moment)
    assert written in ("midday", "midnight") or written.endswith(("am", "pm"))
    assert "." not in written
