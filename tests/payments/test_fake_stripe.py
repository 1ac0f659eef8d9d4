"""The fake Stripe server behaves as the real client expects, so payment tests can trust it."""

import pytest
import stripe

from payments.stripe_api import stripe_client
from tests.payments.fake_stripe import parse_stripe_params, stripe_fee
from tests.payments.webhooks import signed_delivery


def _ready_account(fake_stripe) -> str:
    account = stripe_client().v1.accounts.create(params={"type": "express", "country": "GB"})
    fake_stripe.enable_account(account.id)
    return account.id


def _create_transfer(destination: str, key: str = "award-1-payment-1", amount: int = 50000):
    return stripe_client().v1.transfers.create(
        params={
            "amount": amount,
            "currency": "gbp",
            "destination": destination,
            "metadata": {"award": "1"},
        },
        options={"idempotency_key": key},
    )


def test_nested_parameters_parse_as_stripe_reads_them():
    params = parse_stripe_params(
        [
            ("line_items[0][price_data][unit_amount]", "2500"),
            ("line_items[0][quantity]", "2"),
            ("expand[]", "payment_intent"),
            ("metadata[grant]", "7"),
        ]
    )
    assert params == {
        "line_items": [{"price_data": {"unit_amount": "2500"}, "quantity": "2"}],
        "expand": ["payment_intent"],
        "metadata": {"grant": "7"},
    }


def test_checkout_session_created_and_read_back_with_its_payment(fake_stripe):
    client = stripe_client()
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": "gbp",
                        "unit_amount": 2500,
                        "product_data": {"name": "Kitemark fee"},
                    },
                    "quantity": 2,
                }
            ],
            "success_url": "https://seedbed.test/paid",
            "cancel_url": "https://seedbed.test/cancelled",
            "client_reference_id": "kitemark-9",
            "metadata": {"kitemark": "9"},
            "payment_intent_data": {"metadata": {"kitemark": "9"}},
        },
        options={"idempotency_key": "kitemark-9-checkout"},
    )
    assert session.id.startswith("cs_test_")
    assert session.url.endswith(session.id)
    assert (session.amount_total, session.status, session.payment_status) == (
        5000,
        "open",
        "unpaid",
    )
    assert session.payment_intent is None

    fake_stripe.pay_session(session.id)
    paid = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})

    assert (paid.status, paid.payment_status, paid.metadata["kitemark"]) == (
        "complete",
        "paid",
        "9",
    )
    assert paid.payment_intent.id.startswith("pi_")
    assert paid.payment_intent.metadata["kitemark"] == "9"
    [txn] = fake_stripe.balance_transactions.values()
    assert (txn["amount"], txn["fee"], txn["net"]) == (5000, stripe_fee(5000), 5000 - 95)


def test_bacs_payment_completes_unpaid_until_it_clears(fake_stripe):
    session = stripe_client().v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [{"price_data": {"currency": "gbp", "unit_amount": 900}, "quantity": 1}],
            "success_url": "https://seedbed.test/paid",
        }
    )
    assert fake_stripe.pay_session(session.id, payment_status="unpaid")["status"] == "complete"
    assert not fake_stripe.balance_transactions

    assert fake_stripe.async_succeed(session.id)["payment_status"] == "paid"
    assert len(fake_stripe.balance_transactions) == 1


def test_replayed_idempotency_key_returns_the_first_transfer(fake_stripe):
    destination = _ready_account(fake_stripe)

    first = _create_transfer(destination)
    again = _create_transfer(destination)

    assert first.id == again.id and first.id.startswith("tr_")
    assert len(fake_stripe.transfers) == 1
    assert fake_stripe.requests[-1].idempotency_key == "award-1-payment-1"
    assert fake_stripe.requests[-1].params["metadata"] == {"award": "1"}
    with pytest.raises(stripe.IdempotencyError):
        _create_transfer(destination, amount=1)


def test_timeout_after_apply_then_retry_finds_the_same_transfer(fake_stripe):
    destination = _ready_account(fake_stripe)
    fake_stripe.fail_next("POST", "/v1/transfers", "timeout_after_apply")

    with pytest.raises(stripe.APIConnectionError):
        _create_transfer(destination)
    retried = _create_transfer(destination)

    assert list(fake_stripe.transfers) == [retried.id]


def test_server_error_is_not_applied(fake_stripe):
    destination = _ready_account(fake_stripe)
    fake_stripe.fail_next("POST", "/v1/transfers", "500")

    with pytest.raises(stripe.APIError):
        _create_transfer(destination)
    assert not fake_stripe.transfers
    assert _create_transfer(destination).id in fake_stripe.transfers


def test_transfer_needs_a_payable_account(fake_stripe):
    unfinished = stripe_client().v1.accounts.create(params={"type": "express"})

    with pytest.raises(stripe.InvalidRequestError) as missing:
        _create_transfer("acct_missing", key="a")
    with pytest.raises(stripe.InvalidRequestError) as not_enabled:
        _create_transfer(unfinished.id, key="b")

    assert missing.value.code == "resource_missing"
    assert not_enabled.value.code == "insufficient_capabilities_for_transfer"


def test_card_declined_raises_card_error(fake_stripe):
    fake_stripe.fail_next("POST", "/v1/checkout/sessions", "card_declined")

    with pytest.raises(stripe.CardError) as declined:
        stripe_client().v1.checkout.sessions.create(params={"mode": "payment"})

    assert declined.value.code == "card_declined"
    assert not fake_stripe.sessions


def test_balance_transactions_page_and_expand_their_sources(fake_stripe):
    client = stripe_client()
    destination = _ready_account(fake_stripe)
    transfer = _create_transfer(destination)
    client.v1.transfers.reversals.create(transfer.id, params={"amount": 1000})
    fake_stripe.add_balance_transaction(amount=700, created=1, type="charge")

    page = client.v1.balance_transactions.list(
        params={"limit": 1, "created": {"gte": 100}, "expand": ["data.source"]}
    )
    everything = list(page.auto_paging_iter())

    assert page.has_more
    assert [txn.type for txn in everything] == ["transfer_refund", "transfer"]
    assert everything[1].source.id == transfer.id
    assert everything[0].source.object == "transfer_reversal"
    assert fake_stripe.transfers[transfer.id]["amount_reversed"] == 1000


def test_refund_reaches_the_ledger_with_a_negative_amount(fake_stripe):
    session = stripe_client().v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [{"price_data": {"currency": "gbp", "unit_amount": 900}, "quantity": 1}],
            "success_url": "https://seedbed.test/paid",
        }
    )
    intent = fake_stripe.pay_session(session.id)["payment_intent"]

    refund = stripe_client().v1.refunds.create(params={"payment_intent": intent, "amount": 400})

    assert refund.id.startswith("re_")
    refund_txn = fake_stripe.balance_transactions[refund.balance_transaction]
    assert (refund_txn["type"], refund_txn["amount"]) == ("refund", -400)
    page = stripe_client().v1.balance_transactions.list(params={"expand": ["data.source"]})
    charge = next(txn.source for txn in page.data if txn.type == "charge")
    assert charge.payment_intent == intent


def test_signed_delivery_verifies(fake_stripe):
    payload = fake_stripe.event("checkout.session.completed", {"id": "cs_test_1"})

    body, signature = signed_delivery(payload)
    event = stripe.Webhook.construct_event(body, signature, "whsec_test_fake")

    assert event.id == payload["id"] and event.type == "checkout.session.completed"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            body, signed_delivery(payload, secret="whsec_x")[1], "whsec_test_fake"
        )
