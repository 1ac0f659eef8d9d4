"""Giving to a fund through Stripe Checkout, on a phone, with Stripe's page stood in for; putting a
wrong amount right; and a group member setting up the bank account its grants are paid into.
axe checks every page."""

import base64
import html
import re
import urllib.request

import pytest
from playwright.sync_api import Page

from grants.enums import LedgerKind
from payments.enums import ContributionStatus
from payments.models import BankDetails, Contribution
from tests.browser.conftest import (
    SMALL_SCREEN,
    assert_accessible,
    assert_error_summary,
    assert_no_horizontal_scroll,
    sign_in,
)
from tests.factories.core import TEST_PASSWORD, OrganisationFactory, OrganisationMembershipFactory
from tests.factories.grants import FundFactory
from tests.payments.fake_stripe import FakeStripe
from tests.payments.webhooks import TEST_WEBHOOK_SECRET, signed_delivery

pytestmark = pytest.mark.browser

CHECKOUT = "https://checkout.stripe.test/**"
CHECKOUT_PAGE = r"https://checkout\.stripe\.test/c/pay/(?P<session>\w+)"


@pytest.fixture(scope="module")
def _fake_stripe_server():
    """One fake Stripe server for this module; each test gets it emptied."""
    fake = FakeStripe()
    yield fake
    fake.stop()


@pytest.fixture
def fake_stripe(settings, _fake_stripe_server, live_site):
    """Point the site (the live server runs in this process) at the fake Stripe."""
    fake = _fake_stripe_server
    fake.reset()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = TEST_WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT_SECONDS = 1.0
    yield fake
    fake.reset()


@pytest.fixture
def fund(live_site):
    return FundFactory(accepts_contributions=True, name="Ashby Vale Community Matters Fund")


