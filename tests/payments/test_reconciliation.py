"""Comparing the ledger with Stripe's balance: every difference reported with what kind it is,
nothing corrected, the finance team told; a clean history comes out clean.

Security matrix row 38 (ledger vs Stripe drift).
"""

import datetime
from io import StringIO

from django.core.management import CommandError, call_command
from django.utils import timezone

import pytest

from core.models import InboxMessage
from grants.models import LedgerEntry
from payments.enums import ContributionStatus as C
from payments.enums import ReconciliationKind as K
from payments.models import Contribution, Reconciliation
from payments.services.reconciliation import reconcile
from payments.stripe_api import stripe_client
from tests.payments.builders import (
    award_ready_to_pay,
    finance_officer,
    give,
    giving_fund,
    run_approved,
    stripe_account_ready,
    stripe_fund,
)
from tests.payments.fake_stripe import stripe_fee

pytestmark = pytest.mark.django_db

COMPLETED = "checkout.session.completed"


@pytest.fixture
def pay(client, fake_stripe, deliver):
    """A gift paid on Stripe's page; Stripe tells us, unless the webhook never arrives."""

    def paid(fund, pounds: str, *, webhook_arrives: bool = True) -> Contribution:
        contribution = give(client, fund, pounds=pounds)
        session = fake_stripe.pay_session(contribution.stripe_checkout_session_id)
        if webhook_arrives:
            deliver(fake_stripe.event(COMPLETED, session))
        contribution.refresh_from_db()
        contribution.payment_intent = session["payment_intent"]
        return contribution

    return paid


def charge_transaction(fake_stripe, contribution) -> dict:
    intent = fake_stripe.payment_intents[contribution.payment_intent]
    charge = fake_stripe.charges[intent["latest_charge"]]
    return fake_stripe.balance_transactions[charge["balance_transaction"]]


def today() -> datetime.date:
    return timezone.localdate()


def ledger_snapshot() -> tuple:
    return tuple(LedgerEntry.objects.order_by("pk").values_list("pk", "kind", "amount_pence"))


def test_a_clean_history_of_gifts_refunds_transfers_and_reversals_matches(
    fake_stripe, pay, deliver, django_capture_on_commit_callbacks
):
    fund = giving_fund()
    gift = pay(fund, "50")
    other_gift = pay(fund, "12.34")
    refund = fake_stripe.refund(gift.payment_intent, 2000)
    deliver(fake_stripe.event("charge.refunded", {"id": refund["charge"]}))

    paying_fund = stripe_fund()
    application = award_ready_to_pay(paying_fund)
    stripe_account_ready(fake_stripe, application)
    run_approved(
        paying_fund,
        preparer=finance_officer(),
        approver=finance_officer(),
        after_commit=django_capture_on_commit_callbacks,
    )
    (transfer_id,) = fake_stripe.transfers
    stripe_client().v1.transfers.reversals.create(transfer_id)
    deliver(fake_stripe.event("transfer.reversed", fake_stripe.transfers[transfer_id]))

    result = reconcile(date_from=today(), date_to=today())

    assert list(result.items.all()) == []
    assert result.is_clean
    assert result.failed == ""
    assert result.matched_items == 3  # two gifts (one part refunded) and one payment, reversed
    assert result.stripe_items == 5  # two charges, a refund, a transfer and its reversal
    assert result.ledger_items == 5
    assert result.fees_pence == stripe_fee(5000) + stripe_fee(1234)
    assert other_gift.status == C.RECEIVED


