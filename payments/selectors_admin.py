"""What the staff admin's money pages show: a run's payments and the actions open to this person,
the finance dashboard, and a fund's match pledges. Reads only: every change goes through
payments.services or grants.ledger."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from django_fsm import can_proceed, has_transition_perm

from core.models import AuditEntry, User
from grants import ledger
from grants.enums import LedgerKind, PayoutMethod, SourceKind
from grants.models import Fund, FundingSource, LedgerEntry, Tranche
from grants.permissions import funds_in_reach
from payments import permissions as rules
from payments.enums import (
    LIVE_PAYMENT_STATUSES,
    ContributionStatus,
    PaymentStatus,
    RunStatus,
)
from payments.models import Payment, PaymentRun
from payments.services import runs

P = PaymentStatus
R = RunStatus

#: Rows per kind of failure on the dashboard; the rest are a filter away.
FAILURES_SHOWN = 50
RECONCILIATIONS_SHOWN = 5


# A run's page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    destination: str
    can_take_out: bool
    can_record_return: bool


def _destination(payment: Payment, method: str) -> str:
    """Where the money goes, masked. Fixed on the payment when the run is approved; until then,
    what the group's records say now."""
    if payment.bank_masked:
        return payment.bank_masked
    organisation = payment.organisation
    if method == PayoutMethod.BACS:
        details = getattr(organisation, "bank_details", None)
        return details.masked if details is not None else "No bank details"
    account = getattr(organisation, "stripe_account", None)
    return f"Stripe {account.stripe_account_id}" if account is not None else "No Stripe account"


def _allowed(transition: Any, user: User) -> bool:
    return can_proceed(transition) and has_transition_perm(transition, user)


def run_payments(run: PaymentRun, user: User) -> dict[str, Any]:
    payments = run.payments.select_related(
        "application", "tranche", "organisation__bank_details", "organisation__stripe_account"
    )
    may_edit = run.status == R.DRAFT and rules.can_prepare_run(run, user)
    may_record_return = rules.can_confirm_bacs_submitted(run, user)
    rows = [
        PaymentRow(
            payment=payment,
            destination=_destination(payment, run.method),
            can_take_out=may_edit and payment.status == P.PENDING,
            can_record_return=may_record_return and payment.status == P.SENT,
        )
        for payment in payments
    ]
    by_status: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        by_status[row.payment.get_status_display()][0] += 1
        by_status[row.payment.get_status_display()][1] += row.payment.amount_pence
    live = [row.payment for row in rows if row.payment.status != P.CANCELLED]
    return {
        "run": run,
        "rows": rows,
        "total_pence": sum(payment.amount_pence for payment in live),
        "payment_count": len(live),
        "by_status": [(label, count, pence) for label, (count, pence) in by_status.items()],
    }


def run_actions(run: PaymentRun, user: User) -> dict[str, Any]:
    """The buttons this person may press on this run now, and why approval is not theirs if not."""
    is_bacs = run.method == PayoutMethod.BACS
    approval_refusal = ""
    may_approve = False
    if run.status == R.AWAITING_APPROVAL:
        approval_refusal = rules.approval_refusal(run, user)
        may_approve = not approval_refusal and can_proceed(run.approve)
    return {
        "run": run,
        "may_submit": _allowed(run.submit_for_approval, user),
        "may_cancel": _allowed(run.cancel, user),
        "may_approve": may_approve,
        "approval_refusal": approval_refusal,
        "may_confirm_sent": is_bacs and _allowed(run.confirm_submitted_to_bank, user),
        "may_download": is_bacs
        and run.status in (R.APPROVED, R.COMPLETED)
        and rules.can_download_bacs_file(run, user),
        "is_bacs": is_bacs,
        "draft_without_payments": run.status == R.DRAFT and not run.has_payments(),
    }


@dataclass(frozen=True)
class HeldTranche:
    tranche: Tranche
    reason: str


def held_back(run: PaymentRun) -> list[HeldTranche]:
    """Tranches due by the run's pay-on date that can't be paid yet, with the reason (the same
    reasons runs.run_prepare gave). Shown while the run is being prepared, so the officer sees
    them clear as groups confirm their details."""
    if run.status != R.DRAFT:
        return []
    held = []
    for tranche in runs.tranches_due(run.fund, by_date=run.pay_on):
        reason = runs.why_not_payable(tranche, run.method)
        if reason:
            held.append(HeldTranche(tranche, reason))
    return held