def check(page: Page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def words(page: Page, selector: str) -> str:
    return " ".join(page.locator(selector).inner_text().split())


def stand_in_for_stripe(page: Page, fake: FakeStripe) -> None:
    """Answer the trip to Stripe's Checkout with a small page of our own, whose one link goes back
    to the session's success address, as Stripe's page does once the giver has paid.

    The site sends the giver there with a redirect, and ``page.route`` never sees a redirect's
    next hop (the browser follows it by itself, and the made-up host does not resolve), so the
    request is caught one level down, by Chromium's own request interception."""
    cdp = page.context.new_cdp_session(page)

    def answer(event: dict) -> None:
        match = re.fullmatch(CHECKOUT_PAGE, event["request"]["url"])
        reply = {"requestId": event["requestId"], "responseCode": 204}
        if match:
            session = fake.sessions[match["session"]]
            pounds = f"£{session['amount_total'] / 100:,.2f}"
            body = (
                '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>Pay {pounds} – Checkout</title></head><body><main>"
                f"<h1>Pay {pounds}</h1>"
                f'<p><a href="{html.escape(session["success_url"])}">Pay {pounds}</a></p>'
                "</main></body></html>"
            )
            reply |= {
                "responseCode": 200,
                "responseHeaders": [{"name": "Content-Type", "value": "text/html; charset=utf-8"}],
                "body": base64.b64encode(body.encode()).decode(),
            }
        cdp.send("Fetch.fulfillRequest", reply)

    cdp.on("Fetch.requestPaused", answer)
    cdp.send("Fetch.enable", {"patterns": [{"urlPattern": "https://checkout.stripe.test/*"}]})


def deliver(live_site, event: dict) -> int:
    """Post an event to the live site's webhook, signed as Stripe signs it."""
    body, signature = signed_delivery(event)
    request = urllib.request.Request(  # noqa: S310 (the live server, over http)
        f"{live_site.url}/payments/stripe/webhook/",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def test_a_member_of_the_public_gives_25_pounds_on_a_phone(new_page, live_site, fake_stripe, fund):
    budget_before = fund.budget_pence
    page = new_page(viewport=SMALL_SCREEN, is_mobile=True, has_touch=True)
    stand_in_for_stripe(page, fake_stripe)

    page.goto(f"/funds/{fund.slug}/give/")
    check(page)
    assert heading(page) == "Give to Ashby Vale Community Matters Fund"
    page.get_by_label("£25", exact=True).check()
    page.get_by_label("Your name").fill("Sam Patel")
    page.get_by_label("Email address").fill("sam@example.com")
    page.get_by_role("button", name="Continue to payment").click()

    # Stripe's page (our stand-in), for the amount chosen and nothing else.
    page.wait_for_url(CHECKOUT)
    check(page)
    contribution = Contribution.objects.get()
    assert contribution.status == ContributionStatus.CHECKOUT_OPEN
    session_id = contribution.stripe_checkout_session_id
    assert page.url.endswith(f"/{session_id}")
    assert fake_stripe.sessions[session_id]["amount_total"] == 2500
    assert heading(page) == "Pay £25.00"

    # They pay; Stripe sends them back before its webhook has arrived.
    session = fake_stripe.pay_session(session_id)
    page.get_by_role("link", name="Pay £25.00").click()
    page.wait_for_url(f"**/give/thanks/{contribution.token}/")
    check(page)
    assert heading(page) == "Thank you"
    assert words(page, ".govuk-panel__body") == "Your gift of £25.00 is on its way"
    fund.refresh_from_db()
    assert fund.budget_pence == budget_before  # nothing until Stripe says so

    # Stripe's webhook, delivered twice, as Stripe may; then a second event for the same session.
    completed = fake_stripe.event("checkout.session.completed", session)
    assert deliver(live_site, completed) == 200
    assert deliver(live_site, completed) == 200
    assert deliver(live_site, fake_stripe.event("checkout.session.completed", session)) == 200

    page.reload()
    check(page)
    assert words(page, ".govuk-panel__body") == "We’ve received your gift of £25.00"
    assert page.get_by_text("We’ve emailed a receipt to sam@example.com.").is_visible()

    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.RECEIVED
    fund.refresh_from_db()
    assert fund.budget_pence == budget_before + 2500
    gifts = fund.ledger.filter(kind=LedgerKind.CONTRIBUTION_RECEIVED)
    assert [entry.amount_pence for entry in gifts] == [2500]


def test_a_wrong_amount_is_put_right_without_typing_everything_again(
    new_page, live_site, fake_stripe, fund
):
    page = new_page()
    stand_in_for_stripe(page, fake_stripe)

    page.goto(f"/funds/{fund.slug}/give/")
    check(page)
    page.get_by_label("Another amount").check()
    page.get_by_label("Amount in pounds").fill("1")
    page.get_by_label("Your name").fill("Sam Patel")
    page.get_by_label("Email address").fill("sam@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_load_state()

    check(page)
    assert_error_summary(page)
    assert page.get_by_role("link", name="Enter an amount between £5 and £10,000").is_visible()
    assert not Contribution.objects.exists()
    assert not fake_stripe.sessions
    # What they typed is still there.
    assert page.get_by_label("Another amount").is_checked()
    assert page.get_by_label("Amount in pounds").input_value() == "1"
    assert page.get_by_label("Your name").input_value() == "Sam Patel"
    assert page.get_by_label("Email address").input_value() == "sam@example.com"

    page.get_by_label("Amount in pounds").fill("30")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(CHECKOUT)
    check(page)
    assert heading(page) == "Pay £30.00"
    contribution = Contribution.objects.get()
    assert (contribution.amount_pence, contribution.contributor_name) == (3000, "Sam Patel")
    assert fake_stripe.sessions[contribution.stripe_checkout_session_id]["amount_total"] == 3000


def test_a_group_member_sets_up_the_bank_account_grants_are_paid_into(new_page, live_site):
    group = OrganisationFactory(name="Ashby Toddlers")
    member = OrganisationMembershipFactory(organisation=group).user
    page = new_page()

    sign_in(page, member.email, TEST_PASSWORD)
    check(page)
    page.goto(f"/organisations/{group.pk}/payments/")
    check(page)
    assert heading(page) == "How your group is paid"

    page.get_by_label("Name on the account").fill("Ashby Toddlers")
    page.get_by_label("Sort code").fill("40-11")
    page.get_by_label("Account number").fill("31926819")
    page.get_by_role("button", name="Save bank details").click()
    page.wait_for_load_state()
    check(page)
    assert_error_summary(page)
    assert page.get_by_role("link", name="Enter a valid sort code like 30 94 00").is_visible()
    assert not BankDetails.objects.exists()

    page.get_by_label("Sort code").fill("40 11 62")
    page.get_by_label("Account number").fill("31926819")
    page.get_by_role("button", name="Save bank details").click()
    page.wait_for_load_state()
    check(page)
    assert page.get_by_text(
        "Bank details saved. We’ll telephone your group to check them before paying into "
        "this account."
    ).is_visible()
    assert page.get_by_text("**-**-62 ****6819", exact=True).is_visible()
    assert page.get_by_text(re.compile("Not yet: we’ll telephone your group")).is_visible()
    content = page.content()
    assert "31926819" not in content
    assert "401162" not in content and "40 11 62" not in content
    details = BankDetails.objects.get(organisation=group)
    assert (details.sort_code, details.account_number) == ("401162", "31926819")
    assert not details.confirmed
