"""Money in (contributions through Stripe Checkout) and money out (payment runs by BACS file or
Stripe transfer). Every figure about a fund still comes from its ledger (grants.ledger); these
rows record what was asked of the bank or of Stripe, and what they said."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from encrypted_fields.fields import EncryptedCharField

from core.fsm import WorkflowModelMixin
from core.money import format_pence
from grants.enums import PayoutMethod
from payments import permissions as rules
from payments.enums import (
    LIVE_PAYMENT_STATUSES,
    ContributionStatus,
    PaymentStatus,
    ReconciliationKind,
    RunStatus,
)

C = ContributionStatus
R = RunStatus
P = PaymentStatus


class Contribution(ConcurrentTransitionMixin, WorkflowModelMixin, models.Model):
    """A gift to a fund through Stripe Checkout. The fund is credited only when Stripe says the
    money arrived, and only once, whatever order and however often Stripe tells us."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey("grants.Fund", on_delete=models.PROTECT, related_name="contributions")
    source = models.ForeignKey(
        "grants.FundingSource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
        help_text="The funder giving, when they are one we know; empty for a member of the public.",
    )
    contributor_name = models.CharField(max_length=150)
    contributor_email = models.EmailField()
    amount_pence = models.PositiveIntegerField()
    status = FSMField(max_length=20, choices=ContributionStatus.choices, default=C.STARTED)
    stripe_checkout_session_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True
    )
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    amount_paid_pence = models.PositiveIntegerField(
        null=True, blank=True, help_text="What Stripe says was paid, when it differs from ours."
    )
    refunded_pence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_pence__gt=0), name="contribution_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(refunded_pence__lte=models.F("amount_pence")),
                name="contribution_refund_not_above_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{format_pence(self.amount_pence)} to {self.fund} from {self.contributor_name}"

    @property
    def ledger_key(self) -> str:
        return f"contribution-{self.pk}-received"

    @transition(
        field=status, source=C.STARTED, target=C.CHECKOUT_OPEN, permission=rules.only_the_system
    )
    def open_checkout(self, *, session_id: str) -> None:
        self.stripe_checkout_session_id = session_id

    @transition(
        field=status,
        source=C.CHECKOUT_OPEN,
        target=C.AWAITING_PAYMENT,
        permission=rules.only_the_system,
    )
    def await_bank(self) -> None:
        pass

    @transition(
        field=status,
        source=[C.CHECKOUT_OPEN, C.AWAITING_PAYMENT],
        target=C.RECEIVED,
        permission=rules.only_the_system,
    )
    def receive(self, *, payment_intent_id: str, at) -> None:
        self.stripe_payment_intent_id = payment_intent_id
        self.received_at = at

    @transition(
        field=status,
        source=[C.CHECKOUT_OPEN, C.AWAITING_PAYMENT],
        target=C.HELD,
        permission=rules.only_the_system,
    )
    def hold(self, *, payment_intent_id: str, amount_paid_pence: int) -> None:
        self.stripe_payment_intent_id = payment_intent_id
        self.amount_paid_pence = amount_paid_pence

    @transition(
        field=status,
        source=[C.CHECKOUT_OPEN, C.AWAITING_PAYMENT],
        target=C.FAILED,
        permission=rules.only_the_system,
    )
    def fail(self) -> None:
        pass

    @transition(
        field=status, source=C.CHECKOUT_OPEN, target=C.EXPIRED, permission=rules.only_the_system
    )
    def expire(self) -> None:
        pass

    @transition(
        field=status, source=C.RECEIVED, target=C.REFUNDED, permission=rules.only_the_system
    )
    def refund_fully(self) -> None:
        pass