def run_history(run: PaymentRun) -> QuerySet[AuditEntry]:
    """The run's own entries and its payments' together, newest first."""
    payment_ids = [str(pk) for pk in run.payments.values_list("pk", flat=True)]
    return AuditEntry.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(PaymentRun), object_id=str(run.pk))
        | Q(content_type=ContentType.objects.get_for_model(Payment), object_id__in=payment_ids)
    )


# The finance dashboard ----------------------------------------------------------------------------


@dataclass
class Pledge:
    source_id: int
    source_name: str
    pledged_pence: int = 0
    drawn_pence: int = 0

    @property
    def left_pence(self) -> int:
        return self.pledged_pence - self.drawn_pence


@dataclass
class FundMoney:
    fund: Fund
    raised_pence: int = 0
    funders: int = 0
    public_gifts: int = 0
    runs_by_status: list[tuple[str, str, int]] = field(default_factory=list)
    payments_by_status: list[tuple[str, int, int]] = field(default_factory=list)
    pledges: list[Pledge] = field(default_factory=list)


# The same rule as grants.ledger.raised_from_outside, for every fund in one query: a fund's money
# from anyone but the council. A test keeps the two equal.
OUTSIDE = Q(kind__in=ledger.RAISED_KINDS) | Q(
    kind=LedgerKind.ALLOCATION, source__isnull=False
) & ~Q(source__kind=SourceKind.COUNCIL)


def _raised(funds: list[Fund]) -> dict[int, dict[str, int]]:
    rows = (
        LedgerEntry.objects.filter(fund__in=funds)
        .values("fund")
        .annotate(
            raised=Sum("amount_pence", filter=OUTSIDE),
            refunded=Sum("amount_pence", filter=Q(kind=LedgerKind.REFUND)),
            funders=Count("source", filter=OUTSIDE & Q(source__isnull=False), distinct=True),
            gifts=Count("pk", filter=Q(kind=LedgerKind.CONTRIBUTION_RECEIVED, source__isnull=True)),
        )
        .order_by()
    )
    return {
        row["fund"]: {
            "pence": (row["raised"] or 0) - (row["refunded"] or 0),
            "funders": row["funders"],
            "gifts": row["gifts"],
        }
        for row in rows
    }


def pledges_by_fund(funds: list[Fund] | QuerySet[Fund]) -> dict[int, list[Pledge]]:
    """Each source's match pledge to each fund: pledged, drawn and left (as
    grants.ledger.pledge_left_pence works it out, for many funds at once)."""
    rows = (
        LedgerEntry.objects.filter(
            fund__in=funds, kind__in=[LedgerKind.MATCH_PLEDGED, LedgerKind.MATCH_DRAWN]
        )
        .values("fund", "source", "source__name")
        .annotate(
            pledged=Sum("amount_pence", filter=Q(kind=LedgerKind.MATCH_PLEDGED)),
            drawn=Sum("amount_pence", filter=Q(kind=LedgerKind.MATCH_DRAWN)),
        )
        .order_by("source__name")
    )
    pledges: dict[int, list[Pledge]] = defaultdict(list)
    for row in rows:
        pledges[row["fund"]].append(
            Pledge(
                source_id=row["source"],
                source_name=row["source__name"],
                pledged_pence=row["pledged"] or 0,
                drawn_pence=row["drawn"] or 0,
            )
        )
    return pledges


