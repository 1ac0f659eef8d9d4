"""A grants officer sets up a new fund in the admin, and groups can find it on the public site
straight away, without waiting for an editor. axe checks every page, the admin's included."""

import re

import pytest
from playwright.sync_api import expect

from cms.demo import seed_site
from cms.models import FundPage
from grants.models import Fund
from tests.browser.conftest import assert_accessible, open_from_admin_menu, sign_in_with_code
from tests.factories.core import LocalityFactory
from tests.factories.grants import grants_officer

pytestmark = pytest.mark.browser


def test_an_officer_sets_up_a_fund_and_it_is_on_the_public_site_at_once(new_page, live_site):
    locality = LocalityFactory(name="Ashby Vale", slug="ashby-vale")
    seed_site()
    officer = grants_officer(locality=locality)
    page = new_page()

    sign_in_with_code(page, officer)
    open_from_admin_menu(page, "Grants", "Funds")
    page.get_by_role("link", name=re.compile("Add fund")).first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("textbox", name=re.compile(r"^Name")).fill("Ashby Vale Winter Warmth Fund")
    page.get_by_role("textbox", name=re.compile(r"^Slug")).fill("ashby-vale-winter-warmth")
    page.get_by_role("combobox", name=re.compile(r"^Locality")).select_option(label="Ashby Vale")
    page.get_by_role("textbox", name=re.compile(r"^Summary")).fill(
        "Small grants for warm spaces and hot meals this winter."
    )
    page.get_by_role("combobox", name=re.compile(r"^Route")).select_option(index=1)
    # Amounts are typed in pounds, as the officer reads them, starting from the usual ones.
    expect(page.get_by_role("textbox", name=re.compile(r"^Largest award"))).to_have_value("5000")
    page.get_by_role("textbox", name=re.compile(r"^Smallest award")).fill("£100")
    page.get_by_role("textbox", name=re.compile(r"^Largest award")).fill("2,500")
    page.get_by_role("button", name="Create", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)

    fund = Fund.objects.get(slug="ashby-vale-winter-warmth")
    assert fund.financial_year == 2026  # this financial year unless the officer says otherwise
    assert (fund.minimum_award_pence, fund.maximum_award_pence) == (10_000, 250_000)
    fund_page = FundPage.objects.get(fund=fund)
    expect(page.get_by_text("It has a page on the public site.")).to_be_visible()
    expect(page.get_by_role("link", name="View the public page")).to_have_attribute(
        "href", fund_page.url
    )

    visitor = new_page()
    visitor.goto("/funding/")
    visitor.wait_for_load_state()
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Ashby Vale Winter Warmth Fund").click()
    visitor.wait_for_load_state()
    assert_accessible(visitor)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Ashby Vale Winter Warmth Fund")
    expect(visitor.get_by_text("Small grants for warm spaces and hot meals")).to_be_visible()
    expect(visitor.get_by_text("£100 to £2,500")).to_be_visible()
