"""A grants officer narrows the list of applications in the staff admin (by fund, area, amount and
the date it was sent), searches it, and downloads what is left."""

import csv
import datetime
import io
from typing import Any

from django.utils import timezone

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from core.models import LocalityStaff
from grants.enums import ApplicationStatus
from grants.models import Application, ApplicationExport
from tests.factories.core import OrganisationFactory
from tests.factories.grants import FundFactory, application_in, grants_officer

pytestmark = pytest.mark.django_db
S = ApplicationStatus
LIST = "/admin/grant-applications/"


def listed(client, **filters) -> set[str]:
    """The references in the rows of the list, as the officer sees them with these filters."""
    page = client.get(LIST, filters)
    assert page.status_code == 200
    table = BeautifulSoup(page.text, "html.parser").find("table", class_="listing")
    if table is None or table.tbody is None:
        return set()
    return {row.find(["th", "td"]).get_text(strip=True) for row in table.tbody.find_all("tr")}


def csv_references(client, **filters) -> set[str]:
    export = client.get(LIST, {**filters, "export": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    reference, *rows = csv.reader(io.StringIO(body))
    assert reference[0] == "Reference"
    return {row[0] for row in rows}


def xlsx_sheet(client, **filters):
    export = client.get(LIST, {**filters, "export": "xlsx"})
    assert export.status_code == 200
    return load_workbook(io.BytesIO(b"".join(export.streaming_content))).active


def cells_by_reference(sheet) -> dict[str, dict[str, Any]]:
    """Each row's cells by column heading, by the application's reference (the first column)."""
    headings = [cell.value for cell in sheet[1]]
    return {
        row[0].value: dict(zip(headings, row, strict=True)) for row in sheet.iter_rows(min_row=2)
    }


def references(*applications: Application) -> set[str]:
    return {application.reference for application in applications}


def test_an_officer_filters_the_list_by_fund(client, sign_in):
    families = FundFactory(rapid=True, name="Families Fund")
    fund = FundFactory(rapid=True, name="Older People Fund", locality=families.locality)
    breakfast = application_in(S.SUBMITTED, fund=families, title="Breakfast club")
    homework = application_in(S.SCREENING, fund=families, title="Homework club")
    lunch = application_in(S.SUBMITTED, fund=fund, title="Lunch club")
    sign_in(grants_officer(locality=families.locality))

    assert listed(client) == references(breakfast, homework, lunch)
    assert listed(client, fund=families.pk) == references(breakfast, homework)
    assert listed(client, fund=fund.pk) == references(lunch)


def test_an_officer_filters_the_list_by_locality(client, sign_in):
    ashby = FundFactory(rapid=True)
    brook = FundFactory(rapid=True)
    borough = FundFactory(rapid=True, locality=None)
    elsewhere = FundFactory(rapid=True)
    in_ashby = application_in(S.SUBMITTED, fund=ashby)
    in_brook = application_in(S.SUBMITTED, fund=brook)
    borough_wide = application_in(S.SUBMITTED, fund=borough)
    not_mine = application_in(S.SUBMITTED, fund=elsewhere)
    officer = grants_officer(locality=ashby.locality)
    LocalityStaff.objects.create(locality=brook.locality, user=officer)
    sign_in(officer)

    assert listed(client) == references(in_ashby, in_brook, borough_wide)
    assert listed(client, locality=ashby.locality.pk) == references(in_ashby)
    assert listed(client, locality=brook.locality.pk) == references(in_brook)
    # Another officer's locality is not a choice, and never shows that locality's applications.
    assert not_mine.reference not in listed(client, locality=elsewhere.locality.pk)


def test_an_officer_filters_the_list_by_the_amount_asked_for(client, sign_in):
    fund = FundFactory(rapid=True)
    two_hundred, five_hundred, nine_hundred, nine_hundred_and_ninety = (
        application_in(S.SUBMITTED, fund=fund, amount_requested_pence=pence)
        for pence in (20000, 50000, 90000, 99000)
    )
    sign_in(grants_officer(locality=fund.locality))

    assert listed(client, amount_min="500", amount_max="900") == references(
        five_hundred, nine_hundred
    )
    assert listed(client, amount_min="950") == references(nine_hundred_and_ninety)
    assert listed(client, amount_max="200") == references(two_hundred)
    assert listed(client, amount_min="500.01", amount_max="899.99") == set()


def test_an_officer_filters_the_list_by_the_date_it_was_sent(client, sign_in):
    fund = FundFactory(rapid=True)
    early_march, mid_march, last_evening_of_march, april = (
        application_in(S.SUBMITTED, fund=fund) for _ in range(4)
    )
    for application, sent in (
        (early_march, datetime.datetime(2026, 3, 1, 10, 0)),
        (mid_march, datetime.datetime(2026, 3, 15, 14, 30)),
        (last_evening_of_march, datetime.datetime(2026, 3, 31, 23, 30)),
        (april, datetime.datetime(2026, 4, 2, 9, 0)),
    ):
        Application.objects.filter(pk=application.pk).update(submitted_at=timezone.make_aware(sent))
    sign_in(grants_officer(locality=fund.locality))

    march = listed(client, submitted_at_from="2026-03-10", submitted_at_to="2026-03-31")
    assert march == references(mid_march, last_evening_of_march)
    assert listed(client, submitted_at_from="2026-04-01") == references(april)
    assert listed(client, submitted_at_to="2026-03-01") == references(early_march)


def test_a_search_for_a_reference_finds_exactly_that_application(client, sign_in):
    fund = FundFactory(rapid=True)
    applications = [application_in(S.SUBMITTED, fund=fund) for _ in range(3)]
    sign_in(grants_officer(locality=fund.locality))

    for application in applications:
        assert listed(client, q=application.reference) == references(application)


def test_an_officer_searches_by_title_and_by_group_name(client, sign_in):
    fund = FundFactory(rapid=True)
    tenants = OrganisationFactory(name="Riverside Tenants Association")
    breakfast = application_in(S.SUBMITTED, fund=fund, title="Breakfast club for the estate")
    garden = application_in(S.SUBMITTED, fund=fund, title="Community garden", organisation=tenants)
    choir = application_in(S.SCREENING, fund=fund, title="Family choir", organisation=tenants)
    sign_in(grants_officer(locality=fund.locality))

    assert listed(client, q="breakfast") == references(breakfast)
    assert listed(client, q="Riverside Tenants") == references(garden, choir)
    assert listed(client, q="nothing like this") == set()


def test_acting_on_several_and_the_prepared_download_keep_the_search_and_filters(
    client, sign_in, django_capture_on_commit_callbacks
):
    fund = FundFactory(rapid=True)
    tenants = OrganisationFactory(name="Riverside Tenants Association")
    garden = application_in(S.SCREENING, fund=fund, title="Community garden", organisation=tenants)
    choir = application_in(S.SUBMITTED, fund=fund, title="Family choir", organisation=tenants)
    breakfast = application_in(S.SCREENING, fund=fund, title="Breakfast club")
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)
    searched = {"q": "Riverside", "status": S.SCREENING}

    bulk = BeautifulSoup(client.get(f"{LIST}bulk/", searched).text, "html.parser")
    offered = {box["value"] for box in bulk.select("input[name=ids]")}
    assert offered == {str(garden.pk)}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{LIST}exports/new/", {"query": "q=Riverside", "format": "csv"})
    export = ApplicationExport.objects.latest("pk")
    assert export.rows_total == 2
    download = client.get(f"{LIST}exports/{export.pk}/download/")
    rows = list(csv.reader(b"".join(download.streaming_content).decode().splitlines()))
    assert {row[0] for row in rows[1:]} == references(garden, choir)

    done = client.post(
        f"{LIST}bulk/?q=Riverside&status={S.SCREENING}",
        {"ids": [garden.pk], "action": "assign", "officer": officer.pk},
    )
    assert done["Location"] == f"{LIST}?q=Riverside&status={S.SCREENING}"
    assert breakfast.reference not in client.get(done["Location"]).text


def test_both_downloads_say_the_status_in_words_and_the_time_by_the_council_s_clock(
    client, sign_in, django_capture_on_commit_callbacks
):
    fund = FundFactory(rapid=True)
    application = application_in(S.SCREENING, fund=fund)
    summer = datetime.datetime(2026, 7, 1, 11, 30, 45, 123456, tzinfo=datetime.UTC)
    Application.objects.filter(pk=application.pk).update(submitted_at=summer)
    sign_in(grants_officer(locality=fund.locality))

    straight = client.get(LIST, {"export": "csv"})
    straight_rows = list(
        csv.reader(io.StringIO(b"".join(straight.streaming_content).decode("utf-8-sig")))
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{LIST}exports/new/", {"query": "", "format": "csv"})
    export = ApplicationExport.objects.latest("pk")
    prepared = client.get(f"{LIST}exports/{export.pk}/download/")
    prepared_rows = list(
        csv.reader(io.StringIO(b"".join(prepared.streaming_content).decode("utf-8-sig")))
    )

    for rows in (straight_rows, prepared_rows):
        row = dict(zip(rows[0], rows[1], strict=True))
        assert row["Status"] == "Being checked"
        assert row["Submitted"] == "2026-07-01 12:30"  # British Summer Time, to the minute
    assert straight_rows == prepared_rows


def test_a_filtered_list_exports_only_its_rows_as_csv_and_xlsx(client, sign_in):
    families = FundFactory(rapid=True)
    other = FundFactory(rapid=True, locality=families.locality)
    large = application_in(S.SUBMITTED, fund=families, amount_requested_pence=90000)
    small = application_in(S.SUBMITTED, fund=families, amount_requested_pence=20000)
    other_fund = application_in(S.SUBMITTED, fund=other, amount_requested_pence=90000)
    sign_in(grants_officer(locality=families.locality))
    filters = {"fund": families.pk, "amount_min": "500"}

    assert csv_references(client) == references(large, small, other_fund)
    assert csv_references(client, **filters) == references(large)
    sheet = xlsx_sheet(client, **filters)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference"
    assert [row[0] for row in rows[1:]] == [large.reference]
    assert csv_references(client, q=small.reference) == references(small)


def test_a_group_name_or_title_that_looks_like_a_formula_is_text_in_the_spreadsheet(
    client, sign_in, django_capture_on_commit_callbacks
):
    """Security matrix row 20, for XLSX: the officer opens the file and nothing runs."""
    fund = FundFactory(rapid=True)
    hyperlink = '=HYPERLINK("http://x","y")'
    sneaky = OrganisationFactory(name=hyperlink)
    command = application_in(S.SUBMITTED, fund=fund, organisation=sneaky, title="+cmd")
    total = application_in(S.SUBMITTED, fund=fund, title="@SUM(A1)")
    sign_in(grants_officer(locality=fund.locality))

    # The list's own download: a text cell with an apostrophe before it, as in CSV.
    sneaky_cells = (
        (command.reference, "Group", hyperlink),
        (command.reference, "Title", "+cmd"),
        (total.reference, "Title", "@SUM(A1)"),
    )
    cells = cells_by_reference(xlsx_sheet(client))
    for reference, column, typed in sneaky_cells:
        cell = cells[reference][column]
        assert cell.data_type == "s" and cell.value == f"'{typed}"

    # The prepared download (for long lists) does the same.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{LIST}exports/new/", {"query": "", "format": "xlsx"})
    export = ApplicationExport.objects.latest("pk")
    download = client.get(f"{LIST}exports/{export.pk}/download/")
    prepared = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    cells = cells_by_reference(prepared)
    for reference, column, typed in sneaky_cells:
        cell = cells[reference][column]
        assert cell.data_type == "s" and cell.value == f"'{typed}"
