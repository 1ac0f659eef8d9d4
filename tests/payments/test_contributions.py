"""Giving to a fund through Stripe Checkout: the amount is ours, the fund is credited only when the
money has arrived, once, whatever order and however often Stripe tells us; refunds come off once.

Security matrix rows 32 (out of order, money in), 36 (amount tampering) and 37 (Bacs debits
credited early), and the "exactly once" property for a gift's events.
"""

import re

from django.urls import reverse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants import ledger
from grants.enums import ApplicationStatus, LedgerKind
from payments.enums import ContributionStatus as C
from payments.models import Contribution, StripeEvent
from tests.factories.grants import ApplicationFactory, application_in
from tests.payments.builders import (
    figures_agree_with_ledger,
    gifts_received,
    give,
    giving_fund,
)

pytestmark = pytest.mark.django_db

COMPLETED = "checkout.session.completed"
SUCCEEDED = "checkout.session.async_payment_succeeded"
FAILED = "checkout.session.async_payment_failed"


def checkout_requests(fake_stripe) -> list:
    return [
        r for r in fake_stripe.requests if (r.method, r.path) == ("POST", "/v1/checkout/sessions")
    ]


def refunds(fund) -> list[int]:
    return list(fund.ledger.filter(kind=LedgerKind.REFUND).values_list("amount_pence", flat=True))


# ----- row 36: the amount is ours ---------------------------------------------------------------


def test_the_checkout_session_is_for_the_amount_we_recorded_whatever_else_is_posted(
    client, fake_stripe
):
    fund = giving_fund()

    contribution = give(
        client,
        fund,
        pounds="50",
        # What someone editing the page might add, hoping one of them reaches Stripe.
        extra={
            "amount_pence": "100",
            "unit_amount": "100",
            "amount_total": "100",
            "line_items[0][price_data][unit_amount]": "100",
            "fund": giving_fund().slug,
            "status": "received",
        },
    )

    assert contribution.amount_pence == 5000
    assert contribution.fund == fund
    assert contribution.status == C.CHECKOUT_OPEN
    (request,) = checkout_requests(fake_stripe)
    (line,) = request.params["line_items"]
    assert line["price_data"]["unit_amount"] == "5000"
    assert line["price_data"]["currency"] == "gbp"
    assert request.params["metadata"]["contribution"] == str(contribution.pk)
    session = fake_stripe.sessions[contribution.stripe_checkout_session_id]
    assert session["amount_total"] == 5000


def test_a_preset_amount_is_taken_from_our_own_list(client, fake_stripe):
    fund = giving_fund()

    contribution = give(client, fund, amount="2500", other_amount="1")

    assert contribution.amount_pence == 2500
    assert fake_stripe.sessions[contribution.stripe_checkout_session_id]["amount_total"] == 2500


