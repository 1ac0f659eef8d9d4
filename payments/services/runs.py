"""Money out: payment runs, prepared by one person, approved by another, paid exactly once."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

import stripe

from core.models import User
from core.money import format_pence
from core.outbox import enqueue_after_commit
from core.workflow import TransitionRefused, transition_apply
from grants import ledger
from grants.enums import ApplicationStatus, PayoutMethod, TrancheStatus
from grants.models import Fund, Tranche
from grants.services.awards import payment_record
from payments.bacs import BacsInstruction, BacsOriginator, bacs_csv, bacs_standard18
from payments.enums import LIVE_PAYMENT_STATUSES
from payments.enums import PaymentStatus as P
from payments.enums import RunStatus as R
from payments.models import BankDetails, ConnectedAccount, Payment, PaymentRun
from payments.permissions import approval_refusal, can_prepare_run
from payments.stripe_api import stripe_client

logger = logging.getLogger("seedbed.payments")


@dataclass(frozen=True)
class Held:
    tranche: Tranche
    reason: str


def tranches_due(fund: Fund, *, by_date: datetime.date) -> QuerySet[Tranche]:
    """Unpaid tranches of accepted agreements, due by the date, not already in a live payment."""
    live = Payment.objects.filter(tranche=OuterRef("pk"), status__in=LIVE_PAYMENT_STATUSES)
    return (
        Tranche.objects.filter(
            application__fund=fund,
            application__status__in=[
                ApplicationStatus.AGREEMENT_ACCEPTED,
                ApplicationStatus.PAID,
                ApplicationStatus.MONITORING,
            ],
            status=TrancheStatus.SCHEDULED,
            due_on__lte=by_date,
        )
        .exclude(Exists(live))
        .select_related("application__organisation")
        .order_by("due_on", "application__reference", "number")
    )


def why_not_payable(tranche: Tranche, method: str) -> str:
    organisation = tranche.application.organisation
    if method == PayoutMethod.BACS:
        details = BankDetails.objects.filter(organisation=organisation).first()
        if details is None:
            return "No bank details yet."
        if not details.confirmed:
            return "Bank details changed and not yet confirmed by an officer."
        return ""
    account = ConnectedAccount.objects.filter(organisation=organisation).first()
    if account is None:
        return "The group hasn’t set up its Stripe account."
    if not account.ready:
        return "The group’s Stripe account can’t receive payments yet."
    return ""


def _next_reference(fund: Fund) -> str:
    year = timezone.localdate().year
    count = PaymentRun.objects.filter(reference__startswith=f"PR-{year}-").count()
    return f"PR-{year}-{count + 1:04d}"


def _run_create(*, fund: Fund, **fields) -> PaymentRun:
    """A new run under the next free reference. Runs for two funds prepared at the same moment
    would take the same number: the later waits for the first to commit, then takes the next."""
    attempts = 5
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return PaymentRun.objects.create(
                    reference=_next_reference(fund), fund=fund, **fields
                )
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def run_prepare(*, fund: Fund, by: User, pay_on: datetime.date) -> tuple[PaymentRun, list[Held]]:
    """Gather every tranche due by `pay_on` that can be paid into a new draft run; say why any
    other is held back. A tranche already in another live run is never taken twice (a database
    constraint, should two people prepare runs at the same moment)."""
    probe = PaymentRun(fund=fund, prepared_by=by)
    if not can_prepare_run(probe, by):
        raise TransitionRefused("You don’t have permission to prepare payment runs.", status=403)
    held: list[Held] = []
    with transaction.atomic():
        Fund.objects.select_for_update().get(pk=fund.pk)  # one preparer per fund at a time
        run = _run_create(fund=fund, method=fund.payout_method, pay_on=pay_on, prepared_by=by)
        for tranche in tranches_due(fund, by_date=pay_on):
            reason = why_not_payable(tranche, run.method)
            if reason:
                held.append(Held(tranche, reason))
                continue
            try:
                with transaction.atomic():
                    Payment.objects.create(
                        run=run,
                        tranche=tranche,
                        application=tranche.application,
                        organisation=tranche.application.organisation,
                        amount_pence=tranche.amount_pence,
                    )
            except IntegrityError:
                held.append(Held(tranche, "Already in another payment run."))
    return run, held


def run_submit(run: PaymentRun, *, by: User) -> PaymentRun:
    return transition_apply(run, run.submit_for_approval, by=by)


def run_cancel(run: PaymentRun, *, by: User, reason: str) -> PaymentRun:
    with transaction.atomic():
        transition_apply(run, run.cancel, by=by, reason=reason)
        for payment in run.payments.filter(status=P.PENDING):
            transition_apply(payment, payment.take_out, by=None, reason="The run was cancelled")
    return run


def payment_take_out(payment: Payment, *, by: User, reason: str) -> Payment:
    if payment.run.status != R.DRAFT:
        raise TransitionRefused("Payments can only be taken out of a run being prepared.")
    return transition_apply(payment, payment.take_out, by=by, reason=reason)


def run_approve(run: PaymentRun, *, by: User) -> PaymentRun:
    """The second person's approval. A Stripe run starts paying once this commits."""
    refusal = approval_refusal(run, by)
    if refusal:
        raise TransitionRefused(refusal, status=403)
    from payments.tasks import send_transfer

    with transaction.atomic():
        transition_apply(run, run.approve, by=by, approved_by=by, at=timezone.now())
        for payment in run.payments.filter(status=P.PENDING):
            payment.bank_masked = _masked_destination(payment, run.method)
            payment.save(update_fields=["bank_masked"])
            transition_apply(payment, payment.start_sending, by=None)
            if run.method == PayoutMethod.STRIPE_CONNECT:
                enqueue_after_commit(send_transfer, payment.pk)
    return run


