"""The 360Giving open data: every export validates against the official package schema, and only
awarded grants to organisations are in it, with exact amounts and the council's identifiers."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from grants import open_data
from grants.enums import ApplicationStatus
from grants.models import Application
from grants.services import awards
from tests.factories.core import OrganisationFactory
from tests.factories.grants import ApplicationFactory, FundFactory, application_in

pytestmark = pytest.mark.django_db
S = ApplicationStatus

# The standard's schemas and 360Giving's own example files live beside the repository (CI clones
# them there); see shared/360giving/SOURCES.md.
SHARED = Path(settings.BASE_DIR).parent / "shared" / "360giving"
PACKAGE_GRANT_SCHEMA_URL = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"


def _load(relative: str):
    path = SHARED / relative
    if not path.exists():
        pytest.fail(f"{path} is missing: the 360Giving schemas must sit beside the repository")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    """The package schema, offline. Its `$schema` is the http form of draft 2020-12, which
    `referencing` does not recognise, so the grant schema is made a draft 2020-12 resource
    explicitly; the package refers to it by its 1.4.2 address while its own `$id` is 1.4.3, so it
    is registered under both. Formats are checked because the standard's dates are
    `oneOf` a date-time format or a date pattern: without format checks a plain date matches both."""
    grant_schema = _load("schema/360-giving-schema.json")
    package_schema = _load("schema/360-giving-package-schema.json")
    assert package_schema["properties"]["grants"]["items"]["$ref"] == PACKAGE_GRANT_SCHEMA_URL
    grant = DRAFT202012.create_resource(grant_schema)
    registry = Registry().with_resources(
        [(grant_schema["$id"], grant), (PACKAGE_GRANT_SCHEMA_URL, grant)]
    )
    return Draft202012Validator(
        package_schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def assert_valid(validator: Draft202012Validator, package: dict) -> None:
    errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(package)]
    assert not errors, "\n".join(errors)


# --- The validator itself works ------------------------------------------------------------------


@pytest.mark.parametrize(
    "example", ["valid-5-grants-esmee-fairbairn.json", "valid-minimal-2-grants.json"]
)
def test_360giving_valid_examples_pass_the_validator(validator, example):
    assert_valid(validator, _load(f"examples/{example}"))


def test_360giving_invalid_example_fails_for_each_of_its_faults(validator):
    errors = list(validator.iter_errors(_load("examples/invalid-all-validation-errors.json")))
    faults = {error.json_path for error in errors}
    assert {
        "$.grants[0].awardDate",  # "bad date"
        "$.grants[0].amountAwarded",  # a string
        "$.grants[0].currency",  # not a currency code
        "$.grants[0].url",  # not a URI (needs the format checks)
        "$.grants[0].title",  # a number
        "$.grants[0].plannedDates",  # not an array
        "$.grants[0].actualDates[0]",  # not an object
        "$.grants[0].recipientOrganization[0]",  # no id
        "$.grants[0].fundingOrganization",  # empty
    } <= faults
    assert len(errors) >= 9


# --- What is published ---------------------------------------------------------------------------


@pytest.fixture
def borough(settings, django_capture_on_commit_callbacks):
    """Awards from a locality fund and a borough-wide fund, and applications that must not appear."""
    settings.GRANTS_360G_PREFIX = "360G-brackenford"
    settings.GRANTS_FUNDER_ORG_ID = "GB-LAE-BRK"
    settings.GRANTS_FUNDER_NAME = "Brackenford Borough Council"
    settings.GRANTS_BOROUGH_NAME = "Brackenford"
    local = FundFactory(rapid=True, name="Ashby Vale Community Fund", slug="ashby-vale-2026")
    borough_wide = FundFactory(
        rapid=True, locality=None, name="Brackenford Together", slug="together-2026"
    )
    charity = application_in(
        S.AWARDED,
        fund=local,
        organisation=OrganisationFactory(charity=True, name="Ashby Vale Food Bank"),
        amount_requested_pence=12345,
        title="Winter food parcels",
        summary="Food parcels for fifty families through the winter.",
    )
    group = application_in(
        S.AGREEMENT_ISSUED,
        fund=borough_wide,
        organisation=OrganisationFactory(name="Millbrook Knit and Natter"),
        amount_requested_pence=50000,
    )
    company = application_in(
        S.AWARDED,
        fund=local,
        organisation=OrganisationFactory(cic=True, name="Riverside Bikes CIC"),
        amount_requested_pence=99999,
    )
    Application.objects.filter(pk=charity.pk).update(
        planned_start_on=datetime.date(2026, 12, 1), planned_end_on=datetime.date(2027, 3, 31)
    )
    absent = [
        ApplicationFactory(fund=local, title="Still a draft"),
        application_in(S.SUBMITTED, fund=local, title="Waiting for a decision"),
        application_in(S.DECLINED, fund=local, title="Turned down"),
        application_in(S.WITHDRAWN, fund=local, title="Withdrawn by the group"),
    ]
    return {"charity": charity, "group": group, "company": company, "absent": absent}


def _export_json() -> dict:
    text = "".join(open_data.package_chunks())
    return json.loads(text)


def _by_title(package: dict) -> dict[str, dict]:
    return {grant["title"]: grant for grant in package["grants"]}


def test_only_awarded_grants_are_published(borough, validator):
    package = _export_json()
    assert_valid(validator, package)
    titles = {grant["title"] for grant in package["grants"]}
    assert titles == {
        borough["charity"].title,
        borough["group"].title,
        borough["company"].title,
    }
    for application in borough["absent"]:
        assert application.title not in titles


def test_grant_ids_use_the_councils_prefix_and_the_reference(borough):
    grants = _by_title(_export_json())
    for application in (borough["charity"], borough["group"], borough["company"]):
        assert application.reference
        assert grants[application.title]["id"] == f"360G-brackenford-{application.reference}"


def test_amounts_are_exact_pounds(borough):
    text = "".join(open_data.package_chunks())
    grants = _by_title(json.loads(text, parse_float=Decimal))
    assert grants["Winter food parcels"]["amountAwarded"] == Decimal("123.45")
    assert grants[borough["group"].title]["amountAwarded"] == 500
    assert grants[borough["company"].title]["amountAwarded"] == Decimal("999.99")
    assert '"amountAwarded": 123.45,' in text


@pytest.mark.parametrize(
    ("pence", "written"),
    [(1, "0.01"), (10, "0.1"), (12345, "123.45"), (50000, "500"), (99999999, "999999.99")],
)
def test_pence_become_pounds_exactly(pence, written):
    assert json.dumps(open_data.pounds(pence)) == written


def test_a_grant_says_who_got_it_who_gave_it_where_and_when(borough):
    grants = _by_title(_export_json())
    food = grants["Winter food parcels"]
    assert food["recipientOrganization"] == [
        {
            "id": "GB-CHC-1123456",
            "name": "Ashby Vale Food Bank",
            "charityNumber": "1123456",
            "postalCode": "BF1 2AB",
        }
    ]
    assert food["fundingOrganization"] == [
        {"id": "GB-LAE-BRK", "name": "Brackenford Borough Council"}
    ]
    assert food["grantProgramme"] == [
        {"code": "ashby-vale-2026", "title": "Ashby Vale Community Fund"}
    ]
    locality = borough["charity"].fund.locality.name
    assert food["beneficiaryLocation"] == [{"name": locality, "countryCode": "GB"}]
    assert food["plannedDates"] == [{"startDate": "2026-12-01", "endDate": "2027-03-31"}]
    assert food["description"] == "Food parcels for fifty families through the winter."
    assert food["currency"] == "GBP"
    assert food["dataSource"] == "http://testserver/open-data/360giving.json"

    knitters = grants[borough["group"].title]
    assert knitters["beneficiaryLocation"][0]["name"] == "Brackenford"
    organisation = borough["group"].organisation
    # An unregistered group gets its local org-id, and its address (often a volunteer's) stays out.
    assert knitters["recipientOrganization"] == [
        {"id": organisation.org_id, "name": "Millbrook Knit and Natter"}
    ]
    assert organisation.org_id.startswith("360G-")
    # Its agreement set the grant period, a year from the day it was sent; an award with no
    # agreement yet has no planned dates.
    start, end = awards.default_grant_period(timezone.localdate())
    assert knitters["plannedDates"] == [
        {"startDate": start.isoformat(), "endDate": end.isoformat()}
    ]
    assert "plannedDates" not in grants[borough["company"].title]

    bikes = grants[borough["company"].title]["recipientOrganization"][0]
    assert bikes["id"] == "GB-COH-01234567"
    assert bikes["companyNumber"] == "01234567"


def test_the_award_date_is_the_decision_day_in_london(borough):
    Application.objects.filter(pk=borough["charity"].pk).update(
        decided_at=datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
    )
    grants = _by_title(_export_json())
    assert grants["Winter food parcels"]["awardDate"] == "2026-07-01"


def test_no_individual_and_no_personal_details_are_ever_published(borough):
    text = "".join(open_data.package_chunks()) + "".join(open_data.csv_chunks())
    assert "recipientIndividual" not in text
    assert "toIndividualsDetails" not in text
    for application in (borough["charity"], borough["group"], borough["company"]):
        assert application.contact_name not in text
        assert application.created_by.email not in text
        assert application.created_by.full_name not in text
    for grant in _export_json()["grants"]:
        assert len(grant["recipientOrganization"]) == 1


def test_a_grant_without_an_organisation_is_never_written():
    publication = open_data.Publication.from_settings()
    assert open_data.grant_object(Application(organisation_id=None), publication) is None


def test_the_package_streams_in_pieces(borough, validator):
    chunks = list(open_data.package_chunks(chunk_size=1))
    assert len(chunks) >= 5  # the opening, a piece per grant, the close
    assert_valid(validator, json.loads("".join(chunks)))


# --- The command ---------------------------------------------------------------------------------


def test_the_command_writes_a_valid_package_to_a_file(borough, validator, tmp_path):
    target = tmp_path / "360giving.json"
    call_command("export_360giving", output=str(target), stderr=io.StringIO())
    package = json.loads(target.read_text(encoding="utf-8"))
    assert_valid(validator, package)
    assert len(package["grants"]) == 3
    assert package["license"].startswith("https://www.nationalarchives.gov.uk/doc/open-government")
    assert package["publisher"]["name"] == "Brackenford Borough Council"
    assert package["modified"] == max(grant["dateModified"] for grant in package["grants"])
    assert [path.name for path in tmp_path.iterdir()] == ["360giving.json"]  # no temporary left


def test_the_command_writes_to_standard_output(borough, validator):
    out = io.StringIO()
    call_command("export_360giving", output="-", stdout=out)
    package = json.loads(out.getvalue())
    assert_valid(validator, package)
    assert len(package["grants"]) == 3


def test_the_command_writes_the_flat_form(borough, tmp_path):
    target = tmp_path / "grants.csv"
    call_command("export_360giving", output=str(target), format="csv", stderr=io.StringIO())
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert len(rows) == 3


# --- The endpoints -------------------------------------------------------------------------------


def test_the_json_endpoint_serves_a_valid_public_cacheable_package(borough, validator, client):
    response = client.get(reverse("grants:open-data-360giving"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("application/json")
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    package = json.loads(b"".join(response.streaming_content))
    assert_valid(validator, package)
    assert package == _export_json()


def test_the_json_endpoint_is_at_its_published_address():
    assert reverse("grants:open-data-360giving") == "/open-data/360giving.json"
    assert reverse("grants:open-data-360giving-csv") == "/open-data/360giving.csv"


def test_the_endpoint_runs_the_same_queries_however_many_grants(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    fund = FundFactory(rapid=True, locality=None)

    def fetch() -> dict:
        with django_assert_max_num_queries(2):
            response = client.get("/open-data/360giving.json")
            return json.loads(b"".join(response.streaming_content))

    application_in(S.AWARDED, fund=fund)
    assert len(fetch()["grants"]) == 1
    for _ in range(4):
        application_in(S.AWARDED, fund=fund, organisation=OrganisationFactory(charity=True))
    assert len(fetch()["grants"]) == 5


def test_the_csv_uses_the_360giving_titles_and_matches_the_json(borough, client):
    response = client.get("/open-data/360giving.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "public" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Grant Programme:Title",
        "Beneficiary Location:Name",
        "Planned Dates:Start Date",
        "Planned Dates:End Date",
    } <= set(rows[0])
    food = next(row for row in rows if row["Title"] == "Winter food parcels")
    grant = _by_title(_export_json())["Winter food parcels"]
    assert food["Identifier"] == grant["id"]
    assert food["Amount Awarded"] == "123.45"
    assert food["Recipient Org:Identifier"] == "GB-CHC-1123456"
    assert food["Funding Org:Identifier"] == "GB-LAE-BRK"
    assert food["Planned Dates:Start Date"] == "2026-12-01"
    assert food["Planned Dates:End Date"] == "2027-03-31"


def test_the_csv_neutralises_spreadsheet_formulas(client, django_capture_on_commit_callbacks):
    fund = FundFactory(rapid=True, locality=None)
    sneaky = '=HYPERLINK("http://evil.example/","Click for your grant")'
    application_in(
        S.AWARDED, fund=fund, organisation=OrganisationFactory(name=sneaky), title="@SUM(A1:A9)"
    )
    response = client.get("/open-data/360giving.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["Recipient Org:Name"] == "'" + sneaky
    assert rows[0]["Title"] == "'@SUM(A1:A9)"
    assert rows[0]["Amount Awarded"] == "500"
