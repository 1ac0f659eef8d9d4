"""Money is integer pence everywhere; these are the only places it becomes text, or text becomes it."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


def format_pence(pence: int | None, *, whole_pounds: bool = False) -> str:
    """12345 -> '£123.45'; negative amounts as '-£1.00'. `whole_pounds` drops '.00' only when exact."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, remainder = divmod(abs(int(pence)), 100)
    if whole_pounds and remainder == 0:
        return f"{sign}£{pounds:,}"
    return f"{sign}£{pounds:,}.{remainder:02d}"


def parse_pounds(text: str) -> int:
    """'£1,234.5' -> 123450. Raises ValidationError with a message a person can act on."""
    cleaned = (text or "").strip().replace("£", "").replace(",", "").replace(" ", "")
    if not cleaned:
        raise ValidationError("Enter an amount in pounds, like 250 or 250.50.", code="required")
    if cleaned.startswith("-"):
        raise ValidationError("Enter an amount of £0 or more.", code="negative")
    if not _AMOUNT.match(cleaned):
        raise ValidationError(
            "Enter an amount in pounds and pence, like 250 or 250.50.", code="invalid"
        )
    try:
        return int(Decimal(cleaned) * 100)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already guards this
        raise ValidationError("Enter an amount in pounds, like 250.", code="invalid") from exc
