"""Stripe's webhooks: verified, stored once, answered at once, processed by a worker.

Handlers never trust the event's copy of an object: they read the object from Stripe as it is now,
so duplicate, late and out-of-order deliveries all end in the state one in-order delivery gives.
"""

import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

import stripe

from core.audit import audit_record
from core.models import User
from core.models.audit import AuditAction
from core.outbox import enqueue_after_commit
from payments.models import ConnectedAccount, Payment, StripeEvent
from payments.services import contributions, runs
from payments.stripe_api import stripe_client

logger = logging.getLogger("seedbed.payments")
security = logging.getLogger("seedbed.security")

# Stripe's clock and ours may differ a little; a delivery signed further ahead than this is refused.
FUTURE_ALLOWANCE_SECONDS = 60


class DeliveryRefused(Exception):
    """The delivery is not from Stripe, or not fresh: answered 400, nothing stored."""


def _signed_at(header: str) -> int | None:
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value)
    return None


def delivery_verify(payload: bytes, header: str | None) -> stripe.Event:
    """Check a delivery's signature and freshness. stripe-python refuses old signatures but not
    ones from the future, which a captured-and-replayed delivery with a forged clock would use."""
    tolerance = settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
    try:
        event = stripe.Webhook.construct_event(
            payload, header, settings.STRIPE_WEBHOOK_SECRET, tolerance=tolerance
        )
    except (ValueError, stripe.SignatureVerificationError) as exc:
        security.warning("Stripe webhook refused: %s", exc)
        raise DeliveryRefused(str(exc)) from exc
    signed_at = _signed_at(header or "")
    if signed_at is None or signed_at > time.time() + FUTURE_ALLOWANCE_SECONDS:
        security.warning("Stripe webhook refused: signed in the future (t=%s)", signed_at)
        raise DeliveryRefused("Timestamp in the future")
    return event


def event_store(event: stripe.Event) -> tuple[StripeEvent, bool]:
    """Keep the event once by its id and queue its processing after commit. A second delivery,
    even one arriving at the same moment, finds the first and queues nothing."""
    payload = event.to_dict()
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                event_id=event.id,
                type=event.type,
                account=payload.get("account") or "",
                created=datetime.datetime.fromtimestamp(event.created, tz=datetime.UTC),
                payload=payload,
            )
            from payments.tasks import process_stripe_event

            enqueue_after_commit(process_stripe_event, stored.pk)
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event.id), False
    return stored, True


def _checkout(event: StripeEvent) -> None:
    session = stripe_client().v1.checkout.sessions.retrieve(event.data_object["id"])
    contributions.contribution_sync(
        session.to_dict(), failed=event.type == "checkout.session.async_payment_failed"
    )


def _charge_refunded(event: StripeEvent) -> None:
    charge = stripe_client().v1.charges.retrieve(event.data_object["id"])
    contributions.refunds_sync(charge.to_dict())


def _account_updated(event: StripeEvent) -> None:
    account_id = event.data_object["id"]
    if not ConnectedAccount.objects.filter(stripe_account_id=account_id).exists():
        return
    account = stripe_client().v1.accounts.retrieve(account_id).to_dict()
    connect_sync(account)


def connect_sync(account: dict) -> None:
    requirements = (account.get("requirements") or {}).get("currently_due") or []
    ConnectedAccount.objects.filter(stripe_account_id=account["id"]).update(
        details_submitted=bool(account.get("details_submitted")),
        charges_enabled=bool(account.get("charges_enabled")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        requirements_due=list(requirements),
        updated_at=timezone.now(),
    )


def _payment_for_transfer(transfer: dict) -> Payment | None:
    payment = Payment.objects.filter(stripe_transfer_id=transfer["id"]).first()
    if payment is None:
        payment_id = (transfer.get("metadata") or {}).get("payment", "")
        if payment_id.isdigit():
            payment = Payment.objects.filter(pk=int(payment_id)).first()
    return payment


def _transfer(event: StripeEvent) -> None:
    transfer = stripe_client().v1.transfers.retrieve(event.data_object["id"]).to_dict()
    payment = _payment_for_transfer(transfer)
    if payment is None:
        logger.warning("Transfer %s is not one of our payments", transfer["id"])
        return
    # Our own request may not have heard Stripe's answer: the transfer exists, so it was sent.
    payment = runs.transfer_confirmed(payment.pk, transfer["id"])
    if transfer.get("amount_reversed"):
        runs.reversals_sync(payment.pk, transfer)


def _payout(event: StripeEvent) -> None:
    """A group's own payout from its Stripe balance to its bank. Not our money any more, but a
    failed one means the group has not got its grant: officers are told."""
    if not event.account:
        return
    payout = event.data_object
    ConnectedAccount.objects.filter(stripe_account_id=event.account).update(
        last_payout_status=payout.get("status", ""),
        last_payout_failure=(payout.get("failure_message") or "")[:300]
        if event.type == "payout.failed"
        else "",
    )


HANDLERS: dict[str, Callable[[StripeEvent], None]] = {
    "checkout.session.completed": _checkout,
    "checkout.session.async_payment_succeeded": _checkout,
    "checkout.session.async_payment_failed": _checkout,
    "checkout.session.expired": _checkout,
    "charge.refunded": _charge_refunded,
    "account.updated": _account_updated,
    "transfer.created": _transfer,
    "transfer.updated": _transfer,
    "transfer.reversed": _transfer,
    "payout.paid": _payout,
    "payout.failed": _payout,
}


def event_process(event_id: int) -> bool:
    """Apply a stored event once. Returns False if it was already processed."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_id)
        if event.processed_at is not None:
            return False
        StripeEvent.objects.filter(pk=event.pk).update(attempts=event.attempts + 1)
    handler = HANDLERS.get(event.type)
    try:
        if handler is not None:
            handler(event)
    except Exception as exc:
        StripeEvent.objects.filter(pk=event.pk).update(last_error=f"{type(exc).__name__}: {exc}")
        raise
    StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), last_error=""
    )
    return True


def event_retry(event: StripeEvent, *, by: User) -> None:
    """An officer asks for an event that failed to be processed again, after commit; safe to
    repeat, since event_process does nothing to an event already processed."""
    from payments.tasks import process_stripe_event

    with transaction.atomic():
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=event, detail={"asked": "process again"}
        )
        enqueue_after_commit(process_stripe_event, event.pk)
