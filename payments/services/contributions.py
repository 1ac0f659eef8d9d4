"""Money in: a gift to a fund through Stripe Checkout, credited once Stripe says it arrived."""

import logging

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

import stripe

from core.messenger import email_send
from core.money import format_pence
from core.workflow import transition_apply
from grants import ledger
from grants.models import Fund, FundingSource
from payments.enums import ContributionStatus as C
from payments.models import Contribution
from payments.stripe_api import stripe_client

logger = logging.getLogger("seedbed.payments")


class CheckoutUnavailable(Exception):
    """Stripe could not be reached or refused: nothing was taken."""


def contribution_start(
    *,
    fund: Fund,
    amount_pence: int,
    name: str,
    email: str,
    source: FundingSource | None = None,
) -> Contribution:
    """Record the intended gift first, so the Checkout session is made from our row, our amount."""
    if not fund.accepts_contributions:
        raise ValueError(f"{fund} does not take gifts online.")
    if not fund.contribution_minimum_pence <= amount_pence <= fund.contribution_maximum_pence:
        raise ValueError("The amount is outside the fund's limits.")
    return Contribution.objects.create(
        fund=fund,
        amount_pence=amount_pence,
        contributor_name=name.strip(),
        contributor_email=email.strip(),
        source=source,
    )


def checkout_open(contribution: Contribution, *, site_root: str) -> str:
    """Create the Stripe Checkout session for a contribution and return where to send the giver.
    The amount is ours, from the database row; nothing from the browser reaches Stripe."""
    thanks = site_root + reverse("payments:thanks", args=[contribution.token])
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "gbp",
                    "unit_amount": contribution.amount_pence,
                    "product_data": {"name": f"A gift to {contribution.fund.name}"},
                },
            }
        ],
        "customer_email": contribution.contributor_email,
        "client_reference_id": str(contribution.token),
        "metadata": {"contribution": str(contribution.pk), "fund": contribution.fund.slug},
        "payment_intent_data": {"metadata": {"contribution": str(contribution.pk)}},
        "success_url": thanks,
        "cancel_url": site_root
        + reverse("payments:give", args=[contribution.fund.slug])
        + "?cancelled=1",
    }
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=params,
            options={"idempotency_key": f"seedbed-contribution-{contribution.pk}-checkout"},
        )
    except stripe.StripeError as exc:
        logger.warning("Checkout could not be opened for contribution %s: %s", contribution.pk, exc)
        raise CheckoutUnavailable(str(exc)) from exc
    transition_apply(contribution, contribution.open_checkout, by=None, session_id=session.id)
    return session.url


def _receipt(contribution: Contribution) -> None:
    context = {"contribution": contribution, "amount": format_pence(contribution.amount_pence)}
    email_send(
        to=contribution.contributor_email,
        subject=" ".join(render_to_string("payments/emails/receipt.subject.txt", context).split()),
        body=render_to_string("payments/emails/receipt.txt", context),
    )
    Contribution.objects.filter(pk=contribution.pk).update(receipt_sent_at=timezone.now())


def contribution_sync(session: dict, *, failed: bool = False) -> Contribution | None:
    """Bring a contribution into line with its Checkout session as Stripe holds it now. Safe to
    call any number of times, in any order: the fund is credited once, when the session is paid."""
    contribution_id = (session.get("metadata") or {}).get("contribution")
    query = Contribution.objects.filter(stripe_checkout_session_id=session["id"])
    if contribution_id and contribution_id.isdigit():
        query = Contribution.objects.filter(pk=int(contribution_id))
    with transaction.atomic():
        # Only the contribution's row: PostgreSQL can't lock the (outer-joined) optional source.
        contribution = (
            query.select_for_update(of=("self",)).select_related("fund", "source").first()
        )
        if contribution is None:
            logger.warning("No contribution for Checkout session %s", session["id"])
            return None
        if contribution.status in (C.RECEIVED, C.HELD, C.REFUNDED, C.FAILED, C.EXPIRED):
            return contribution
        if contribution.status == C.STARTED:
            # Stripe answered before our own request finished saving the session's id.
            transition_apply(
                contribution, contribution.open_checkout, by=None, session_id=session["id"]
            )
        payment_intent = session.get("payment_intent") or ""
        if isinstance(payment_intent, dict):
            payment_intent = payment_intent.get("id", "")
        if session.get("payment_status") in ("paid", "no_payment_required"):
            paid = session.get("amount_total")
            if paid != contribution.amount_pence or session.get("currency") != "gbp":
                logger.error(
                    "Contribution %s: Stripe says %s %s was paid, we asked for %s gbp; held.",
                    contribution.pk,
                    paid,
                    session.get("currency"),
                    contribution.amount_pence,
                )
                transition_apply(
                    contribution,
                    contribution.hold,
                    by=None,
                    reason="The amount paid differs from the amount asked for",
                    payment_intent_id=payment_intent,
                    amount_paid_pence=paid or 0,
                )
                return contribution
            ledger.record_contribution(
                fund=contribution.fund,
                amount_pence=contribution.amount_pence,
                idempotency_key=contribution.ledger_key,
                external_id=payment_intent,
                source=contribution.source,
                memo=f"Gift from {contribution.contributor_name}",
            )
            transition_apply(
                contribution,
                contribution.receive,
                by=None,
                payment_intent_id=payment_intent,
                at=timezone.now(),
            )
            _receipt(contribution)
        elif failed:
            transition_apply(contribution, contribution.fail, by=None, reason="The bank refused")
        elif session.get("status") == "expired":
            transition_apply(contribution, contribution.expire, by=None)
        elif session.get("status") == "complete" and contribution.status == C.CHECKOUT_OPEN:
            transition_apply(contribution, contribution.await_bank, by=None)
    return contribution


def refunds_sync(charge: dict) -> Contribution | None:
    """Record what Stripe has refunded of a gift, however many refund events arrive."""
    payment_intent = charge.get("payment_intent") or ""
    if not payment_intent:
        return None
    with transaction.atomic():
        contribution = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("fund", "source")
            .filter(stripe_payment_intent_id=payment_intent)
            .first()
        )
        if contribution is None or contribution.status not in (C.RECEIVED, C.REFUNDED):
            return contribution
        refunded = min(charge.get("amount_refunded") or 0, contribution.amount_pence)
        more = refunded - contribution.refunded_pence
        if more <= 0:
            return contribution
        ledger.record_refund(
            fund=contribution.fund,
            amount_pence=more,
            idempotency_key=f"contribution-{contribution.pk}-refunded-to-{refunded}",
            external_id=payment_intent,
            source=contribution.source,
            memo=f"Refund to {contribution.contributor_name}",
        )
        contribution.refunded_pence = refunded
        contribution.save(update_fields=["refunded_pence"])
        if refunded == contribution.amount_pence:
            transition_apply(contribution, contribution.refund_fully, by=None)
    return contribution