def _funds_money(user: User) -> list[FundMoney]:
    funds = list(
        funds_in_reach(user).select_related("locality").order_by("-financial_year", "name")
    )
    raised = _raised(funds)
    pledges = pledges_by_fund(funds)
    run_labels = dict(RunStatus.choices)
    payment_labels = dict(PaymentStatus.choices)
    runs_by_status: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for row in (
        rules.runs_in_reach(user)
        .values("fund", "status")
        .annotate(count=Count("pk"))
        .order_by("fund", "status")
    ):
        runs_by_status[row["fund"]].append(
            (row["status"], run_labels.get(row["status"], row["status"]), row["count"])
        )
    payments_by_status: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for row in (
        rules.payments_in_reach(user)
        .values("run__fund", "status")
        .annotate(count=Count("pk"), pence=Sum("amount_pence"))
        .order_by("run__fund", "status")
    ):
        payments_by_status[row["run__fund"]].append(
            (payment_labels.get(row["status"], row["status"]), row["count"], row["pence"] or 0)
        )
    money = []
    for fund in funds:
        figures = raised.get(fund.pk, {"pence": 0, "funders": 0, "gifts": 0})
        money.append(
            FundMoney(
                fund=fund,
                raised_pence=figures["pence"],
                funders=figures["funders"],
                public_gifts=figures["gifts"],
                runs_by_status=runs_by_status.get(fund.pk, []),
                payments_by_status=payments_by_status.get(fund.pk, []),
                pledges=pledges.get(fund.pk, []),
            )
        )
    return money


def _first(queryset: QuerySet, limit: int = FAILURES_SHOWN) -> tuple[list, bool]:
    """Up to `limit` rows, and whether there were more, without counting them all."""
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def failures(user: User) -> dict[str, Any]:
    """What has gone wrong and waits for a person: each list is empty for someone who may not
    see that kind of record."""
    paid_again = Payment.objects.filter(
        tranche=OuterRef("tranche"), status__in=LIVE_PAYMENT_STATUSES
    )
    # A failed or returned payment stops being a failure to act on once its tranche is in a live
    # payment again.
    unpaid = (
        rules.payments_in_reach(user)
        .filter(status__in=[P.FAILED, P.RETURNED])
        .exclude(Exists(paid_again))
        .select_related("run__fund", "application", "organisation")
        .order_by("-run__prepared_at", "pk")
    )
    failed, more_failed = _first(unpaid.filter(status=P.FAILED))
    returned, more_returned = _first(unpaid.filter(status=P.RETURNED))
    held, more_held = _first(
        rules.contributions_in_reach(user)
        .filter(status=ContributionStatus.HELD)
        .select_related("fund")
        .order_by("created_at")
    )
    events, more_events = _first(
        rules.stripe_events_in_reach(user)
        .filter(processed_at__isnull=True)
        .exclude(last_error="")
        .order_by("received_at")
    )
    payouts, more_payouts = _first(
        rules.connected_accounts_in_reach(user)
        .exclude(last_payout_failure="")
        .select_related("organisation")
        .order_by("organisation__name")
    )
    waiting, more_waiting = _first(
        rules.bank_details_in_reach(user)
        .filter(confirmed_at__isnull=True)
        .select_related("organisation")
        .order_by("changed_at")
    )
    return {
        "failed_payments": failed,
        "more_failed_payments": more_failed,
        "returned_payments": returned,
        "more_returned_payments": more_returned,
        "held_contributions": held,
        "more_held_contributions": more_held,
        "stripe_events": events,
        "more_stripe_events": more_events,
        "payout_failures": payouts,
        "more_payout_failures": more_payouts,
        "bank_details_waiting": waiting,
        "more_bank_details_waiting": more_waiting,
        "any": any((failed, returned, held, events, payouts, waiting)),
    }


def dashboard(user: User) -> dict[str, Any]:
    reconciliations = (
        rules.reconciliations_in_reach(user)
        .select_related("ran_by")
        .annotate(item_count=Count("items"))[:RECONCILIATIONS_SHOWN]
    )
    return {
        "funds": _funds_money(user),
        "records_matches": rules.records_matches(user),
        "prepares_runs": rules.prepares_runs(user),
        "sees_contributions": rules.sees_contributions(user),
        "sees_bank_details": rules.sees_bank_details(user),
        "sees_reconciliations": rules.sees_reconciliations(user),
        "reconciliations": list(reconciliations),
        **failures(user),
    }


# A fund's match pledges ---------------------------------------------------------------------------


def match_sources(fund: Fund) -> QuerySet[FundingSource]:
    """The sources that have pledged to match this fund: the ones that can be drawn on."""
    return FundingSource.objects.filter(
        ledger_entries__fund=fund, ledger_entries__kind=LedgerKind.MATCH_PLEDGED
    ).distinct()
