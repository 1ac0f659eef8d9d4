from django.db import models


class ContributionStatus(models.TextChoices):
    STARTED = "started", "Started"
    CHECKOUT_OPEN = "checkout_open", "Paying on Stripe"
    AWAITING_PAYMENT = "awaiting_payment", "Waiting for the bank"
    RECEIVED = "received", "Received"
    HELD = "held", "Held: the amount paid differs"
    FAILED = "failed", "Payment failed"
    EXPIRED = "expired", "Not completed"
    REFUNDED = "refunded", "Refunded"


class RunStatus(models.TextChoices):
    DRAFT = "draft", "Being prepared"
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for approval"
    APPROVED = "approved", "Approved: paying"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "In a run, not yet approved"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed: not sent"
    RETURNED = "returned", "Returned"
    CANCELLED = "cancelled", "Taken out of the run"


# A payment in one of these is, or may become, money out of the council; a tranche has at most one.
LIVE_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.SENDING, PaymentStatus.SENT)


class ReconciliationKind(models.TextChoices):
    MISSING_FROM_STRIPE = "missing_from_stripe", "In our ledger, not in Stripe"
    MISSING_FROM_LEDGER = "missing_from_ledger", "In Stripe, not in our ledger"
    DUPLICATED = "duplicated", "Recorded more than once"
    AMOUNT_DIFFERS = "amount_differs", "Amounts differ"
    UNRECOGNISED = "unrecognised", "A Stripe item we don’t recognise"
