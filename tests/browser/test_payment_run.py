"""Two people pay a fund's grants by BACS: a grants officer prepares a payment run from the Money
menu and sends it for approval; a finance officer who made none of the awards approves it,
downloads the files for the bank, confirms they were sent, and later records a bank return that
the finance dashboard then lists. axe checks every page, the Wagtail admin's included."""

import re
from pathlib import Path

from django.utils import timezone

import pytest
from playwright.sync_api import Page, expect

from grants.enums import ApplicationStatus, PayoutMethod
from grants.models import Application
from payments.enums import PaymentStatus, RunStatus
from payments.models import Payment, PaymentRun
from payments.services import accounts
from tests.browser.conftest import (
    assert_accessible,
    open_from_admin_menu,
    press_and_expect,
    sign_in_with_code,
)
from tests.factories.core import LocalityFactory, OrganisationFactory
from tests.factories.grants import ApplicationFactory, FundFactory, application_in, grants_officer
from tests.payments.builders import finance_officer

pytestmark = pytest.mark.browser
S = ApplicationStatus


def _award_to(fund, officer, group: str, amount_pence: int) -> Application:
    """An award the officer made, whose agreement the group has accepted: one payment, due today."""
    return application_in(
        S.AGREEMENT_ACCEPTED,
        application=ApplicationFactory(
            fund=fund,
            organisation=OrganisationFactory(name=group),
            amount_requested_pence=amount_pence,
        ),
        officer=officer,
    )


def _bank_details_confirmed(application: Application, *, sort_code: str, account: str, officer):
    """The group enters its bank details; the officer rings them and confirms."""
    details = accounts.bank_details_save(
        application.organisation,
        by=application.created_by,
        account_name=application.organisation.name,
        sort_code=sort_code,
        account_number=account,
    )
    accounts.bank_details_confirm(details, by=officer, note="Rang the treasurer.")


def _download(page: Page, link: str, tmp_path: Path) -> tuple[str, str]:
    """Click a download link; the file's suggested name and its text."""
    with page.expect_download() as download:
        page.get_by_role("link", name=link).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return download.value.suggested_filename, saved.read_bytes().decode("utf-8")


