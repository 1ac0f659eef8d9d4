"""The people on the public side of money: someone giving to a fund, a group setting up how it is
paid, and a funder seeing what their money paid for."""

import re

from django.core import mail
from django.urls import reverse

import pytest

from core.models import InboxMessage
from grants import ledger
from grants.enums import ApplicationStatus, SourceKind
from payments.enums import ContributionStatus
from payments.models import BankDetails, Contribution
from tests.factories.core import OrganisationMembershipFactory, UserFactory
from tests.factories.grants import FundFactory, FundingSourceFactory, application_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund():
    return FundFactory(accepts_contributions=True, name="Ashby Vale Community Matters Fund")


def test_without_stripe_keys_the_give_page_explains_what_to_configure(client, fund, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = client.get(reverse("payments:give", args=[fund.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Giving online isn’t set up yet" in page
    assert "STRIPE_SECRET_KEY" in page and "STRIPE_WEBHOOK_SECRET" in page


def test_a_fund_that_takes_no_gifts_says_so(client, fake_stripe):
    fund = FundFactory(accepts_contributions=False)
    response = client.get(reverse("payments:give", args=[fund.slug]))
    assert response.status_code == 404
    assert "isn’t taking gifts online" in response.content.decode()


def test_a_gift_opens_stripe_checkout_for_the_amount_chosen(client, fund, fake_stripe):
    response = client.post(
        reverse("payments:give", args=[fund.slug]),
        {"amount": "2500", "name": "Sam Patel", "email": "sam@example.com"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.test/")
    contribution = Contribution.objects.get()
    assert contribution.status == ContributionStatus.CHECKOUT_OPEN
    session = fake_stripe.sessions[contribution.stripe_checkout_session_id]
    assert session["amount_total"] == 2500
    assert fund.ledger.filter(kind="contribution_received").count() == 0  # not until Stripe says


def test_another_amount_outside_the_funds_limits_is_refused_kindly(client, fund, fake_stripe):
    response = client.post(
        reverse("payments:give", args=[fund.slug]),
        {"amount": "other", "other_amount": "1", "name": "Sam", "email": "sam@example.com"},
    )
    assert response.status_code == 200
    assert "Enter an amount between £5 and £10,000" in response.content.decode()
    assert not Contribution.objects.exists()
    assert not fake_stripe.sessions


def test_when_stripe_is_down_the_giver_is_told_nothing_was_taken_and_keeps_their_answers(
    client, fund, fake_stripe
):
    fake_stripe.fail_next("POST", "/v1/checkout/sessions", "500")
    response = client.post(
        reverse("payments:give", args=[fund.slug]),
        {"amount": "other", "other_amount": "30", "name": "Sam Patel", "email": "sam@example.com"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "nothing has been taken" in page
    assert 'value="Sam Patel"' in page and 'value="30"' in page


def test_the_thank_you_page_waits_for_stripe_and_then_thanks(client, fund, fake_stripe, deliver):
    client.post(
        reverse("payments:give", args=[fund.slug]),
        {"amount": "5000", "name": "Sam Patel", "email": "sam@example.com"},
    )
    contribution = Contribution.objects.get()
    thanks = reverse("payments:thanks", args=[contribution.token])
    assert "is on its way" in client.get(thanks).content.decode()

    session = fake_stripe.pay_session(contribution.stripe_checkout_session_id)
    assert deliver(fake_stripe.event("checkout.session.completed", session)).status_code == 200

    assert "We’ve received your gift of" in client.get(thanks).content.decode()
    fund.refresh_from_db()
    assert fund.budget_pence == 1_000_000 + 5000
    receipts = [m for m in mail.outbox if m.to == ["sam@example.com"]]
    assert len(receipts) == 1 and "£50" in receipts[0].body


def test_the_fund_page_says_how_much_was_raised_and_invites_gifts(client, fund):
    from wagtail.models import Page, Site

    from cms.models import HomePage
    from cms.services import fund_pages_sync

    home = HomePage(title="Help for families", slug="home-for-tests", introduction="Welcome.")
    Page.get_first_root_node().add_child(instance=home)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"root_page": home, "hostname": "localhost"}
    )
    fund_pages_sync()
    fund.refresh_from_db()
    trust = FundingSourceFactory(name="Harrowgate Family Trust", kind=SourceKind.TRUST)
    ledger.record_contribution(
        fund=fund,
        amount_pence=250_000,
        idempotency_key="gift-1",
        external_id="pi_1",
        memo="Gift",
        source=trust,
    )
    ledger.record_contribution(
        fund=fund, amount_pence=2_500, idempotency_key="gift-2", external_id="pi_2", memo="Gift"
    )
    page = client.get(fund.fund_page.url).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Raised from funders £2,525.00 from 1 funder and 1 gift from local people" in text
    assert reverse("payments:give", args=[fund.slug]) in page


@pytest.fixture
def member():
    return OrganisationMembershipFactory()


def test_a_group_member_saves_bank_details_which_are_masked_and_wait_for_an_officer(client, member):
    other = OrganisationMembershipFactory(organisation=member.organisation)
    client.force_login(member.user)
    url = reverse("payments:group-payments", args=[member.organisation.pk])
    response = client.post(
        url,
        {"account_name": "Ashby Toddlers", "sort_code": "40-11-62", "account_number": "31926819"},
    )
    assert response.status_code == 302
    details = BankDetails.objects.get()
    assert (details.sort_code, details.account_number) == ("401162", "31926819")
    assert not details.confirmed
    page = client.get(url).content.decode()
    assert "**-**-62 ****6819" in page
    assert "31926819" not in page
    assert "we’ll telephone your group" in page.lower()
    # Everyone in the group hears of the change.
    assert InboxMessage.objects.filter(recipient=other.user, kind="security").exists()


def test_bank_details_are_stored_encrypted(member):
    from django.db import connection

    from payments.services.accounts import bank_details_save

    bank_details_save(
        member.organisation,
        by=member.user,
        account_name="Ashby Toddlers",
        sort_code="401162",
        account_number="31926819",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT sort_code, account_number FROM payments_bankdetails")
        stored = cursor.fetchone()
    assert "401162" not in str(stored) and "31926819" not in str(stored)


def test_a_bad_sort_code_is_refused_with_a_clear_message(client, member):
    client.force_login(member.user)
    response = client.post(
        reverse("payments:group-payments", args=[member.organisation.pk]),
        {"account_name": "Ashby Toddlers", "sort_code": "12", "account_number": "31926819"},
    )
    assert "Enter a valid sort code like 30 94 00" in response.content.decode()
    assert not BankDetails.objects.exists()


def test_someone_outside_the_group_cannot_see_or_change_its_payment_details(client, member):
    client.force_login(UserFactory())
    url = reverse("payments:group-payments", args=[member.organisation.pk])
    assert client.get(url).status_code == 404
    response = client.post(
        url, {"account_name": "Thief", "sort_code": "401162", "account_number": "12345678"}
    )
    assert response.status_code == 404
    assert not BankDetails.objects.exists()


def test_a_group_sets_up_stripe_on_stripes_own_pages(client, member, fake_stripe):
    client.force_login(member.user)
    response = client.post(reverse("payments:group-stripe", args=[member.organisation.pk]))
    assert response.status_code == 302
    account = member.organisation.stripe_account
    assert account.stripe_account_id in fake_stripe.accounts
    fake_stripe.enable_account(account.stripe_account_id)
    client.get(reverse("payments:group-stripe-back", args=[member.organisation.pk]))
    account.refresh_from_db()
    assert account.ready


def test_a_funder_sees_what_their_money_paid_for(client):
    funder = UserFactory()
    trust = FundingSourceFactory(name="Harrowgate Family Trust", kind=SourceKind.TRUST, user=funder)
    fund = FundFactory(rapid=True, budget=0)
    ledger.allocate(fund=fund, source=trust, amount_pence=500_000, by=None)
    ledger.allocate(fund=fund, source=FundingSourceFactory(), amount_pence=500_000, by=None)
    awarded = application_in(ApplicationStatus.AWARDED, fund=fund)
    client.force_login(funder)
    page = client.get(reverse("payments:funder-home")).content.decode()
    assert "£5,000.00 (50% of the fund)" in page
    assert awarded.organisation.name in page


def test_a_funder_sees_each_fund_net_of_refunds_however_many_funds_they_gave_to(
    client, django_assert_max_num_queries
):
    funder = UserFactory()
    trust = FundingSourceFactory(name="Harrowgate Family Trust", kind=SourceKind.TRUST, user=funder)
    for n in range(4):
        fund = FundFactory(rapid=True, budget=0, name=f"Fund {n}")
        ledger.record_contribution(
            fund=fund,
            source=trust,
            amount_pence=100_000,
            idempotency_key=f"gift-{n}",
            external_id=f"pi_{n}",
            memo="Gift",
        )
        application_in(ApplicationStatus.AWARDED, fund=fund)
    ledger.record_refund(
        fund=fund,
        source=trust,
        amount_pence=40_000,
        idempotency_key="refund-3",
        external_id="re_3",
        memo="Refund",
    )
    client.force_login(funder)
    client.get(reverse("payments:funder-home"))  # the site's shared facts are then remembered

    # The same few queries for any number of funds: not three more for each.
    with django_assert_max_num_queries(10):
        page = client.get(reverse("payments:funder-home")).content.decode()

    assert page.count("£1,000.00 (100% of the fund)") == 3
    assert "£600.00 (100% of the fund)" in page


def test_someone_who_is_not_a_funder_has_no_funder_page(client):
    client.force_login(UserFactory())
    assert client.get(reverse("payments:funder-home")).status_code == 404