def _masked_destination(payment: Payment, method: str) -> str:
    if method == PayoutMethod.BACS:
        details = BankDetails.objects.filter(organisation_id=payment.organisation_id).first()
        return details.masked if details else ""
    account = ConnectedAccount.objects.filter(organisation_id=payment.organisation_id).first()
    return f"Stripe {account.stripe_account_id}" if account else ""


def _paid(payment: Payment, *, by: User | None, external_id: str) -> None:
    """Mark the tranche paid and the money out in the ledger, in the caller's transaction."""
    tranche = payment.tranche
    recorder = by or payment.run.approved_by
    payment_record(
        tranche=tranche,
        by=recorder,
        reference=external_id or payment.bacs_reference,
        external_id=external_id,
    )


def transfer_send(payment_id: int) -> Payment:
    """Send one approved payment as a Stripe transfer. The idempotency key comes from our own row,
    saved before the call, so a retry after a lost answer is the same request to Stripe: one
    transfer, however many times this runs or however many workers run it at once."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("run").get(pk=payment_id)
        if payment.status != P.SENDING:
            return payment
        payment.transfer_attempts += 1
        account = ConnectedAccount.objects.filter(organisation_id=payment.organisation_id).first()
        payment.stripe_destination = account.stripe_account_id if account else ""
        payment.save(update_fields=["transfer_attempts", "stripe_destination"])
    if account is None or not account.ready:
        return payment_fail(payment_id, "The group’s Stripe account can’t receive payments.")
    try:
        transfer = stripe_client().v1.transfers.create(
            params={
                "amount": payment.amount_pence,
                "currency": "gbp",
                "destination": account.stripe_account_id,
                "transfer_group": payment.run.reference,
                "description": f"Grant {payment.application.reference} payment "
                f"{payment.tranche.number}",
                "metadata": {"payment": str(payment.pk), "run": payment.run.reference},
            },
            options={"idempotency_key": payment.idempotency_key},
        )
    except (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError) as exc:
        # Stripe understood and refused: retrying the same request would be refused again.
        return payment_fail(payment_id, getattr(exc, "user_message", None) or str(exc))
    return transfer_confirmed(payment_id, transfer.id)


def transfer_confirmed(payment_id: int, transfer_id: str) -> Payment:
    """Stripe says the transfer exists (its answer, or its transfer.created event)."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("run", "tranche__application")
            .get(pk=payment_id)
        )
        if payment.status in (P.SENDING, P.FAILED):
            transition_apply(
                payment, payment.mark_sent, by=None, at=timezone.now(), transfer_id=transfer_id
            )
            _paid(payment, by=None, external_id=transfer_id)
        _complete_if_settled(payment.run)
    return payment


def payment_fail(payment_id: int, reason: str) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("run").get(pk=payment_id)
        if payment.status in (P.PENDING, P.SENDING):
            transition_apply(
                payment, payment.mark_failed, by=None, reason=reason, failure_reason=reason
            )
        _complete_if_settled(payment.run)
    logger.warning("Payment %s failed: %s", payment_id, reason)
    return payment


