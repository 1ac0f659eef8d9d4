"""A grants officer makes a rapid-response award at their desk: signs in with an authenticator
code, finds the new application in the admin by its status, checks it, sends it for their own
decision, awards less than was asked with a condition, sees the fund's committed money go up and
sends the grant agreement. A tab left open from before the award is told, in the admin, that the
application changed. axe checks every page, the Wagtail admin's included."""

import re

import pytest
from playwright.sync_api import Page, expect

from grants.enums import ApplicationStatus
from grants.models import GrantAgreement
from tests.browser.conftest import (
    assert_accessible,
    open_from_admin_menu,
    press_and_expect,
    sign_in_with_code,
)
from tests.factories.core import LocalityFactory, OrganisationFactory
from tests.factories.grants import ApplicationFactory, FundFactory, application_in, grants_officer

pytestmark = pytest.mark.browser
S = ApplicationStatus


def _committed(page: Page) -> str:
    """The "Committed" figure in the fund dashboard's money table."""
    table = page.get_by_role("table", name=re.compile(r"^Money in "))
    return table.get_by_role("row", name=re.compile(r"^Committed")).get_by_role("cell").inner_text()


def test_an_officer_makes_a_rapid_response_award_and_sends_the_agreement(new_page, live_site):
    locality = LocalityFactory(name="Millbrook", slug="millbrook")
    fund = FundFactory(rapid=True, locality=locality, name="Millbrook Rapid Response Fund")
    officer = grants_officer(locality=locality, full_name="Dana Okafor")
    # Already awarded earlier in the year: £500 of the fund is committed.
    application_in(S.AWARDED, fund=fund, officer=officer, title="Winter warm space")
    # Already being checked: not what the officer is looking for today.
    application_in(S.SCREENING, fund=fund, officer=officer, title="Litter pick kit")
    application = application_in(
        S.SUBMITTED,
        application=ApplicationFactory(
            fund=fund,
            organisation=OrganisationFactory(name="Millbrook Youth Football"),
            title="New kit for the under-12s",
            amount_requested_pence=50_000,
        ),
    )
    page = new_page()

    sign_in_with_code(page, officer)

    # Grants → Funds: how much of the fund is committed before the award.
    open_from_admin_menu(page, "Grants", "Funds")
    page.get_by_role("link", name="Millbrook Rapid Response Fund").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert _committed(page) == "£500.00"

    # Grants → Applications, filtered to the ones waiting to be checked.
    open_from_admin_menu(page, "Grants", "Applications")
    listing = page.locator("#listing-results")
    expect(listing.get_by_role("row", name=re.compile("Litter pick kit"))).to_be_visible()
    page.get_by_role("button", name="Show filters").click()
    filters = page.get_by_role("tooltip")
    filters.get_by_role("button", name="Status", exact=True).click()
    filters.locator("#drilldown-id_status").get_by_label("Submitted", exact=True).check()
    expect(page).to_have_url(re.compile(r"[?&]status=submitted"))
    expect(listing.get_by_role("row", name=re.compile("Litter pick kit"))).to_have_count(0)
    expect(listing.get_by_role("row", name=re.compile("Winter warm space"))).to_have_count(0)
    assert_accessible(page)
    listing.get_by_role("link", name=application.reference).click()
    page.wait_for_load_state()
    assert_accessible(page)
    expect(page.get_by_text("Status: Submitted")).to_be_visible()

    press_and_expect(page, "Start checking", "Checking has started.")
    expect(page.get_by_text("Status: Being checked")).to_be_visible()

    press_and_expect(page, "Send for officer decision", "Sent on: with an officer for decision.")
    expect(page.get_by_text("Status: With an officer for decision")).to_be_visible()

    # A second tab on the same application, left open from before the award.
    earlier_tab = new_page(page.context)
    earlier_tab.goto(page.url)
    assert_accessible(earlier_tab)

    # The amount starts as what the group asked for, in pounds; the officer gives less.
    amount = page.get_by_label("Amount to award, in pounds")
    expect(amount).to_have_value("500")
    amount.fill("400")
    page.get_by_label("Conditions (optional)").fill("Credit the fund on the kit’s sponsor patch.")
    page.get_by_label("Reason for the record").fill(
        "Meets the fund’s priorities; kit quote checked."
    )
    assert_accessible(page)
    press_and_expect(page, "Award", "Awarded. The money is committed from the fund.")
    expect(page.get_by_text("Status: Awarded")).to_be_visible()
    application.refresh_from_db()
    assert application.status == S.AWARDED
    assert application.amount_awarded_pence == 40_000

    # The earlier tab tries to award again: told, in the staff area, that it changed meanwhile.
    earlier_tab.get_by_label("Reason for the record").fill("Looks fine.")
    with earlier_tab.expect_navigation():
        earlier_tab.get_by_role("button", name="Award", exact=True).click()
    assert_accessible(earlier_tab)
    expect(earlier_tab.get_by_role("heading", name="This can’t be done now")).to_be_visible()
    expect(earlier_tab.get_by_text("changed while you were looking")).to_be_visible()
    expect(earlier_tab.get_by_role("navigation", name="Main menu")).to_be_attached()  # the admin
    with earlier_tab.expect_navigation():
        earlier_tab.get_by_role("link", name="Go back and reload").click()
    expect(earlier_tab.get_by_text("Status: Awarded")).to_be_visible()
    assert_accessible(earlier_tab)
    application.refresh_from_db()
    assert application.amount_awarded_pence == 40_000

    # The fund's dashboard: £400 more committed.
    open_from_admin_menu(page, "Grants", "Funds")
    page.get_by_role("link", name="Millbrook Rapid Response Fund").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert _committed(page) == "£900.00"

    # Back to the application, to send the grant agreement (one payment of the whole award).
    open_from_admin_menu(page, "Grants", "Applications")
    page.locator("#listing-results").get_by_role("link", name=application.reference).click()
    page.wait_for_load_state()
    assert_accessible(page)
    press_and_expect(
        page, "Send the grant agreement", "The grant agreement has been sent to the group."
    )
    expect(page.get_by_text("Status: Grant agreement sent")).to_be_visible()
    application.refresh_from_db()
    assert application.status == S.AGREEMENT_ISSUED
    agreement = GrantAgreement.objects.get(application=application)
    assert agreement.issued_by == officer
    assert application.award_conditions == "Credit the fund on the kit’s sponsor patch."
    assert [tranche.amount_pence for tranche in application.tranches.all()] == [40_000]
