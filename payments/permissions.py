"""Who may move money. Two people for every payment run: the one who prepares it, and a finance
officer who approves it and made none of its awards."""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from grants.permissions import funds_in_reach

if TYPE_CHECKING:
    from core.models import Organisation, User
    from grants.models import Fund
    from payments.models import (
        BankDetails,
        ConnectedAccount,
        Contribution,
        Payment,
        PaymentRun,
        Reconciliation,
        StripeEvent,
    )


def _active(user: "User") -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def only_the_system(instance, user: "User") -> bool:
    """Stripe's word or a worker moves these, never a person's click."""
    return False


def sees_payments(user: "User") -> bool:
    return _active(user) and user.has_perm("payments.view_paymentrun")


def runs_in_reach(user: "User") -> "QuerySet[PaymentRun]":
    from payments.models import PaymentRun

    if not sees_payments(user):
        return PaymentRun.objects.none()
    return PaymentRun.objects.filter(fund__in=funds_in_reach(user))


def payments_in_reach(user: "User") -> "QuerySet[Payment]":
    from payments.models import Payment

    if not sees_payments(user):
        return Payment.objects.none()
    return Payment.objects.filter(run__fund__in=funds_in_reach(user))


def _in_reach(run: "PaymentRun", user: "User") -> bool:
    return funds_in_reach(user).filter(pk=run.fund_id).exists()


def can_prepare_run(run: "PaymentRun", user: "User") -> bool:
    return _active(user) and user.has_perm("payments.add_paymentrun") and _in_reach(run, user)


def can_edit_run(payment: "Payment", user: "User") -> bool:
    return can_prepare_run(payment.run, user)


def approval_refusal(run: "PaymentRun", user: "User") -> str:
    """Why this person may not approve this run, in words; empty if they may."""
    if not (_active(user) and user.has_perm("payments.approve_paymentrun")):
        return "Only a finance officer can approve a payment run."
    if not _in_reach(run, user):
        return "This run is for a fund you don’t look after."
    if run.prepared_by_id == user.pk:
        return "You prepared this run, so someone else must approve it."
    if run.payments.filter(application__decided_by=user).exists():
        return "You made an award in this run, so someone else must approve it."
    return ""


def can_approve_run(run: "PaymentRun", user: "User") -> bool:
    return not approval_refusal(run, user)


def can_confirm_bacs_submitted(run: "PaymentRun", user: "User") -> bool:
    return _active(user) and user.has_perm("payments.approve_paymentrun") and _in_reach(run, user)


def can_download_bacs_file(run: "PaymentRun", user: "User") -> bool:
    return _active(user) and user.has_perm("payments.download_bacs_file") and _in_reach(run, user)


def can_record_return(payment: "Payment", user: "User") -> bool:
    return can_confirm_bacs_submitted(payment.run, user)


def can_manage_bank_details(user: "User") -> bool:
    return _active(user) and user.has_perm("payments.change_bankdetails")


# The staff admin's money screens (payments/viewsets.py). Each list and page takes its records from
# one of these, so an id from another locality finds nothing.


def prepares_runs(user: "User") -> bool:
    """May prepare runs at all (for a fund in reach: can_prepare_run)."""
    return sees_payments(user) and user.has_perm("payments.add_paymentrun")


def _borough_wide(user: "User") -> bool:
    from core.permissions import sees_all_localities

    return _active(user) and sees_all_localities(user)


def organisations_in_payment_reach(user: "User") -> "QuerySet[Organisation]":
    """Groups in the staff member's localities, and groups that applied to a fund in their reach
    (a borough-wide fund pays groups from every locality, and its officer must be able to check
    their bank details)."""
    from core.models import Organisation
    from core.permissions import localities_for
    from grants.permissions import applications_in_reach

    if not _active(user):
        return Organisation.objects.none()
    if _borough_wide(user):
        return Organisation.objects.all()
    applied = applications_in_reach(user).values("organisation")
    return Organisation.objects.filter(
        Q(localities__in=localities_for(user)) | Q(pk__in=applied)
    ).distinct()


def sees_bank_details(user: "User") -> bool:
    """Masked, always: the full numbers leave only in a BACS file (can_download_bacs_file)."""
    return _active(user) and user.has_perm("payments.view_bankdetails")


def bank_details_in_reach(user: "User") -> "QuerySet[BankDetails]":
    from payments.models import BankDetails

    if not sees_bank_details(user):
        return BankDetails.objects.none()
    return BankDetails.objects.filter(organisation__in=organisations_in_payment_reach(user))


def can_confirm_bank_details(details: "BankDetails", user: "User") -> bool:
    return (
        can_manage_bank_details(user) and bank_details_in_reach(user).filter(pk=details.pk).exists()
    )


def connected_accounts_in_reach(user: "User") -> "QuerySet[ConnectedAccount]":
    from payments.models import ConnectedAccount

    if not sees_payments(user):
        return ConnectedAccount.objects.none()
    return ConnectedAccount.objects.filter(organisation__in=organisations_in_payment_reach(user))


def sees_contributions(user: "User") -> bool:
    return _active(user) and user.has_perm("payments.view_contribution")


def contributions_in_reach(user: "User") -> "QuerySet[Contribution]":
    from payments.models import Contribution

    if not sees_contributions(user):
        return Contribution.objects.none()
    return Contribution.objects.filter(fund__in=funds_in_reach(user))


def sees_reconciliations(user: "User") -> bool:
    """A reconciliation compares the council's whole Stripe account with every fund's ledger, so
    only people who see every locality may read one: part of it would mislead."""
    return _borough_wide(user) and user.has_perm("payments.view_reconciliation")


def reconciliations_in_reach(user: "User") -> "QuerySet[Reconciliation]":
    from payments.models import Reconciliation

    if not sees_reconciliations(user):
        return Reconciliation.objects.none()
    return Reconciliation.objects.all()


def can_run_reconciliation(user: "User") -> bool:
    return _borough_wide(user) and user.has_perm("payments.add_reconciliation")


def stripe_events_in_reach(user: "User") -> "QuerySet[StripeEvent]":
    """Stripe's deliveries are about the council's account as a whole: borough-wide staff only."""
    from payments.models import StripeEvent

    if not (_borough_wide(user) and user.has_perm("payments.view_stripeevent")):
        return StripeEvent.objects.none()
    return StripeEvent.objects.all()


def can_retry_stripe_event(event: "StripeEvent", user: "User") -> bool:
    """Trying again only asks a worker to apply Stripe's word once more, which is safe to repeat
    (events.event_process does nothing to an event already processed)."""
    return event.processed_at is None and stripe_events_in_reach(user).filter(pk=event.pk).exists()


def records_matches(user: "User") -> bool:
    """Recording a funder's match pledge, or drawing on one, writes to a fund's ledger."""
    return _active(user) and user.has_perm("grants.add_ledgerentry")


def can_record_match(fund: "Fund", user: "User") -> bool:
    return records_matches(user) and funds_in_reach(user).filter(pk=fund.pk).exists()
