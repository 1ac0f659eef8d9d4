from django.core.exceptions import ValidationError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import format_pence, parse_pounds


def test_pence_are_shown_as_pounds_with_thousands_separators():
    assert format_pence(123456) == "£1,234.56"
    assert format_pence(5) == "£0.05"
    assert format_pence(-100) == "-£1.00"
    assert format_pence(250000, whole_pounds=True) == "£2,500"
    assert format_pence(250050, whole_pounds=True) == "£2,500.50"


@given(st.integers(min_value=0, max_value=10**13))
def test_any_amount_survives_being_shown_and_typed_back_exactly(pence):
    assert parse_pounds(format_pence(pence)) == pence


@pytest.mark.parametrize("typed", ["250", "£250", "250.00", " £250.0 ", "£2,5,0"])
def test_people_can_type_amounts_the_way_they_write_them(typed):
    assert parse_pounds(typed) == 25000


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an amount in pounds"),
        ("-5", "£0 or more"),
        ("12.345", "pounds and pence"),
        ("ten pounds", "pounds and pence"),
        ("1e5", "pounds and pence"),
    ],
)
def test_an_amount_that_is_not_money_gets_a_message_saying_what_to_type(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_pounds(typed)
    assert message in error.value.messages[0]