@pytest.mark.parametrize(
    "posted",
    [
        {"amount": "1"},
        {"amount": "-5000"},
        {"amount": "other", "other_amount": "0.01"},
        {"amount": "other", "other_amount": "-50"},
        {"amount": "other", "other_amount": "10000.01"},
        {"amount": "other", "other_amount": "50.001"},
    ],
    ids=[
        "a radio value we never offered",
        "a negative radio value",
        "a penny",
        "a negative amount",
        "more than the fund's largest gift",
        "fractions of a penny",
    ],
)
def test_an_amount_we_did_not_offer_is_refused_before_anything_reaches_stripe(
    client, fake_stripe, posted
):
    fund = giving_fund()
    data = {"name": "Priya Shah", "email": "priya@example.test", **posted}

    response = client.post(reverse("payments:give", args=[fund.slug]), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Contribution.objects.exists()
    assert checkout_requests(fake_stripe) == []


def test_a_payment_for_a_different_amount_is_held_and_the_fund_not_credited(
    client, fake_stripe, deliver
):
    fund = giving_fund()
    budget = fund.budget_pence
    contribution = give(client, fund, pounds="50")
    session = fake_stripe.pay_session(contribution.stripe_checkout_session_id, amount_total=100)

    assert deliver(fake_stripe.event(COMPLETED, session)).status_code == 200

    contribution.refresh_from_db()
    assert contribution.status == C.HELD
    assert contribution.amount_paid_pence == 100
    assert contribution.stripe_payment_intent_id == session["payment_intent"]
    assert gifts_received(fund) == []
    fund.refresh_from_db()
    assert fund.budget_pence == budget


def test_a_payment_in_another_currency_is_held(client, fake_stripe, deliver):
    fund = giving_fund()
    contribution = give(client, fund, pounds="50")
    session = fake_stripe.pay_session(contribution.stripe_checkout_session_id)
    fake_stripe.sessions[session["id"]]["currency"] = "eur"

    deliver(fake_stripe.event(COMPLETED, session))

    contribution.refresh_from_db()
    assert contribution.status == C.HELD
    assert gifts_received(fund) == []


def test_the_event_s_own_copy_of_the_session_is_not_believed(client, fake_stripe, deliver):
    """A delivery whose copy of the session says "paid" while Stripe's own record says otherwise
    (the giver abandoned the page) credits nothing: the handler asks Stripe."""
    fund = giving_fund()
    contribution = give(client, fund, pounds="50")
    copy_claiming_paid = {
        **fake_stripe.sessions[contribution.stripe_checkout_session_id],
        "status": "complete",
        "payment_status": "paid",
    }
    copy_claiming_paid.pop("_payment_intent_metadata")

    deliver(fake_stripe.event(COMPLETED, copy_claiming_paid))

    contribution.refresh_from_db()
    assert contribution.status == C.CHECKOUT_OPEN
    assert gifts_received(fund) == []


def test_a_card_gift_credits_the_fund_and_thanks_the_giver(
    client, fake_stripe, deliver, mailoutbox
):
    fund = giving_fund()
    budget = fund.budget_pence
    contribution = give(client, fund, pounds="25.50")
    session = fake_stripe.pay_session(contribution.stripe_checkout_session_id)

    deliver(fake_stripe.event(COMPLETED, session))

    contribution.refresh_from_db()
    assert contribution.status == C.RECEIVED
    assert contribution.received_at is not None
    (entry,) = gifts_received(fund)
    assert (entry.amount_pence, entry.external_id) == (2550, session["payment_intent"])
    fund.refresh_from_db()
    assert fund.budget_pence == budget + 2550
    assert figures_agree_with_ledger(fund)
    assert [m.to for m in mailoutbox] == [["priya@example.test"]]
    assert contribution.receipt_sent_at is not None
    thanks = client.get(reverse("payments:thanks", args=[contribution.token]))
    assert thanks.status_code == 200


def test_a_gift_abandoned_on_stripe_s_page_expires(client, fake_stripe, deliver):
    fund = giving_fund()
    contribution = give(client, fund)
    fake_stripe.sessions[contribution.stripe_checkout_session_id]["status"] = "expired"
    session = fake_stripe.sessions[contribution.stripe_checkout_session_id]

    deliver(fake_stripe.event("checkout.session.expired", {"id": session["id"]}))

    contribution.refresh_from_db()
    assert contribution.status == C.EXPIRED
    assert gifts_received(fund) == []


# ----- row 37: a Bacs debit is not money until it clears -----------------------------------------


def test_a_bacs_debit_is_credited_only_when_it_clears_and_only_once(client, fake_stripe, deliver):
    fund = giving_fund()
    budget = fund.budget_pence
    contribution = give(client, fund, pounds="50")
    session_id = contribution.stripe_checkout_session_id
    completed = fake_stripe.event(
        COMPLETED, fake_stripe.pay_session(session_id, payment_status="unpaid")
    )

    deliver(completed)

    contribution.refresh_from_db()
    assert contribution.status == C.AWAITING_PAYMENT
    assert gifts_received(fund) == []
    fund.refresh_from_db()
    assert fund.budget_pence == budget

    succeeded = fake_stripe.event(SUCCEEDED, fake_stripe.async_succeed(session_id))
    deliver(succeeded)
    deliver(succeeded)
    deliver(completed)

    contribution.refresh_from_db()
    assert contribution.status == C.RECEIVED
    assert len(gifts_received(fund)) == 1
    fund.refresh_from_db()
    assert fund.budget_pence == budget + 5000


def test_a_bacs_debit_that_bounces_is_never_credited(client, fake_stripe, deliver, mailoutbox):
    fund = giving_fund()
    budget = fund.budget_pence
    contribution = give(client, fund, pounds="50")
    session_id = contribution.stripe_checkout_session_id
    completed = fake_stripe.event(
        COMPLETED, fake_stripe.pay_session(session_id, payment_status="unpaid")
    )
    deliver(completed)

    failed = fake_stripe.event(FAILED, fake_stripe.async_fail(session_id))
    deliver(failed)
    deliver(completed)  # Stripe's late retry of the first event changes nothing

    contribution.refresh_from_db()
    assert contribution.status == C.FAILED
    assert gifts_received(fund) == []
    fund.refresh_from_db()
    assert fund.budget_pence == budget
    assert mailoutbox == []


# ----- row 32: out of order ---------------------------------------------------------------------


def test_a_cleared_bacs_debit_told_before_its_checkout_completed_is_credited_once(
    client, fake_stripe, deliver
):
    fund = giving_fund()
    contribution = give(client, fund, pounds="50")
    session_id = contribution.stripe_checkout_session_id
    completed = fake_stripe.event(
        COMPLETED, fake_stripe.pay_session(session_id, payment_status="unpaid")
    )
    succeeded = fake_stripe.event(SUCCEEDED, fake_stripe.async_succeed(session_id))

    deliver(succeeded)
    deliver(completed)

    contribution.refresh_from_db()
    assert contribution.status == C.RECEIVED
    assert len(gifts_received(fund)) == 1
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 2


def test_a_bounced_bacs_debit_told_before_its_checkout_completed_is_never_credited(
    client, fake_stripe, deliver
):
    fund = giving_fund()
    contribution = give(client, fund, pounds="50")
    session_id = contribution.stripe_checkout_session_id
    completed = fake_stripe.event(
        COMPLETED, fake_stripe.pay_session(session_id, payment_status="unpaid")
    )
    failed = fake_stripe.event(FAILED, fake_stripe.async_fail(session_id))

    deliver(failed)
    deliver(completed)

    contribution.refresh_from_db()
    assert contribution.status == C.FAILED
    assert gifts_received(fund) == []


# ----- refunds ----------------------------------------------------------------------------------


def _paid_gift(client, fake_stripe, deliver, fund, pounds="50"):
    contribution = give(client, fund, pounds=pounds)
    session = fake_stripe.pay_session(contribution.stripe_checkout_session_id)
    deliver(fake_stripe.event(COMPLETED, session))
    contribution.refresh_from_db()
    assert contribution.status == C.RECEIVED
    return contribution


def _refunded(fake_stripe, contribution, amount=None) -> dict:
    """A refund made in Stripe's dashboard, and the charge.refunded event it sends."""
    refund = fake_stripe.refund(contribution.stripe_payment_intent_id, amount)
    return fake_stripe.event("charge.refunded", {"id": refund["charge"], "object": "charge"})


def test_a_partial_then_a_full_refund_each_come_off_the_fund_once(client, fake_stripe, deliver):
    fund = giving_fund()
    budget = fund.budget_pence
    contribution = _paid_gift(client, fake_stripe, deliver, fund)

    partial = _refunded(fake_stripe, contribution, 2000)
    deliver(partial)
    deliver(partial)

    contribution.refresh_from_db()
    assert (contribution.status, contribution.refunded_pence) == (C.RECEIVED, 2000)
    assert refunds(fund) == [2000]

    rest = _refunded(fake_stripe, contribution)
    deliver(rest)
    deliver(rest)
    deliver(partial)

    contribution.refresh_from_db()
    assert (contribution.status, contribution.refunded_pence) == (C.REFUNDED, 5000)
    assert sorted(refunds(fund)) == [2000, 3000]
    assert all(
        entry.external_id == contribution.stripe_payment_intent_id
        for entry in fund.ledger.filter(kind=LedgerKind.REFUND)
    )
    fund.refresh_from_db()
    assert fund.budget_pence == budget
    assert figures_agree_with_ledger(fund)
    assert ledger.raised_from_outside(fund).pence == 0


def test_two_refunds_told_late_and_in_reverse_give_back_exactly_what_was_refunded(
    client, fake_stripe, deliver
):
    fund = giving_fund()
    budget = fund.budget_pence
    contribution = _paid_gift(client, fake_stripe, deliver, fund)
    first = _refunded(fake_stripe, contribution, 1000)
    second = _refunded(fake_stripe, contribution, 1500)

    deliver(second)
    deliver(first)

    contribution.refresh_from_db()
    assert contribution.refunded_pence == 2500
    assert sum(refunds(fund)) == 2500
    fund.refresh_from_db()
    assert fund.budget_pence == budget + 2500


def test_a_refund_the_fund_cannot_cover_is_refused_and_waits_with_its_error(
    client, fake_stripe, deliver, worker_retries
):
    """The gift has been promised to a group: giving it back would leave the award uncovered."""
    fund = giving_fund(budget=90000)
    contribution = _paid_gift(client, fake_stripe, deliver, fund)  # £950 in the fund
    application_in(
        ApplicationStatus.AWARDED,
        application=ApplicationFactory(fund=fund, amount_requested_pence=92000),
    )
    fund.refresh_from_db()
    assert fund.remaining_pence == 3000

    response = deliver(_refunded(fake_stripe, contribution))

    assert response.status_code == 200
    stored = StripeEvent.objects.get(type="charge.refunded")
    assert stored.processed_at is None
    assert re.search(
        r"RefundExceedsRoom: .* has £30\.00 left, not enough for £50\.00", stored.last_error
    )
    contribution.refresh_from_db()
    assert (contribution.status, contribution.refunded_pence) == (C.RECEIVED, 0)
    assert refunds(fund) == []
    fund.refresh_from_db()
    assert fund.committed_pence == 92000 <= fund.budget_pence

    # The council tops the fund up; the waiting event is tried again and goes through.
    from payments.tasks import process_stripe_event
    from tests.factories.grants import FundingSourceFactory

    ledger.allocate(fund=fund, source=FundingSourceFactory(), amount_pence=5000, by=None)
    process_stripe_event.delay(stored.pk)

    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert refunds(fund) == [5000]
    contribution.refresh_from_db()
    assert contribution.status == C.REFUNDED


# ----- the property: exactly once, whatever Stripe does ------------------------------------------

# How a gift's payment can go, and the events Stripe sends, in the order it sends them.
JOURNEYS = {
    "card": ("paid", []),
    "bacs, cleared": ("unpaid", [SUCCEEDED]),
    "bacs, bounced": ("unpaid", [FAILED]),
}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    journey=st.sampled_from(sorted(JOURNEYS)),
    pounds=st.integers(min_value=5, max_value=10000),
    data=st.data(),
)
def test_any_deliveries_of_a_gift_s_events_in_any_order_credit_the_fund_exactly_once(
    client, fake_stripe, deliver, journey, pounds, data
):
    """Stripe may deliver each event late, more than once, and in any order; it delivers each
    at least once. The fund ends credited once with the gift if the money arrived, else never."""
    payment_status, later = JOURNEYS[journey]
    fund = giving_fund()
    budget = fund.budget_pence
    contribution = give(client, fund, pounds=str(pounds))
    session_id = contribution.stripe_checkout_session_id

    completed = fake_stripe.event(
        COMPLETED, fake_stripe.pay_session(session_id, payment_status=payment_status)
    )
    # Some deliveries of `completed` may come before the bank has said anything.
    early = data.draw(st.integers(min_value=0, max_value=2), label="deliveries before the bank")
    for _ in range(early):
        assert deliver(completed).status_code == 200

    sent = {COMPLETED: completed}
    for kind in later:
        clear = fake_stripe.async_succeed if kind == SUCCEEDED else fake_stripe.async_fail
        sent[kind] = fake_stripe.event(kind, clear(session_id))
    extra = data.draw(st.lists(st.sampled_from(sorted(sent)), max_size=4), label="redeliveries")
    owed = [kind for kind in sent if kind not in extra and not (kind == COMPLETED and early)]
    order = data.draw(st.permutations(extra + owed), label="delivery order")
    for kind in order:
        assert deliver(sent[kind]).status_code == 200

    contribution.refresh_from_db()
    fund.refresh_from_db()
    entries = gifts_received(fund)
    if journey == "bacs, bounced":
        assert contribution.status == C.FAILED
        assert entries == []
        assert fund.budget_pence == budget
    else:
        assert contribution.status == C.RECEIVED
        assert [e.amount_pence for e in entries] == [pounds * 100]
        assert fund.budget_pence == budget + pounds * 100
    assert (
        StripeEvent.objects.filter(
            event_id__in=[e["id"] for e in sent.values()], processed_at__isnull=True
        ).count()
        == 0
    )
    assert figures_agree_with_ledger(fund)
