"""The only code that moves a fund's money. Each movement appends a ledger entry and moves the
fund's totals in the same transaction, with the fund row locked; the database's check constraints
make over-commitment impossible even for a writer that skipped this module."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, F, Q, Sum, When

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
    LedgerKind.CONTRIBUTION_RECEIVED: {"budget_pence": +1},
    LedgerKind.MATCH_PLEDGED: {},  # a promise, not money: drawing it down moves the budget
    LedgerKind.MATCH_DRAWN: {"budget_pence": +1},
    LedgerKind.REFUND: {"budget_pence": -1},
}

# Money that came from outside the council, for "raised from N funders".
RAISED_KINDS = (LedgerKind.CONTRIBUTION_RECEIVED, LedgerKind.MATCH_DRAWN)
# Money a source put into a fund, whoever the source is.
GIVING_KINDS = (LedgerKind.ALLOCATION, *RAISED_KINDS)


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
    external_id: str = "",
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
        external_id=external_id,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    if EFFECTS[kind]:
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


def record_payment(
    *, tranche: Tranche, by: User | None, memo: str = "", external_id: str = ""
) -> LedgerEntry:
    """A tranche's money left the council. Recording the same sending twice changes nothing; a
    tranche paid again after its money came back is a new sending."""
    application = tranche.application
    with transaction.atomic():
        fund = _lock(application.fund)
        returns = tranche.ledger_entries.filter(kind=LedgerKind.PAYMENT_RETURNED).count()
        key = f"tranche-{tranche.pk}-paid" + (f"-again-{returns}" if returns else "")
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing:
            return existing
        return _append(
            fund,
            LedgerKind.PAYMENT_SENT,
            tranche.amount_pence,
            by=by,
            application=application,
            tranche=tranche,
            memo=memo or f"Payment {tranche.number} to {application.reference}",
            idempotency_key=key,
            external_id=external_id,
        )


def record_return(
    *,
    tranche: Tranche,
    amount_pence: int,
    by: User | None,
    memo: str,
    external_id: str = "",
    idempotency_key: str = "",
) -> LedgerEntry:
    """Money sent for a tranche came back: a bank return (once per sending), or one reversal of a
    transfer (once per reversal, by its own key: a transfer can be reversed in parts)."""
    application = tranche.application
    with transaction.atomic():
        fund = _lock(application.fund)
        sent = tranche.ledger_entries.filter(kind=LedgerKind.PAYMENT_SENT).count()
        key = idempotency_key or f"tranche-{tranche.pk}-returned-{sent}"
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing:
            return existing
        return _append(
            fund,
            LedgerKind.PAYMENT_RETURNED,
            amount_pence,
            by=by,
            application=application,
            tranche=tranche,
            memo=memo,
            idempotency_key=key,
            external_id=external_id,
        )


def _once(
    fund: Fund, kind: str, amount_pence: int, *, idempotency_key: str, **fields
) -> LedgerEntry:
    with transaction.atomic():
        locked = _lock(fund)
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
        entry = _append(locked, kind, amount_pence, idempotency_key=idempotency_key, **fields)
    fund.refresh_from_db(fields=["budget_pence", "committed_pence", "paid_pence"])
    return entry


def record_contribution(
    *,
    fund: Fund,
    amount_pence: int,
    idempotency_key: str,
    external_id: str,
    memo: str,
    source: FundingSource | None = None,
) -> LedgerEntry:
    """Money a funder or a member of the public gave arrived: the fund's budget grows."""
    return _once(
        fund,
        LedgerKind.CONTRIBUTION_RECEIVED,
        amount_pence,
        idempotency_key=idempotency_key,
        external_id=external_id,
        memo=memo,
        source=source,
        by=None,
    )


class RefundExceedsRoom(FundExhausted):
    """A refund would leave the fund holding less than it has promised to groups."""


def record_refund(
    *,
    fund: Fund,
    amount_pence: int,
    idempotency_key: str,
    external_id: str,
    memo: str,
    source: FundingSource | None = None,
) -> LedgerEntry:
    """Money given to the fund was handed back. Refused while the fund's uncommitted money can't
    cover it, so that awards already promised stay covered: someone must release or add money."""
    with transaction.atomic():
        locked = _lock(fund)
        recorded = LedgerEntry.objects.filter(idempotency_key=idempotency_key).exists()
        if not recorded and amount_pence > locked.remaining_pence:
            raise RefundExceedsRoom(locked, amount_pence)
        return _once(
            locked,
            LedgerKind.REFUND,
            amount_pence,
            idempotency_key=idempotency_key,
            external_id=external_id,
            memo=memo,
            source=source,
            by=None,
        )


