"""360Giving organisation identifiers, derived from the numbers an organisation registers under.

The prefixes come from org-id.guide: GB-CHC (Charity Commission for England and Wales), GB-SC (OSCR,
Scotland), GB-NIC (Charity Commission for Northern Ireland) and GB-COH (Companies House). Numbers are
kept exactly as registered, leading zeros included; groups with no registration get a
`360G-<prefix>-org-<id>` identifier that is stable for the life of the record.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError

ENGLAND_WALES_CHARITY = re.compile(r"^[1-9]\d{5,6}$")
SCOTTISH_CHARITY = re.compile(r"^SC\d{6}$")
NORTHERN_IRISH_CHARITY = re.compile(r"^(?:NIC)?(\d{6})$")
COMPANY = re.compile(r"^(?:\d{8}|(?:SC|NI|OC|SO|NC|R0|IP|SP|NP|RS|CE|CS)\d{6})$")


def normalise_registration_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_charity_number(value: str) -> None:
    number = normalise_registration_number(value)
    if not number:
        return
    if ENGLAND_WALES_CHARITY.match(number) or SCOTTISH_CHARITY.match(number):
        return
    if number.startswith("NIC") and NORTHERN_IRISH_CHARITY.match(number):
        return
    raise ValidationError(
        "Enter a charity number as registered: 6 or 7 digits in England and Wales (like 1123456), "
        "SC and 6 digits in Scotland (like SC012345), or NIC and 6 digits in Northern Ireland "
        "(like NIC100012).",
        code="invalid_charity_number",
    )


def validate_company_number(value: str) -> None:
    number = normalise_registration_number(value)
    if not number:
        return
    if not COMPANY.match(number):
        raise ValidationError(
            "Enter a company number as Companies House shows it: 8 characters, like 01234567 or "
            "SC123456.",
            code="invalid_company_number",
        )


def charity_org_id(charity_number: str) -> str:
    number = normalise_registration_number(charity_number)
    if SCOTTISH_CHARITY.match(number):
        return f"GB-SC-{number}"
    if number.startswith("NIC"):
        return f"GB-NIC-{number.removeprefix('NIC')}"
    return f"GB-CHC-{number}"


def derive_org_id(*, charity_number: str, company_number: str, local_id: int | str) -> str:
    """The identifier 360Giving data uses for this organisation.

    A registered charity is identified by its charity number, even when it is also a company,
    because that is how funders and the 360Giving tools most often match charities.
    """
    if normalise_registration_number(charity_number):
        return charity_org_id(charity_number)
    company = normalise_registration_number(company_number)
    if company:
        return f"GB-COH-{company}"
    return f"360G-{settings.SEEDBED_360G_PREFIX}-org-{local_id}"