class ConnectedAccount(models.Model):
    """A group's Stripe Connect account, onboarded through Stripe's own pages. Stripe holds the
    group's bank details; we keep only what tells us whether it can be paid."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.PROTECT, related_name="stripe_account"
    )
    stripe_account_id = models.CharField(max_length=255, unique=True)
    details_submitted = models.BooleanField(default=False)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    requirements_due = models.JSONField(default=list, blank=True)
    last_payout_status = models.CharField(max_length=20, blank=True)
    last_payout_failure = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.organisation} ({self.stripe_account_id})"

    @property
    def ready(self) -> bool:
        return self.details_submitted and self.payouts_enabled


class BankDetails(models.Model):
    """Where BACS payments to a group go. Stored encrypted; shown masked. A change must be
    confirmed by an officer (by telephone, with someone already known at the group) before any
    payment uses it: changed bank details are the commonest grant fraud."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.PROTECT, related_name="bank_details"
    )
    account_name = EncryptedCharField(max_length=150)
    sort_code = EncryptedCharField(max_length=6)
    account_number = EncryptedCharField(max_length=8)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmation_note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "bank details"

    def __str__(self) -> str:
        return f"{self.organisation}: {self.masked}"

    @property
    def masked(self) -> str:
        return f"**-**-{self.sort_code[-2:]} ****{self.account_number[-4:]}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class PaymentRun(ConcurrentTransitionMixin, WorkflowModelMixin, models.Model):
    """A batch of tranches due from one fund, prepared by one person and approved by another who
    made none of its awards. BACS runs end in a file for the finance system; Stripe runs in
    transfers to the groups' connected accounts."""

    reference = models.CharField(max_length=30, unique=True)
    fund = models.ForeignKey("grants.Fund", on_delete=models.PROTECT, related_name="payment_runs")
    method = models.CharField(max_length=20, choices=PayoutMethod.choices)
    status = FSMField(max_length=20, choices=RunStatus.choices, default=R.DRAFT)
    pay_on = models.DateField(help_text="The day the money should reach the groups.")
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    submitted_to_bank_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at"]
        permissions = [
            ("approve_paymentrun", "Can approve payment runs (not their own or their awards)"),
            ("download_bacs_file", "Can download BACS files with bank details"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def total_pence(self) -> int:
        return sum(p.amount_pence for p in self.payments.all() if p.status != P.CANCELLED)

    def has_payments(self) -> bool:
        return self.payments.filter(status=P.PENDING).exists()

    def all_settled(self) -> bool:
        return not self.payments.filter(status__in=[P.PENDING, P.SENDING]).exists()

    @transition(
        field=status,
        source=R.DRAFT,
        target=R.AWAITING_APPROVAL,
        permission=rules.can_prepare_run,
        conditions=[has_payments],
    )
    def submit_for_approval(self) -> None:
        pass

    @transition(
        field=status,
        source=R.AWAITING_APPROVAL,
        target=R.APPROVED,
        permission=rules.can_approve_run,
        conditions=[has_payments],
    )
    def approve(self, *, approved_by, at) -> None:
        self.approved_by = approved_by
        self.approved_at = at

    @transition(
        field=status,
        source=[R.DRAFT, R.AWAITING_APPROVAL],
        target=R.CANCELLED,
        permission=rules.can_prepare_run,
    )
    def cancel(self) -> None:
        pass

    @transition(
        field=status,
        source=R.APPROVED,
        target=R.COMPLETED,
        permission=rules.can_confirm_bacs_submitted,
        conditions=[lambda run: run.method == PayoutMethod.BACS],
    )
    def confirm_submitted_to_bank(self, *, at) -> None:
        self.submitted_to_bank_at = at
        self.completed_at = at

    @transition(
        field=status,
        source=R.APPROVED,
        target=R.COMPLETED,
        permission=rules.only_the_system,
        conditions=[lambda run: run.method == PayoutMethod.STRIPE_CONNECT, all_settled],
    )
    def complete(self, *, at) -> None:
        self.completed_at = at


class Payment(ConcurrentTransitionMixin, WorkflowModelMixin, models.Model):
    """One tranche of one award, paid once. A tranche has at most one payment that is waiting,
    being sent or sent (a database constraint); a failed or returned one can be paid again."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="payments")
    tranche = models.ForeignKey("grants.Tranche", on_delete=models.PROTECT, related_name="payments")
    application = models.ForeignKey(
        "grants.Application", on_delete=models.PROTECT, related_name="payments"
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="payments"
    )
    amount_pence = models.PositiveIntegerField()
    status = FSMField(max_length=20, choices=PaymentStatus.choices, default=P.PENDING)
    stripe_destination = models.CharField(max_length=255, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    transfer_attempts = models.PositiveSmallIntegerField(default=0)
    bank_masked = models.CharField(max_length=40, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "application__reference", "tranche__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tranche"],
                condition=Q(status__in=LIVE_PAYMENT_STATUSES),
                name="one_live_payment_per_tranche",
            ),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{format_pence(self.amount_pence)} to {self.organisation} ({self.run})"

    @property
    def idempotency_key(self) -> str:
        """Derived from this row, which exists before any call to Stripe: however often a worker
        retries, Stripe sees one request."""
        return f"seedbed-payment-{self.pk}-transfer"

    @property
    def bacs_reference(self) -> str:
        return f"{self.application.reference}-{self.tranche.number}"

    @transition(field=status, source=P.PENDING, target=P.SENDING, permission=rules.only_the_system)
    def start_sending(self) -> None:
        pass

    @transition(
        field=status,
        source=[P.SENDING, P.FAILED],
        target=P.SENT,
        permission=rules.only_the_system,
    )
    def mark_sent(self, *, at, transfer_id: str = "") -> None:
        # From FAILED too: a transfer we gave up on may turn out, from Stripe's own word, to exist.
        self.sent_at = at
        self.failure_reason = ""
        if transfer_id:
            self.stripe_transfer_id = transfer_id

    @transition(
        field=status,
        source=[P.PENDING, P.SENDING],
        target=P.FAILED,
        permission=rules.only_the_system,
    )
    def mark_failed(self, *, failure_reason: str) -> None:
        self.failure_reason = failure_reason[:300]

    @transition(field=status, source=P.SENT, target=P.RETURNED, permission=rules.can_record_return)
    def mark_returned(self, *, failure_reason: str, at) -> None:
        self.failure_reason = failure_reason[:300]
        self.returned_at = at

    @transition(field=status, source=P.PENDING, target=P.CANCELLED, permission=rules.can_edit_run)
    def take_out(self) -> None:
        pass


class StripeEvent(models.Model):
    """Every webhook delivery we accepted, stored once by Stripe's event id before we answer."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    account = models.CharField(max_length=255, blank=True, help_text="Connected account, if any.")
    created = models.DateTimeField(help_text="When Stripe created the event.")
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=Q(processed_at__isnull=True),
                name="stripe_events_unprocessed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

    @property
    def data_object(self) -> dict:
        return self.payload.get("data", {}).get("object", {})


class Reconciliation(models.Model):
    """One comparison of the ledger with Stripe's balance transactions. It reports; it never
    corrects: a person decides what each difference means."""

    period_from = models.DateField()
    period_to = models.DateField()
    ran_at = models.DateTimeField(auto_now_add=True)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stripe_items = models.PositiveIntegerField(default=0)
    ledger_items = models.PositiveIntegerField(default=0)
    matched_items = models.PositiveIntegerField(default=0)
    fees_pence = models.BigIntegerField(default=0)
    payouts_to_council_pence = models.BigIntegerField(default=0)
    failed = models.CharField(
        max_length=300, blank=True, help_text="Why the comparison could not be made, if it failed."
    )

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"Reconciliation {self.period_from} to {self.period_to}"

    @property
    def is_clean(self) -> bool:
        return not self.failed and not self.items.exists()


class ReconciliationItem(models.Model):
    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(max_length=30, choices=ReconciliationKind.choices)
    stripe_reference = models.CharField(max_length=255, blank=True)
    fund = models.ForeignKey(
        "grants.Fund", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ledger_pence = models.BigIntegerField(null=True, blank=True)
    stripe_pence = models.BigIntegerField(null=True, blank=True)
    description = models.CharField(max_length=300)

    class Meta:
        ordering = ["reconciliation", "kind", "stripe_reference"]

    def __str__(self) -> str:
        return self.description
