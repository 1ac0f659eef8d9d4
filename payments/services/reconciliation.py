"""Compare the ledger with Stripe's balance transactions. Reports every difference; changes
nothing: a person decides what each one means and records any correction as a new entry.

Items are matched by what ties the two sides together: a gift by its payment intent (its charge
and any refunds), a payment by its transfer (and any reversal). Both sides are read a day beyond
the period so that an item recorded either side of midnight still finds its partner; only
differences whose own date falls in the period are reported.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

import stripe

from core.models import User
from core.money import format_pence
from grants.enums import LedgerKind
from grants.models import LedgerEntry
from payments.enums import ReconciliationKind as K
from payments.models import Reconciliation, ReconciliationItem
from payments.stripe_api import stripe_client

logger = logging.getLogger("seedbed.payments")

# How each ledger kind shows in Stripe's balance: money in is positive, money out negative.
LEDGER_SIGN = {
    LedgerKind.CONTRIBUTION_RECEIVED: +1,
    LedgerKind.REFUND: -1,
    LedgerKind.PAYMENT_SENT: -1,
    LedgerKind.PAYMENT_RETURNED: +1,
}
STRIPE_MONEY_IN = {"charge", "payment"}
STRIPE_REFUNDS = {"refund", "payment_refund"}
STRIPE_TRANSFERS = {"transfer"}
STRIPE_REVERSALS = {"transfer_refund", "transfer_cancel", "transfer_failure"}
STRIPE_PAYOUTS = {"payout", "payout_cancel", "payout_failure"}
STRIPE_FEES = {"stripe_fee", "application_fee", "tax_fee"}


@dataclass
class Side:
    pence: int = 0
    entries: list = field(default_factory=list)
    dates: list = field(default_factory=list)
    fund_id: int | None = None


def _london_bounds(date_from: datetime.date, date_to: datetime.date, pad_days: int):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(
        date_from - datetime.timedelta(days=pad_days), datetime.time.min, tz
    )
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=pad_days), datetime.time.max, tz
    )
    return start, end


def _source_key(txn: dict) -> tuple[str, str] | None:
    source = txn.get("source")
    kind = txn.get("type", "")
    if isinstance(source, str):
        source = {"id": source}
    source = source or {}
    if kind in STRIPE_MONEY_IN | STRIPE_REFUNDS:
        intent = source.get("payment_intent")
        return ("gift", intent) if intent else None
    if kind in STRIPE_TRANSFERS:
        return ("payment", source.get("id", ""))
    if kind in STRIPE_REVERSALS:
        transfer = source.get("transfer")
        if isinstance(transfer, dict):
            transfer = transfer.get("id")
        return ("payment", transfer) if transfer else None
    return None


def _ledger_key(entry: LedgerEntry, transfer_of_reversal: dict[str, str]) -> tuple[str, str]:
    if entry.kind in (LedgerKind.CONTRIBUTION_RECEIVED, LedgerKind.REFUND):
        return ("gift", entry.external_id)
    if entry.kind == LedgerKind.PAYMENT_RETURNED:
        return ("payment", transfer_of_reversal.get(entry.external_id, entry.external_id))
    return ("payment", entry.external_id)


def reconcile(
    *, date_from: datetime.date, date_to: datetime.date, by: User | None = None
) -> Reconciliation:
    """Run one comparison and store what it found."""
    start, end = _london_bounds(date_from, date_to, pad_days=1)
    in_period_start, in_period_end = _london_bounds(date_from, date_to, pad_days=0)
    try:
        stripe_txns = [
            txn.to_dict()
            for txn in stripe_client()
            .v1.balance_transactions.list(
                params={
                    "created": {"gte": int(start.timestamp()), "lte": int(end.timestamp())},
                    "limit": 100,
                    "expand": ["data.source"],
                }
            )
            .auto_paging_iter()
        ]
    except stripe.StripeError as exc:
        logger.error("Reconciliation could not read Stripe: %s", exc)
        return Reconciliation.objects.create(
            period_from=date_from, period_to=date_to, ran_by=by, failed=str(exc)[:300]
        )

    stripe_side: dict[tuple[str, str], Side] = defaultdict(Side)
    ledger_side: dict[tuple[str, str], Side] = defaultdict(Side)
    fees = payouts = 0
    unrecognised: list[dict] = []
    transfer_of_reversal: dict[str, str] = {}
    for txn in stripe_txns:
        created = datetime.datetime.fromtimestamp(txn["created"], tz=datetime.UTC)
        kind = txn.get("type", "")
        if in_period_start <= created <= in_period_end:
            fees += txn.get("fee", 0) if kind not in STRIPE_FEES else -txn.get("amount", 0)
            if kind in STRIPE_PAYOUTS:
                payouts += -txn.get("amount", 0)
        if kind in STRIPE_PAYOUTS | STRIPE_FEES:
            continue
        key = _source_key(txn)
        if key is None:
            if in_period_start <= created <= in_period_end:
                unrecognised.append(txn)
            continue
        if kind in STRIPE_REVERSALS and isinstance(txn.get("source"), dict):
            transfer_of_reversal[txn["source"].get("id", "")] = key[1]
        side = stripe_side[key]
        side.pence += txn.get("amount", 0)
        side.entries.append(txn)
        side.dates.append(created)

    entries = LedgerEntry.objects.filter(
        kind__in=LEDGER_SIGN, recorded_at__range=(start, end)
    ).exclude(external_id="")
    for entry in entries:
        side = ledger_side[_ledger_key(entry, transfer_of_reversal)]
        side.pence += LEDGER_SIGN[entry.kind] * entry.amount_pence
        side.entries.append(entry)
        side.dates.append(entry.recorded_at)
        side.fund_id = entry.fund_id

    def in_period(*sides: Side) -> bool:
        return any(in_period_start <= d <= in_period_end for s in sides for d in s.dates)

    items: list[ReconciliationItem] = []
    matched = 0
    for key in sorted(set(stripe_side) | set(ledger_side)):
        ours, theirs = ledger_side.get(key), stripe_side.get(key)
        if not in_period(*(s for s in (ours, theirs) if s)):
            continue
        reference = key[1]
        if theirs is None:
            items.append(
                ReconciliationItem(
                    kind=K.MISSING_FROM_STRIPE,
                    stripe_reference=reference,
                    fund_id=ours.fund_id,
                    ledger_pence=ours.pence,
                    description=f"Our ledger has {format_pence(abs(ours.pence))} for {reference}; "
                    "Stripe has nothing.",
                )
            )
        elif ours is None:
            items.append(
                ReconciliationItem(
                    kind=K.MISSING_FROM_LEDGER,
                    stripe_reference=reference,
                    stripe_pence=theirs.pence,
                    description=f"Stripe has {format_pence(abs(theirs.pence))} for {reference}; "
                    "our ledger has nothing.",
                )
            )
        elif ours.pence != theirs.pence:
            types = [t.get("type") for t in theirs.entries]
            kinds = [e.kind for e in ours.entries]
            duplicated = any(types.count(t) > 1 for t in set(types)) or any(
                kinds.count(k) > 1 for k in set(kinds)
            )
            items.append(
                ReconciliationItem(
                    kind=K.DUPLICATED if duplicated else K.AMOUNT_DIFFERS,
                    stripe_reference=reference,
                    fund_id=ours.fund_id,
                    ledger_pence=ours.pence,
                    stripe_pence=theirs.pence,
                    description=(
                        f"{reference} is recorded more than once: "
                        if duplicated
                        else f"{reference} differs: "
                    )
                    + f"ledger {format_pence(abs(ours.pence))}, Stripe "
                    f"{format_pence(abs(theirs.pence))}.",
                )
            )
        else:
            matched += 1
    for txn in unrecognised:
        items.append(
            ReconciliationItem(
                kind=K.UNRECOGNISED,
                stripe_reference=txn.get("id", ""),
                stripe_pence=txn.get("amount", 0),
                description=f"Stripe's {txn.get('type', 'transaction')} {txn.get('id', '')} of "
                f"{format_pence(abs(txn.get('amount', 0)))} matches nothing of ours.",
            )
        )
    with transaction.atomic():
        result = Reconciliation.objects.create(
            period_from=date_from,
            period_to=date_to,
            ran_by=by,
            stripe_items=sum(
                1 for t in stripe_txns if t.get("type") not in STRIPE_PAYOUTS | STRIPE_FEES
            ),
            ledger_items=len(entries),
            matched_items=matched,
            fees_pence=fees,
            payouts_to_council_pence=payouts,
        )
        for item in items:
            item.reconciliation = result
        ReconciliationItem.objects.bulk_create(items)
    if items:
        logger.error(
            "Reconciliation %s to %s found %d difference(s) with Stripe",
            date_from,
            date_to,
            len(items),
        )
        _tell_finance(result)
    return result


def _tell_finance(result: Reconciliation) -> None:
    from django.urls import reverse

    from core.messenger import message_send

    finance = User.objects.filter(is_active=True, groups__policy__slug="finance_officer").distinct()
    for officer in finance:
        message_send(
            recipient=officer,
            kind="reconciliation",
            template="payments/emails/reconciliation_differences",
            context={"reconciliation": result, "count": result.items.count()},
            link=reverse("payments_admin:reconciliation", args=[result.pk]),
        )
