from django.db import models


class DecisionRoute(models.TextChoices):
    BOARD = "board", "Advisory board decides"
    RAPID = "rapid", "Rapid response: an officer decides under delegation"


class SourceKind(models.TextChoices):
    COUNCIL = "council", "Council"
    LOTTERY = "lottery", "Lottery fund"
    TRUST = "trust", "Trust or foundation"
    PHILANTHROPIST = "philanthropist", "Philanthropist"
    PUBLIC_HEALTH = "public_health", "Public health or violence reduction"
    OTHER = "other", "Other"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SCREENING = "screening", "Being checked"
    INFO_REQUESTED = "info_requested", "More information requested"
    BOARD_REVIEW = "board_review", "With the advisory board"
    OFFICER_DECISION = "officer_decision", "With an officer for decision"
    AWARDED = "awarded", "Awarded"
    DECLINED = "declined", "Not funded"
    AGREEMENT_ISSUED = "agreement_issued", "Grant agreement sent"
    AGREEMENT_ACCEPTED = "agreement_accepted", "Grant agreement accepted"
    PAID = "paid", "Paid"
    MONITORING = "monitoring", "End-of-grant report due"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_BEFORE_DECISION = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCREENING,
    ApplicationStatus.INFO_REQUESTED,
    ApplicationStatus.BOARD_REVIEW,
    ApplicationStatus.OFFICER_DECISION,
)
DECIDING = (ApplicationStatus.BOARD_REVIEW, ApplicationStatus.OFFICER_DECISION)
AWARDED_STATES = (
    ApplicationStatus.AWARDED,
    ApplicationStatus.AGREEMENT_ISSUED,
    ApplicationStatus.AGREEMENT_ACCEPTED,
    ApplicationStatus.PAID,
    ApplicationStatus.MONITORING,
    ApplicationStatus.CLOSED,
)


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", "The group or activity is not eligible for this fund"
    OUTSIDE_PRIORITIES = "outside_priorities", "It does not meet the fund's priorities"
    INSUFFICIENT_FUNDS = "insufficient_funds", "The fund did not have enough money left"
    DUE_DILIGENCE = "due_diligence", "Documents or checks were missing or out of date"
    DUPLICATE_FUNDING = "duplicate_funding", "The activity is already funded"
    LOW_SCORE = "low_score", "Other applications scored higher"
    OTHER = "other", "Another reason (see feedback)"


class VoteChoice(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_conditions", "Approve with conditions"
    APPROVE_DIFFERENT_AMOUNT = "approve_amount", "Approve a different amount"
    DECLINE = "decline", "Decline"
    DEFER = "defer", "Defer to a later meeting"


APPROVING_VOTES = (
    VoteChoice.APPROVE,
    VoteChoice.APPROVE_WITH_CONDITIONS,
    VoteChoice.APPROVE_DIFFERENT_AMOUNT,
)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    OPEN = "open", "Open for declarations, scoring and votes"
    CLOSED = "closed", "Closed: minutes final"


class ItemOutcome(models.TextChoices):
    PENDING = "pending", "Not decided yet"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    DEFERRED = "deferred", "Deferred"


class LedgerKind(models.TextChoices):
    ALLOCATION = "allocation", "Money allocated to the fund"
    AWARD_COMMITTED = "award_committed", "Award committed"
    COMMITMENT_RELEASED = "commitment_released", "Commitment released"
    PAYMENT_SENT = "payment_sent", "Payment sent"
    PAYMENT_RETURNED = "payment_returned", "Payment returned"
    CONTRIBUTION_RECEIVED = "contribution_received", "Contribution received"
    MATCH_PLEDGED = "match_pledged", "Match pledged"
    MATCH_DRAWN = "match_drawn", "Match drawn down"
    REFUND = "refund", "Contribution refunded"


class PayoutMethod(models.TextChoices):
    BACS = "bacs", "BACS file for the council’s finance system"
    STRIPE_CONNECT = "stripe_connect", "Stripe transfer to the group’s connected account"


class TrancheStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PAID = "paid", "Paid"


class MonitoringStatus(models.TextChoices):
    DUE = "due", "Due"
    SUBMITTED = "submitted", "Submitted"
    MORE_REQUESTED = "more_requested", "More information asked for"
    ACCEPTED = "accepted", "Accepted"