def payment_return(
    payment: Payment,
    *,
    by: User | None,
    reason: str,
    amount_pence: int | None = None,
    external_id: str = "",
) -> Payment:
    """Money sent came back: a BACS return from the bank, or a reversed transfer. The tranche is
    due again and can go in a later run."""
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update()
            .select_related("tranche__application__fund", "run")
            .get(pk=payment.pk)
        )
        if locked.status != P.SENT:
            return locked
        transition_apply(
            locked,
            locked.mark_returned,
            by=by,
            reason=reason,
            failure_reason=reason,
            at=timezone.now(),
        )
        tranche = Tranche.objects.select_for_update().get(pk=locked.tranche_id)
        ledger.record_return(
            tranche=tranche,
            amount_pence=amount_pence or locked.amount_pence,
            by=by,
            memo=f"Returned: {reason}"[:300],
            external_id=external_id,
        )
        tranche.status = TrancheStatus.SCHEDULED
        tranche.paid_at = None
        tranche.save(update_fields=["status", "paid_at"])
    return locked


def reversals_sync(payment_id: int, transfer: dict) -> Payment:
    """Enter each reversal of a payment's transfer once, as Stripe lists them now. Reversed in
    full, the payment is returned and its tranche due again; in part, it stays sent and says how
    much came back, for an officer to decide what the group is still owed."""
    reversals = (transfer.get("reversals") or {}).get("data") or []
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("tranche__application__fund", "run")
            .get(pk=payment_id)
        )
        if payment.status != P.SENT:
            return payment
        tranche = Tranche.objects.select_for_update().get(pk=payment.tranche_id)
        for reversal in reversals:
            ledger.record_return(
                tranche=tranche,
                amount_pence=reversal["amount"],
                by=None,
                memo="Stripe transfer reversed",
                external_id=reversal["id"],
                idempotency_key=f"stripe-reversal-{reversal['id']}",
            )
        reversed_pence = sum(reversal["amount"] for reversal in reversals)
        if reversed_pence >= payment.amount_pence:
            transition_apply(
                payment,
                payment.mark_returned,
                by=None,
                reason="The transfer was reversed",
                failure_reason="The transfer was reversed",
                at=timezone.now(),
            )
            tranche.status = TrancheStatus.SCHEDULED
            tranche.paid_at = None
            tranche.save(update_fields=["status", "paid_at"])
        elif reversed_pence:
            payment.failure_reason = (
                f"{format_pence(reversed_pence)} of {format_pence(payment.amount_pence)} was "
                "reversed: decide what the group is still owed."
            )
            payment.save(update_fields=["failure_reason"])
    return payment


def _complete_if_settled(run: PaymentRun) -> None:
    run.refresh_from_db()
    if run.status == R.APPROVED and run.method == PayoutMethod.STRIPE_CONNECT and run.all_settled():
        transition_apply(run, run.complete, by=None, at=timezone.now())


def bacs_submitted(run: PaymentRun, *, by: User) -> PaymentRun:
    """A finance officer confirms the file went to the bank: the money is out."""
    with transaction.atomic():
        transition_apply(run, run.confirm_submitted_to_bank, by=by, at=timezone.now())
        for payment in run.payments.filter(status=P.SENDING).select_related("tranche"):
            transition_apply(payment, payment.mark_sent, by=None, at=timezone.now())
            _paid(payment, by=by, external_id="")
    return run


def _originator() -> BacsOriginator:
    return BacsOriginator(
        name=settings.BACS_ORIGINATOR_NAME,
        sort_code=settings.BACS_ORIGINATOR_SORT_CODE,
        account_number=settings.BACS_ORIGINATOR_ACCOUNT,
        service_user_number=settings.BACS_SERVICE_USER_NUMBER,
    )


def bacs_instructions(run: PaymentRun) -> list[BacsInstruction]:
    payments = run.payments.filter(status__in=[P.SENDING, P.SENT]).select_related(
        "application", "tranche", "organisation__bank_details"
    )
    instructions = []
    for payment in payments:
        details = payment.organisation.bank_details
        instructions.append(
            BacsInstruction(
                payment_id=payment.pk,
                payee_name=details.account_name,
                sort_code=details.sort_code,
                account_number=details.account_number,
                amount_pence=payment.amount_pence,
                reference=payment.bacs_reference,
            )
        )
    return instructions


def bacs_file(run: PaymentRun, *, layout: str) -> str:
    if run.method != PayoutMethod.BACS or run.status not in (R.APPROVED, R.COMPLETED):
        raise TransitionRefused("The file is ready once a BACS run is approved.")
    make = bacs_standard18 if layout == "standard18" else bacs_csv
    return make(
        bacs_instructions(run),
        originator=_originator(),
        processing_date=run.pay_on,
        run_reference=run.reference,
    )
