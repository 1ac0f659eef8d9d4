"""The one place Seedbed talks to Stripe. Everything else asks `stripe_client()` for a client, so
tests (and a council's staging site) can point it at another address with `STRIPE_API_BASE`."""

from django.conf import settings

import stripe


class StripeNotConfigured(Exception):
    """No secret key is set: money can still be recorded by hand, but nothing goes to Stripe."""


def stripe_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def webhooks_configured() -> bool:
    return bool(settings.STRIPE_WEBHOOK_SECRET)


def stripe_client() -> stripe.StripeClient:
    if not stripe_configured():
        raise StripeNotConfigured(
            "Set STRIPE_SECRET_KEY (and STRIPE_WEBHOOK_SECRET) to take and send money through Stripe."
        )
    base_addresses = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses,
        # Our own idempotency keys make every retry safe; the library's retries reuse them.
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )
