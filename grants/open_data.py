"""Awarded grants as 360Giving open data: the JSON data package and its flat (CSV) form.

Every grant in an awarded state (grants.enums.AWARDED_STATES) is published, once, with the identifiers
360Giving readers match on: the grant's `<GRANTS_360G_PREFIX>-<reference>`, the recipient's org-id
(core.orgid) and the funder's. Only organisations apply to Seedbed's funds, so every grant has a
recipient organisation; nothing about the people in a group (contact names, emails, members) is
published, and there is never a `recipientIndividual`.

Both forms are generators that read the grants in chunks from one query with `iterator()`, so a
borough's whole history streams with flat memory, to a file (`manage.py export_360giving`) or to a
response (`/open-data/360giving.json`, `/open-data/360giving.csv`).
"""

import csv
import datetime
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from core.models import Organisation
from core.spreadsheets import csv_safe
from grants.enums import AWARDED_STATES
from grants.models import Application, Fund

logger = logging.getLogger(__name__)

SCHEMA_VERSION = "1.4"
LONDON = ZoneInfo("Europe/London")
CHUNK_SIZE = 2000  # rows fetched per round trip, and grants written per chunk of output
UNREGISTERED_POSTCODES_PUBLISHED = False  # a small group's address is often a volunteer's home


@dataclass(frozen=True)
class Publication:
    """What every grant in one export shares: read from settings once, not per grant."""

    prefix: str
    funder: dict
    publisher: dict
    borough: str
    licence: str
    json_url: str
    csv_url: str

    @classmethod
    def from_settings(cls) -> "Publication":
        # The site's own address, as in emails; the command has no request to take it from.
        base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        publisher = {
            "name": settings.GRANTS_PUBLISHER_NAME,
            "identifier": settings.GRANTS_FUNDER_ORG_ID,
        }
        if base_url:
            publisher["website"] = f"{base_url}/"
        return cls(
            prefix=settings.GRANTS_360G_PREFIX,
            funder={"id": settings.GRANTS_FUNDER_ORG_ID, "name": settings.GRANTS_FUNDER_NAME},
            publisher=publisher,
            borough=settings.GRANTS_BOROUGH_NAME,
            licence=settings.GRANTS_OPEN_DATA_LICENCE,
            json_url=base_url + reverse("grants:open-data-360giving"),
            csv_url=base_url + reverse("grants:open-data-360giving-csv"),
        )


def published_grants() -> QuerySet[Application]:
    """The awarded grants, oldest decision first, with what a grant object needs in the same row."""
    return (
        Application.objects.filter(status__in=AWARDED_STATES, organisation__isnull=False)
        .select_related("fund", "fund__locality", "organisation")
        .only(
            "reference",
            "title",
            "summary",
            "status",
            "amount_requested_pence",
            "amount_awarded_pence",
            "decided_at",
            "last_saved_at",
            "planned_start_on",
            "planned_end_on",
            "fund__name",
            "fund__slug",
            "fund__locality__name",
            "organisation__name",
            "organisation__legal_form",
            "organisation__charity_number",
            "organisation__company_number",
            "organisation__postcode",
        )
        .order_by("decided_at", "pk")
    )


def pounds(pence: int) -> int | float:
    """Pence as a JSON number of pounds: 50000 -> 500, 12345 -> 123.45. A float's shortest repr of
    n/100 is the exact two-place decimal, so the written figure is exact."""
    whole, remainder = divmod(int(pence), 100)
    return whole if remainder == 0 else pence / 100


def _recipient(organisation: Organisation) -> dict:
    recipient = {"id": organisation.org_id, "name": organisation.name}
    if organisation.charity_number:
        recipient["charityNumber"] = organisation.charity_number
    if organisation.company_number:
        recipient["companyNumber"] = organisation.company_number
    registered = bool(organisation.charity_number or organisation.company_number)
    if organisation.postcode and (registered or UNREGISTERED_POSTCODES_PUBLISHED):
        recipient["postalCode"] = organisation.postcode
    return recipient


def _beneficiary_location(fund: Fund, publication: Publication) -> dict:
    name = fund.locality.name if fund.locality_id else publication.borough
    return {"name": name, "countryCode": "GB"}