def test_two_people_pay_a_funds_grants_by_bacs(new_page, live_site, tmp_path):
    locality = LocalityFactory(name="Riverside", slug="riverside")
    fund = FundFactory(
        rapid=True,
        locality=locality,
        name="Riverside Small Grants",
        payout_method=PayoutMethod.BACS,
    )
    officer = grants_officer(locality=locality, full_name="Dana Okafor")
    cafe = _award_to(fund, officer, "Riverside Café Collective", 50_000)
    choir = _award_to(fund, officer, "Millbrook Community Choir", 30_000)
    allotment = _award_to(fund, officer, "Ashby Allotment Society", 20_000)
    _bank_details_confirmed(cafe, sort_code="40-11-62", account="31926819", officer=officer)
    _bank_details_confirmed(choir, sort_code="20-00-00", account="55779911", officer=officer)
    # The allotment society has not entered bank details yet.
    finance = finance_officer(full_name="Sam Adeyemi")

    # The grants officer prepares the run from the Money menu.
    page = new_page()
    sign_in_with_code(page, officer)
    open_from_admin_menu(page, "Money", "Payment runs")
    page.get_by_role("link", name="Prepare a payment run").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Fund").select_option(
        label="Riverside Small Grants (BACS file for the council’s finance system)"
    )
    # The date picker starts on today, which is when this run should pay.
    expect(page.get_by_label("Pay on")).to_have_value(timezone.localdate().isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Prepare the run").click()
    assert_accessible(page)
    run = PaymentRun.objects.get(fund=fund)
    expect(
        page.get_by_text(
            f"Payment run {run.reference} prepared with 2 payments. 1 held back: "
            "the reasons are listed on this page."
        )
    ).to_be_visible()

    payments = page.get_by_role("table", name=f"Payments in {run.reference}")
    for application in (cafe, choir):
        row = payments.get_by_role("row").filter(has_text=application.organisation.name)
        expect(row).to_contain_text(application.reference)
        expect(row).to_contain_text("In a run, not yet approved")
    expect(payments).not_to_contain_text("Ashby Allotment Society")
    held = page.get_by_role("table", name=re.compile(r"^Held back from this run"))
    held_row = held.get_by_role("row").filter(has_text="Ashby Allotment Society")
    expect(held_row).to_contain_text(allotment.reference)
    expect(held_row).to_contain_text("No bank details yet.")

    press_and_expect(
        page,
        "Send for approval",
        "Sent for approval. A finance officer who made none of its awards must approve it.",
    )
    expect(page.get_by_text("Status: Waiting for approval")).to_be_visible()
    expect(page.get_by_text("Only a finance officer can approve a payment run.")).to_be_visible()
    expect(page.get_by_role("button", name="Approve the run")).to_have_count(0)

    # The finance officer, at their own desk, approves it and sends the file to the bank.
    page = new_page()
    sign_in_with_code(page, finance)
    open_from_admin_menu(page, "Money", "Payment runs")
    page.locator("#listing-results").get_by_role("link", name=run.reference).click()
    page.wait_for_load_state()
    assert_accessible(page)
    expect(page.get_by_text("Status: Waiting for approval")).to_be_visible()
    press_and_expect(
        page,
        "Approve the run",
        "Approved. Download the BACS file, send it to the bank, then confirm here that it was "
        "sent.",
    )
    expect(page.get_by_text("Status: Approved: paying")).to_be_visible()

    name, csv_text = _download(page, "Download the CSV file", tmp_path)
    assert name == f"{run.reference}-bacs.csv"
    assert '"401162"' in csv_text and '"200000"' in csv_text
    assert len(csv_text.strip().splitlines()) == 3  # a header and the two payments
    name, standard18 = _download(page, "Download the Standard 18 file", tmp_path)
    assert name == f"{run.reference}-standard18.txt"
    records = standard18.split("\r\n")
    assert records.pop() == ""  # the last line ends CRLF too
    assert len(records) == 3  # the two credits and the contra debit of the council's account
    assert all(len(record) == 100 for record in records), [len(r) for r in records]
    assert {record[:6] for record in records[:2]} == {"401162", "200000"}

    press_and_expect(
        page,
        "Confirm the file was sent to the bank",
        "Recorded as sent to the bank. The payments are marked as paid.",
    )
    expect(page.get_by_text("Status: Completed")).to_be_visible()
    payments = page.get_by_role("table", name=f"Payments in {run.reference}")
    for application in (cafe, choir):
        row = payments.get_by_role("row").filter(has_text=application.organisation.name)
        expect(row.get_by_role("cell").nth(3)).to_have_text("Sent")
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED
    assert run.approved_by == finance
    assert set(run.payments.values_list("status", flat=True)) == {PaymentStatus.SENT}

    # The bank sends the choir's payment back: the finance officer records the return.
    row = payments.get_by_role("row").filter(has_text="Millbrook Community Choir")
    row.get_by_label("Why did the bank return it?").fill("Account closed")
    press_and_expect(
        page,
        "Record a return of the payment to Millbrook Community Choir",
        "Return recorded for Millbrook Community Choir. The payment is due again and can go in "
        "a later run.",
    )
    assert Payment.objects.get(application=choir).status == PaymentStatus.RETURNED

    # The finance dashboard lists it under failures to act on.
    open_from_admin_menu(page, "Money", "Finance dashboard")
    failures = page.get_by_role("region", name="Failures to act on")
    returned = failures.get_by_role("table", name=re.compile(r"^Payments that came back"))
    returned_row = returned.get_by_role("row").filter(has_text="Millbrook Community Choir")
    expect(returned_row).to_contain_text(choir.reference)
    expect(returned_row).to_contain_text("£300.00")
    expect(returned_row).to_contain_text(run.reference)
    expect(returned_row).to_contain_text("Account closed")
    expect(failures).not_to_contain_text("Riverside Café Collective")
