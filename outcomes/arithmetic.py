"""Exact arithmetic for published figures. Councils publish whole-number percentages rounded half away
from zero (as a spreadsheet rounds), computed from exact fractions, never floats."""

from fractions import Fraction
from math import floor


def round_half_away(value: Fraction) -> int:
    magnitude = floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


def percentage(count: int, total: int) -> Fraction | None:
    if total == 0:
        return None
    return Fraction(count * 100, total)


def relative_change(before: Fraction | None, after: Fraction | None) -> int | None:
    """The relative change from `before` to `after`, as a whole percentage; 0 is 'no change'.

    Where the two percentages round to the same whole number the change is published as none,
    whatever the unrounded figures say (58% and 58% is "no change").
    """
    if before is None or after is None or before == 0:
        return None
    if round_half_away(before) == round_half_away(after):
        return 0
    return round_half_away((after - before) / before * 100)


def describe_change(change: int | None) -> str:
    if change is None:
        return "not enough data"
    if change == 0:
        return "no change"
    return f"{abs(change)}% {'increase' if change > 0 else 'decrease'}"