def grant_object(application: Application, publication: Publication) -> dict | None:
    """One 360Giving grant, or None (logged) if the record cannot be published as one."""
    if application.organisation_id is None:  # only organisations apply; never an individual
        return None
    if not application.reference or application.decided_at is None:
        logger.warning("Awarded application %s has no reference or decision date", application.pk)
        return None
    fund = application.fund
    organisation = application.organisation
    title = application.title or f"{fund.name}: grant to {organisation.name}"
    grant = {
        "id": f"{publication.prefix}-{application.reference}",
        "title": title,
        "description": application.summary or title,
        "currency": "GBP",
        "amountAwarded": pounds(application.amount_awarded_pence or 0),
        "awardDate": application.decided_at.astimezone(LONDON).date().isoformat(),
        "recipientOrganization": [_recipient(organisation)],
        "fundingOrganization": [publication.funder],
        "grantProgramme": [{"code": fund.slug, "title": fund.name}],
        "beneficiaryLocation": [_beneficiary_location(fund, publication)],
        "fromOpenCall": "Yes",
        "dateModified": application.last_saved_at.astimezone(datetime.UTC).isoformat(),
        "dataSource": publication.json_url,
    }
    if application.amount_requested_pence:
        grant["amountAppliedFor"] = pounds(application.amount_requested_pence)
    planned = {}
    if application.planned_start_on:
        planned["startDate"] = application.planned_start_on.isoformat()
    if application.planned_end_on:
        planned["endDate"] = application.planned_end_on.isoformat()
    if planned:
        grant["plannedDates"] = [planned]
    return grant


def grant_objects(
    publication: Publication | None = None, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[dict]:
    publication = publication or Publication.from_settings()
    for application in published_grants().iterator(chunk_size=chunk_size):
        grant = grant_object(application, publication)
        if grant is not None:
            yield grant


def package_metadata(publication: Publication) -> dict:
    return {
        "version": SCHEMA_VERSION,
        "title": f"Grants awarded by {publication.funder['name']}",
        "description": (
            f"Small grants to community groups awarded by {publication.funder['name']}, "
            "published to the 360Giving Data Standard."
        ),
        "identifier": f"{publication.prefix}-grants",
        "publisher": publication.publisher,
        "license": publication.licence,
        "downloadURL": publication.json_url,
    }


def package_chunks(
    publication: Publication | None = None, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[str]:
    """The 360Giving data package as JSON text, in pieces of up to `chunk_size` grants.

    The package's metadata comes first; `modified` (the latest change to any grant) comes last,
    once every grant has been read, so no second query is needed for it."""
    publication = publication or Publication.from_settings()
    metadata = json.dumps(package_metadata(publication), ensure_ascii=False)
    yield metadata[:-1] + ', "grants": ['
    latest = ""
    first = True
    batch: list[str] = []
    for grant in grant_objects(publication, chunk_size=chunk_size):
        latest = max(latest, grant["dateModified"])
        batch.append(("\n" if first else ",\n") + json.dumps(grant, ensure_ascii=False))
        first = False
        if len(batch) >= chunk_size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
    yield "\n]" + (f', "modified": {json.dumps(latest)}' if latest else "") + "}\n"


# --- The flat form -------------------------------------------------------------------------------

CSV_COLUMNS = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Applied For", lambda g: g.get("amountAppliedFor", "")),
    ("Amount Awarded", lambda g: g["amountAwarded"]),
    ("Award Date", lambda g: g["awardDate"]),
    ("Planned Dates:Start Date", lambda g: _planned(g, "startDate")),
    ("Planned Dates:End Date", lambda g: _planned(g, "endDate")),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    (
        "Recipient Org:Charity Number",
        lambda g: g["recipientOrganization"][0].get("charityNumber", ""),
    ),
    (
        "Recipient Org:Company Number",
        lambda g: g["recipientOrganization"][0].get("companyNumber", ""),
    ),
    ("Recipient Org:Postal Code", lambda g: g["recipientOrganization"][0].get("postalCode", "")),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Grant Programme:Code", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
    ("Beneficiary Location:Name", lambda g: g["beneficiaryLocation"][0]["name"]),
    ("Beneficiary Location:Country Code", lambda g: g["beneficiaryLocation"][0]["countryCode"]),
    ("From An Open Call?", lambda g: g["fromOpenCall"]),
    ("Last Modified", lambda g: g["dateModified"]),
    ("Data Source", lambda g: g["dataSource"]),
]


def _planned(grant: dict, key: str) -> str:
    return grant.get("plannedDates", [{}])[0].get(key, "")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(grants: Iterable[dict]) -> Iterator[list]:
    yield [title for title, _ in CSV_COLUMNS]
    for grant in grants:
        yield [csv_safe(value(grant)) for _, value in CSV_COLUMNS]


def csv_chunks(
    publication: Publication | None = None, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[str]:
    """The grants in 360Giving's flat form (one row a grant, the standard's column titles),
    formula-safe for spreadsheets, in pieces of up to `chunk_size` rows."""
    writer = csv.writer(_Echo())
    batch: list[str] = []
    for row in csv_rows(grant_objects(publication, chunk_size=chunk_size)):
        batch.append(writer.writerow(row))
        if len(batch) >= chunk_size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
