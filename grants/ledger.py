"""The only code that moves a fund's money. Each movement appends a ledger entry and moves the
fund's totals in the same transaction, with the fund row locked; the database's check constraints
make over-commitment impossible even for a writer that skipped this module."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum

from core.models import User
from core.money import format_pence
from grants.enums import LedgerKind
from grants.models import Application, Fund, FundingSource, LedgerEntry, Tranche


class FundExhausted(Exception):
    def __init__(self, fund: Fund, amount_pence: int) -> None:
        self.fund = fund
        self.amount_pence = amount_pence
        self.message = (
            f"{fund.name} has {format_pence(max(fund.remaining_pence, 0))} left, "
            f"not enough for {format_pence(amount_pence)}."
        )
        super().__init__(self.message)


# How each kind of entry moves the fund's three totals.
EFFECTS: dict[str, dict[str, int]] = {
    LedgerKind.ALLOCATION: {"budget_pence": +1},
    LedgerKind.AWARD_COMMITTED: {"committed_pence": +1},
    LedgerKind.COMMITMENT_RELEASED: {"committed_pence": -1},
    LedgerKind.PAYMENT_SENT: {"paid_pence": +1},
    LedgerKind.PAYMENT_RETURNED: {"paid_pence": -1},
}


def _lock(fund: Fund) -> Fund:
    return Fund.objects.select_for_update().get(pk=fund.pk)


def _append(
    fund: Fund,
    kind: str,
    amount_pence: int,
    *,
    by: User | None,
    application: Application | None = None,
    source: FundingSource | None = None,
    tranche: Tranche | None = None,
    memo: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    if amount_pence <= 0:
        raise ValueError("A ledger entry moves a positive amount; its kind gives the direction.")
    entry = LedgerEntry.objects.create(
        fund=fund,
        kind=kind,
        amount_pence=amount_pence,
        application=application,
        source=source,
        tranche=tranche,
        memo=memo,
        idempotency_key=idempotency_key,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    Fund.objects.filter(pk=fund.pk).update(
        **{total: F(total) + sign * amount_pence for total, sign in EFFECTS[kind].items()}
    )
    fund.refresh_from_db(fields=["budget_pence", "committed_pence", "paid_pence"])
    return entry


def allocate(
    *,
    fund: Fund,
    source: FundingSource,
    amount_pence: int,
    by: User | None,
    memo: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Money a source has put into the fund's budget."""
    with transaction.atomic():
        locked = _lock(fund)
        if idempotency_key:
            existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
            if existing:
                return existing
        entry = _append(
            locked,
            LedgerKind.ALLOCATION,
            amount_pence,
            by=by,
            source=source,
            memo=memo,
            idempotency_key=idempotency_key,
        )
    fund.refresh_from_db(fields=["budget_pence", "committed_pence", "paid_pence"])
    return entry


def commit_award(*, application: Application, amount_pence: int, by: User | None) -> LedgerEntry:
    """Set money aside for an award, or refuse if the fund cannot cover it. Call inside the same
    transaction as the award itself, so that one never happens without the other."""
    with transaction.atomic():
        fund = _lock(application.fund)
        if amount_pence > fund.remaining_pence:
            raise FundExhausted(fund, amount_pence)
        try:
            with transaction.atomic():
                return _append(
                    fund,
                    LedgerKind.AWARD_COMMITTED,
                    amount_pence,
                    by=by,
                    application=application,
                    memo=f"Award to {application.reference}",
                )
        except IntegrityError as exc:  # the constraint, if a writer raced past the lock
            raise FundExhausted(fund, amount_pence) from exc


def release_commitment(
    *, application: Application, amount_pence: int, by: User | None, memo: str
) -> LedgerEntry | None:
    if amount_pence <= 0:
        return None
    with transaction.atomic():
        fund = _lock(application.fund)
        return _append(
            fund,
            LedgerKind.COMMITMENT_RELEASED,
            amount_pence,
            by=by,
            application=application,
            memo=memo,
        )


def record_payment(*, tranche: Tranche, by: User | None, memo: str = "") -> LedgerEntry:
    application = tranche.application
    with transaction.atomic():
        fund = _lock(application.fund)
        return _append(
            fund,
            LedgerKind.PAYMENT_SENT,
            tranche.amount_pence,
            by=by,
            application=application,
            tranche=tranche,
            memo=memo or f"Payment {tranche.number} to {application.reference}",
            idempotency_key=f"tranche-{tranche.pk}-paid",
        )


def outstanding_commitment_pence(application: Application) -> int:
    """What is still set aside for an award: committed less released less paid."""
    sums = application.ledger_entries.aggregate(
        committed=Sum("amount_pence", filter=Q(kind=LedgerKind.AWARD_COMMITTED)),
        released=Sum("amount_pence", filter=Q(kind=LedgerKind.COMMITMENT_RELEASED)),
        paid=Sum("amount_pence", filter=Q(kind=LedgerKind.PAYMENT_SENT)),
        returned=Sum("amount_pence", filter=Q(kind=LedgerKind.PAYMENT_RETURNED)),
    )
    committed = (sums["committed"] or 0) - (sums["released"] or 0)
    paid = (sums["paid"] or 0) - (sums["returned"] or 0)
    return committed - paid


@dataclass(frozen=True)
class FundTotals:
    budget_pence: int
    committed_pence: int
    paid_pence: int

    @property
    def remaining_pence(self) -> int:
        return self.budget_pence - self.committed_pence


def totals_from_ledger(fund: Fund) -> FundTotals:
    """The fund's figures worked out from its entries alone: what the stored totals must equal."""
    by_kind = dict(fund.ledger.values_list("kind").annotate(total=Sum("amount_pence")).order_by())
    totals = {"budget_pence": 0, "committed_pence": 0, "paid_pence": 0}
    for kind, amount in by_kind.items():
        for total, sign in EFFECTS[kind].items():
            totals[total] += sign * amount
    return FundTotals(**totals)