def test_drift_from_stripe_is_listed_item_by_item_and_nothing_is_corrected(
    fake_stripe, pay, settings
):
    fund = giving_fund()
    matched = pay(fund, "10")
    lost_by_stripe = pay(fund, "20")
    never_told = pay(fund, "30", webhook_arrives=False)
    twice = pay(fund, "40")
    wrong = pay(fund, "50")

    del fake_stripe.balance_transactions[charge_transaction(fake_stripe, lost_by_stripe)["id"]]
    fake_stripe.add_balance_transaction(
        amount=4000,
        fee=stripe_fee(4000),
        type="charge",
        source=fake_stripe.payment_intents[twice.payment_intent]["latest_charge"],
    )
    charge_transaction(fake_stripe, wrong)["amount"] = 4999
    stray = fake_stripe.add_balance_transaction(amount=-1234, type="adjustment")
    fund.refresh_from_db()
    before = (ledger_snapshot(), fund.budget_pence)

    result = reconcile(date_from=today(), date_to=today())

    found = {
        item.stripe_reference: (item.kind, item.ledger_pence, item.stripe_pence)
        for item in result.items.all()
    }
    assert found == {
        lost_by_stripe.payment_intent: (K.MISSING_FROM_STRIPE, 2000, None),
        never_told.payment_intent: (K.MISSING_FROM_LEDGER, None, 3000),
        twice.payment_intent: (K.DUPLICATED, 4000, 8000),
        wrong.payment_intent: (K.AMOUNT_DIFFERS, 5000, 4999),
        stray["id"]: (K.UNRECOGNISED, None, -1234),
    }
    assert all(item.description for item in result.items.all())
    assert result.items.get(kind=K.AMOUNT_DIFFERS).fund == fund
    assert result.matched_items == 1
    assert not result.is_clean
    # Reported, never corrected: the ledger, the fund and the gift Stripe never told us about
    # are as they were, for a person to decide.
    fund.refresh_from_db()
    assert (ledger_snapshot(), fund.budget_pence) == before
    never_told.refresh_from_db()
    assert never_told.status == C.CHECKOUT_OPEN
    assert matched.status == C.RECEIVED


def test_the_finance_team_is_told_of_differences(fake_stripe, pay):
    officers = [finance_officer(), finance_officer()]
    pay(giving_fund(), "30", webhook_arrives=False)

    result = reconcile(date_from=today(), date_to=today())

    assert result.items.count() == 1
    told = InboxMessage.objects.filter(kind="reconciliation")
    assert sorted(m.recipient_id for m in told) == sorted(o.pk for o in officers)


def test_a_clean_comparison_tells_no_one(fake_stripe, pay):
    finance_officer()
    pay(giving_fund(), "30")

    result = reconcile(date_from=today(), date_to=today())

    assert result.is_clean
    assert not InboxMessage.objects.filter(kind="reconciliation").exists()


def test_stripe_out_of_reach_is_recorded_as_a_comparison_that_could_not_be_made(fake_stripe, pay):
    pay(giving_fund(), "30")
    fake_stripe.fail_next("GET", "/v1/balance_transactions", "500")

    result = reconcile(date_from=today(), date_to=today())

    assert result.failed
    assert not result.is_clean
    assert result.items.count() == 0


def test_items_outside_the_period_are_left_to_that_period(fake_stripe, pay):
    pay(giving_fund(), "30")
    last_week = int((timezone.now() - datetime.timedelta(days=7)).timestamp())
    fake_stripe.add_balance_transaction(amount=-500, type="adjustment", created=last_week)

    assert reconcile(date_from=today(), date_to=today()).is_clean

    week_ago = today() - datetime.timedelta(days=7)
    older = reconcile(date_from=week_ago, date_to=week_ago)
    assert list(older.items.values_list("kind", flat=True)) == [K.UNRECOGNISED]


def test_the_command_reports_each_difference_and_changes_nothing(fake_stripe, pay):
    fund = giving_fund()
    never_told = pay(fund, "30", webhook_arrives=False)
    stray = fake_stripe.add_balance_transaction(amount=-1234, type="adjustment")
    before = ledger_snapshot()
    out = StringIO()

    call_command(
        "reconcile_stripe", "--from", today().isoformat(), "--to", today().isoformat(), stdout=out
    )

    lines = out.getvalue().splitlines()
    assert "2 difference(s):" in lines
    (missing,) = [line for line in lines if f"[{K.MISSING_FROM_LEDGER.label}]" in line]
    assert never_told.payment_intent in missing
    (unknown,) = [line for line in lines if f"[{K.UNRECOGNISED.label}]" in line]
    assert stray["id"] in unknown
    assert "£12.34" in unknown
    assert ledger_snapshot() == before
    assert Reconciliation.objects.count() == 1


def test_the_command_says_so_when_the_ledger_and_stripe_agree(fake_stripe, pay):
    pay(giving_fund(), "30")
    out = StringIO()

    call_command(
        "reconcile_stripe", "--from", today().isoformat(), "--to", today().isoformat(), stdout=out
    )

    assert "Clean: the ledger and Stripe agree." in out.getvalue()
    assert "1 matched" in out.getvalue()


def test_the_command_refuses_a_period_that_ends_before_it_starts(fake_stripe):
    with pytest.raises(CommandError, match="--to must be on or after --from"):
        call_command("reconcile_stripe", "--from", "2026-04-30", "--to", "2026-04-01")
    assert not Reconciliation.objects.exists()