def pledge_match(
    *, fund: Fund, source: FundingSource, amount_pence: int, by: User, memo: str = ""
) -> LedgerEntry:
    """A funder promises to match up to an amount. Nothing is in the budget until it is drawn."""
    with transaction.atomic():
        locked = _lock(fund)
        return _append(
            locked,
            LedgerKind.MATCH_PLEDGED,
            amount_pence,
            by=by,
            source=source,
            memo=memo or f"{source.name} pledged to match up to {format_pence(amount_pence)}",
        )


class PledgeExhausted(Exception):
    def __init__(self, source: FundingSource, left_pence: int) -> None:
        self.message = f"{source.name} has {format_pence(left_pence)} of its pledge left to draw."
        super().__init__(self.message)


def pledge_left_pence(fund: Fund, source: FundingSource) -> int:
    sums = fund.ledger.filter(source=source).aggregate(
        pledged=Sum("amount_pence", filter=Q(kind=LedgerKind.MATCH_PLEDGED)),
        drawn=Sum("amount_pence", filter=Q(kind=LedgerKind.MATCH_DRAWN)),
    )
    return (sums["pledged"] or 0) - (sums["drawn"] or 0)


def draw_match(
    *, fund: Fund, source: FundingSource, amount_pence: int, by: User, memo: str = ""
) -> LedgerEntry:
    """An officer draws on a funder's pledge: the fund's budget grows, the pledge shrinks."""
    with transaction.atomic():
        locked = _lock(fund)
        left = pledge_left_pence(locked, source)
        if amount_pence > left:
            raise PledgeExhausted(source, left)
        return _append(
            locked,
            LedgerKind.MATCH_DRAWN,
            amount_pence,
            by=by,
            source=source,
            memo=memo or f"Drawn from {source.name}’s match pledge",
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


@dataclass(frozen=True)
class Raised:
    pence: int
    funders: int
    public_gifts: int


def raised_from_outside(fund: Fund) -> Raised:
    """What the fund holds from anyone but the council: funders' allocations, gifts (less
    refunds) and match funding drawn down."""
    from grants.enums import SourceKind

    outside = Q(kind__in=RAISED_KINDS) | Q(kind=LedgerKind.ALLOCATION, source__isnull=False) & ~Q(
        source__kind=SourceKind.COUNCIL
    )
    sums = fund.ledger.aggregate(
        raised=Sum("amount_pence", filter=outside),
        refunded=Sum("amount_pence", filter=Q(kind=LedgerKind.REFUND)),
    )
    entries = fund.ledger.filter(outside)
    return Raised(
        pence=(sums["raised"] or 0) - (sums["refunded"] or 0),
        funders=entries.filter(source__isnull=False).values("source").distinct().count(),
        public_gifts=entries.filter(
            kind=LedgerKind.CONTRIBUTION_RECEIVED, source__isnull=True
        ).count(),
    )


def _net_of_refunds() -> Sum:
    """The sum of money-in entries, a refund counting against it."""
    return Sum(
        Case(
            When(kind=LedgerKind.REFUND, then=-F("amount_pence")),
            default=F("amount_pence"),
            output_field=BigIntegerField(),
        )
    )


def given_by_fund(sources: Iterable[FundingSource]) -> dict[int, int]:
    """What these sources have put into each fund, net of refunds, in pence, by fund id: one
    query whatever the number of funds."""
    rows = (
        LedgerEntry.objects.filter(source__in=sources, kind__in=(*GIVING_KINDS, LedgerKind.REFUND))
        .values("fund_id")
        .annotate(given=_net_of_refunds())
    )
    return {row["fund_id"]: row["given"] or 0 for row in rows}


def budget_by_source(fund: Fund) -> list[tuple[str, int]]:
    """Where the fund's budget came from, largest first, net of refunds, in pence: each source by
    name, and gifts from the public together."""
    budget_kinds = [kind for kind, effects in EFFECTS.items() if "budget_pence" in effects]
    rows = (
        fund.ledger.filter(kind__in=budget_kinds)
        .values("source__name")
        .annotate(pence=_net_of_refunds())
    )
    totals = [(row["source__name"] or "Gifts from the public", row["pence"] or 0) for row in rows]
    return sorted(totals, key=lambda row: (-row[1], row[0]))
