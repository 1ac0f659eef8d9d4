"""An application, from draft to closed grant, on one state machine."""

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum

from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition

from core.fsm import WorkflowModelMixin
from grants import permissions as rules
from grants.enums import (
    AWARDED_STATES,
    DECIDING,
    ApplicationStatus,
    DecisionRoute,
    DeclineReason,
)

S = ApplicationStatus

WITHDRAWABLE = (
    S.DRAFT,
    S.SUBMITTED,
    S.SCREENING,
    S.INFO_REQUESTED,
    S.BOARD_REVIEW,
    S.OFFICER_DECISION,
    S.AWARDED,
    S.AGREEMENT_ISSUED,
)
INFO_REQUESTABLE = (S.SCREENING, S.BOARD_REVIEW, S.OFFICER_DECISION)


def _return_to_where_it_was(instance: "Application", *args, **kwargs) -> str:
    # django-fsm works this out after the transition's body has run, so the body leaves
    # `info_requested_from` in place (the next question overwrites it).
    return instance.info_requested_from or S.SCREENING


class Application(ConcurrentTransitionMixin, WorkflowModelMixin, models.Model):
    """A group's request to a fund. Concurrent transitions are refused (optimistic locking on the
    status), so two officers acting on one stale page never both succeed."""

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    fund = models.ForeignKey("grants.Fund", on_delete=models.PROTECT, related_name="applications")
    round = models.ForeignKey(
        "grants.Round",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="grant_applications",
    )
    title = models.CharField(max_length=150, blank=True)
    summary = models.TextField(blank=True)
    amount_requested_pence = models.PositiveIntegerField(null=True, blank=True)
    is_short_form = models.BooleanField(default=False)
    answers = models.JSONField(default=dict, blank=True)
    form_snapshot = models.JSONField(default=list, blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    status = FSMField(default=S.DRAFT, choices=S.choices, protected=True, db_index=True)
    info_requested_from = models.CharField(max_length=30, blank=True)
    info_request = models.TextField(blank=True)
    info_response = models.TextField(blank=True)
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_applications",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    last_saved_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decision_due_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_applications",
    )
    amount_awarded_pence = models.PositiveIntegerField(null=True, blank=True)
    award_conditions = models.TextField(blank=True)
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    feedback = models.TextField(blank=True, help_text="Written feedback for the group.")
    planned_start_on = models.DateField(null=True, blank=True)
    planned_end_on = models.DateField(null=True, blank=True)

    class Meta:
        # Officers never see drafts (the only applications not yet sent), so newest sent first.
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["fund", "status"]),
            models.Index(fields=["status", "decision_due_on"]),
            # The officers' list: newest sent first.
            models.Index(fields=["-submitted_at", "-created_at"], name="applications_newest_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=AWARDED_STATES) | Q(amount_awarded_pence__gt=0),
                name="awarded_application_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status=S.DECLINED) | ~Q(decline_reason=""),
                name="declined_application_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or 'Draft'}: {self.title or 'Untitled application'}"

    @property
    def is_open(self) -> bool:
        return self.status in WITHDRAWABLE

    @property
    def budget_total_pence(self) -> int:
        return self.budget_lines.aggregate(total=Sum("amount_pence"))["total"] or 0

    @property
    def paid_pence(self) -> int:
        return (
            self.tranches.filter(paid_at__isnull=False).aggregate(total=Sum("amount_pence"))[
                "total"
            ]
            or 0
        )

    def is_fully_paid(self) -> bool:
        return bool(self.amount_awarded_pence) and self.paid_pence >= self.amount_awarded_pence

    def goes_to_board(self) -> bool:
        return self.fund.route == DecisionRoute.BOARD

    def goes_to_officer(self) -> bool:
        return self.fund.route == DecisionRoute.RAPID

    def has_a_locality_board(self) -> bool:
        """Whether there is a board this application could be referred to: its fund's locality's."""
        from core.models import AdvisoryBoard

        fund = self.fund
        return (
            fund.locality_id is not None
            and AdvisoryBoard.objects.filter(locality_id=fund.locality_id).exists()
        )

    def within_delegated_limit(self) -> bool:
        amount = self.amount_awarded_pence or self.amount_requested_pence or 0
        return amount <= self.fund.delegated_limit_pence

    def monitoring_accepted(self) -> bool:
        return self.monitoring_reports.filter(status="accepted").exists()

    # The workflow. Conditions are the last line of defence; services check first and explain.

    @transition(
        field=status, source=S.DRAFT, target=S.SUBMITTED, permission=rules.is_member_of_applicant
    )
    def submit(self, *, at) -> None:
        self.submitted_at = at

    @transition(
        field=status, source=S.SUBMITTED, target=S.SCREENING, permission=rules.is_officer_for
    )
    def start_screening(self) -> None:
        pass

    @transition(
        field=status,
        source=INFO_REQUESTABLE,
        target=S.INFO_REQUESTED,
        permission=rules.is_officer_for,
    )
    def request_information(self, *, question: str) -> None:
        self.info_requested_from = self.status
        self.info_request = question
        self.info_response = ""

    @transition(
        field=status,
        source=S.INFO_REQUESTED,
        target=GET_STATE(_return_to_where_it_was, states=INFO_REQUESTABLE),
        permission=rules.is_member_of_applicant,
    )
    def provide_information(self, *, response: str) -> None:
        self.info_response = response

    @transition(
        field=status,
        source=S.SCREENING,
        target=S.BOARD_REVIEW,
        permission=rules.is_officer_for,
        conditions=[goes_to_board],
    )
    def send_to_board(self) -> None:
        pass

    @transition(
        field=status,
        source=S.SCREENING,
        target=S.OFFICER_DECISION,
        permission=rules.is_officer_for,
        conditions=[goes_to_officer],
    )
    def send_for_officer_decision(self) -> None:
        pass

    @transition(
        field=status,
        source=S.OFFICER_DECISION,
        target=S.BOARD_REVIEW,
        permission=rules.is_officer_for,
        conditions=[has_a_locality_board],
    )
    def refer_to_board(self) -> None:
        """Beyond what an officer may decide alone (a larger award, a contested case)."""

    @transition(field=status, source=DECIDING, target=S.AWARDED, permission=rules.can_decide)
    def award(self, *, amount_pence: int, conditions: str, decided_by, at) -> None:
        self.amount_awarded_pence = amount_pence
        self.award_conditions = conditions
        self.decided_by = decided_by
        self.decided_at = at

    @transition(
        field=status,
        source=(S.SCREENING, *DECIDING),
        target=S.DECLINED,
        permission=rules.can_decline,
    )
    def decline(self, *, decline_reason: str, feedback: str, decided_by, at) -> None:
        self.decline_reason = decline_reason
        self.feedback = feedback
        self.decided_by = decided_by
        self.decided_at = at

    @transition(
        field=status, source=S.AWARDED, target=S.AGREEMENT_ISSUED, permission=rules.is_officer_for
    )
    def issue_agreement(self) -> None:
        pass

    @transition(
        field=status,
        source=S.AGREEMENT_ISSUED,
        target=S.AGREEMENT_ACCEPTED,
        permission=rules.is_member_of_applicant,
    )
    def accept_agreement(self) -> None:
        pass

    @transition(
        field=status,
        source=S.AGREEMENT_ACCEPTED,
        target=S.PAID,
        permission=rules.can_record_payment,
        conditions=[is_fully_paid],
    )
    def mark_paid(self) -> None:
        pass

    @transition(field=status, source=S.PAID, target=S.MONITORING, permission=rules.is_officer_for)
    def request_monitoring(self) -> None:
        pass

    @transition(
        field=status,
        source=S.MONITORING,
        target=S.CLOSED,
        permission=rules.is_officer_for,
        conditions=[monitoring_accepted],
    )
    def close(self) -> None:
        pass

    @transition(
        field=status, source=WITHDRAWABLE, target=S.WITHDRAWN, permission=rules.can_withdraw
    )
    def withdraw(self) -> None:
        pass


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    description = models.CharField(max_length=200)
    amount_pence = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description
