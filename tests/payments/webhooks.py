"""Build webhook deliveries signed the way Stripe signs them."""

import json

import stripe

TEST_WEBHOOK_SECRET = "whsec_test_fake"


def signed_delivery(
    payload: dict, *, secret: str = TEST_WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, str]:
    """The request body and its `Stripe-Signature` header for a webhook delivery.

    Pass an old `timestamp` to test the replay tolerance, or another `secret` to forge one.
    """
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return body.encode(), header
