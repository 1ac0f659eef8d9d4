"""Funds, the rounds that open and close them, the criteria boards score against, and where the
money comes from. The money itself is in the ledger (grants.models.ledger)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from wagtail.fields import StreamField
from wagtail.models import Orderable

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from core.enums import DocumentKind
from core.money import format_pence
from grants.blocks import ApplicationFormBlock, EligibilityBlock
from grants.enums import DecisionRoute, PayoutMethod, SourceKind


def current_financial_year() -> int:
    """The year today's UK financial year (April to March) starts in, by the London calendar."""
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


def default_required_documents() -> list[str]:
    return [DocumentKind.GOVERNING_DOCUMENT, DocumentKind.BANK_STATEMENT]


class FundQuerySet(models.QuerySet["Fund"]):
    def open_for_applications(self) -> "FundQuerySet":
        now = timezone.now()
        return (
            self.filter(is_published=True)
            .filter(Q(is_rolling=True) | Q(rounds__opens_at__lte=now, rounds__closes_at__gt=now))
            .distinct()
        )


class Fund(ClusterableModel):
    """One financial year's small-grants fund for a locality, or for the whole borough."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    locality = models.ForeignKey(
        "core.Locality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funds",
        help_text="Leave empty for a fund open to the whole borough.",
    )
    financial_year = models.PositiveSmallIntegerField(
        default=current_financial_year,
        help_text="The year the financial year starts in: 2026 for April 2026 to March 2027.",
    )
    summary = models.CharField(max_length=300, help_text="One sentence: what the fund is for.")
    who_can_apply = models.TextField(blank=True)
    route = models.CharField(max_length=10, choices=DecisionRoute.choices)
    is_rolling = models.BooleanField(
        default=False,
        help_text="Open all year: applications go to the next decision rather than a round.",
    )
    is_published = models.BooleanField(default=True)
    minimum_award_pence = models.PositiveIntegerField(default=5000)
    maximum_award_pence = models.PositiveIntegerField(default=500000)
    short_form_below_pence = models.PositiveIntegerField(
        default=100000,
        help_text="Requests under this amount use the short form and the light monitoring.",
    )
    delegated_limit_pence = models.PositiveIntegerField(
        default=0,
        help_text="Rapid response: the most an officer may award on their own.",
    )
    decision_target_working_days = models.PositiveSmallIntegerField(
        default=5, help_text="Rapid response: working days from submission to decision."
    )
    rolling_decision_working_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Rolling board fund: working days from submission to the expected decision, "
        "told to the group (its board should meet at least this often).",
    )
    monitoring_due_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Days after the grant period ends that the end-of-grant report is due.",
    )
    eligibility = StreamField(EligibilityBlock(), blank=True, use_json_field=True)
    application_form = StreamField(ApplicationFormBlock(), blank=True, use_json_field=True)
    end_of_grant_form = StreamField(
        ApplicationFormBlock(),
        blank=True,
        use_json_field=True,
        help_text="Asked of grants at or above the short-form amount, with spend against budget.",
    )
    conditions = models.TextField(
        blank=True, help_text="Standard conditions printed in every grant agreement."
    )
    required_documents = models.JSONField(
        default=default_required_documents,
        blank=True,
        help_text="Documents a group must hold, in date, before its application goes for decision.",
    )
    payout_method = models.CharField(
        max_length=20,
        choices=PayoutMethod.choices,
        default=PayoutMethod.BACS,
        help_text="How awards from this fund reach groups.",
    )
    accepts_contributions = models.BooleanField(
        default=False,
        help_text="Let funders and the public give to this fund online, through Stripe.",
    )
    contribution_minimum_pence = models.PositiveIntegerField(default=500)
    contribution_maximum_pence = models.PositiveIntegerField(default=1_000_000)
    # Kept only by grants.ledger, in the same transaction as the ledger entry that moves them; the
    # constraints below make over-commitment impossible whoever writes.
    budget_pence = models.BigIntegerField(default=0, editable=False)
    committed_pence = models.BigIntegerField(default=0, editable=False)
    paid_pence = models.BigIntegerField(default=0, editable=False)

    objects = FundQuerySet.as_manager()

    class Meta:
        ordering = ["-financial_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(committed_pence__lte=F("budget_pence")),
                name="fund_never_commits_more_than_it_holds",
            ),
            models.CheckConstraint(
                condition=Q(paid_pence__lte=F("committed_pence")),
                name="fund_never_pays_more_than_committed",
            ),
            models.CheckConstraint(
                condition=Q(budget_pence__gte=0, committed_pence__gte=0, paid_pence__gte=0),
                name="fund_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(minimum_award_pence__lte=F("maximum_award_pence")),
                name="fund_minimum_not_above_maximum",
            ),
            models.CheckConstraint(
                condition=Q(contribution_minimum_pence__gt=0)
                & Q(contribution_minimum_pence__lte=F("contribution_maximum_pence")),
                name="fund_contribution_limits_ordered",
            ),
        ]
        permissions = [
            ("decide_rapid_response", "Can make delegated rapid-response awards"),
            ("record_payment", "Can record payments against awards"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:150]
        if self.minimum_award_pence > self.maximum_award_pence:
            raise ValidationError(
                {"minimum_award_pence": "The minimum award can’t be more than the maximum."}
            )
        unknown = set(self.required_documents or []) - set(DocumentKind.values)
        if unknown:
            raise ValidationError(
                {"required_documents": f"Not a kind of document: {', '.join(sorted(unknown))}."}
            )
        if self.contribution_minimum_pence > self.contribution_maximum_pence:
            raise ValidationError(
                {"contribution_minimum_pence": "The smallest gift can’t be more than the largest."}
            )
        if self.route == DecisionRoute.RAPID and not self.delegated_limit_pence:
            raise ValidationError(
                {"delegated_limit_pence": "Set the most an officer may award on their own."}
            )

    @property
    def remaining_pence(self) -> int:
        return self.budget_pence - self.committed_pence

    @property
    def area_name(self) -> str:
        return self.locality.name if self.locality_id else "The whole borough"

    @property
    def financial_year_label(self) -> str:
        return f"April {self.financial_year} to March {self.financial_year + 1}"

    @property
    def limits_text(self) -> str:
        return (
            f"between {format_pence(self.minimum_award_pence)} and "
            f"{format_pence(self.maximum_award_pence)}"
        )

    def round_open_at(self, moment: datetime.datetime | None = None) -> "Round | None":
        moment = moment or timezone.now()
        return self.rounds.filter(opens_at__lte=moment, closes_at__gt=moment).first()

    def next_round(self, moment: datetime.datetime | None = None) -> "Round | None":
        moment = moment or timezone.now()
        return self.rounds.filter(opens_at__gt=moment).order_by("opens_at").first()

    def is_open(self, moment: datetime.datetime | None = None) -> bool:
        return self.is_published and (self.is_rolling or self.round_open_at(moment) is not None)

    def short_form_applies(self, amount_pence: int | None) -> bool:
        return amount_pence is not None and amount_pence < self.short_form_below_pence


class Round(Orderable):
    """A window when a board fund takes applications, and when its board will decide them."""

    fund = ParentalKey(Fund, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=100, help_text="For example “Spring 2027”.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    decision_expected_on = models.DateField()

    class Meta(Orderable.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="round_closes_after_it_opens"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund}: {self.name}"


class ScoringCriterion(Orderable):
    fund = ParentalKey(Fund, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=120)
    guidance = models.TextField(blank=True, help_text="What a high score looks like.")
    maximum_score = models.PositiveSmallIntegerField(default=5)

    class Meta(Orderable.Meta):
        verbose_name_plural = "scoring criteria"

    def __str__(self) -> str:
        return self.name


class FundingSource(models.Model):
    """Someone whose money a fund holds: the council, a lottery fund, a trust, a philanthropist."""

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    org_id = models.CharField(
        max_length=60, blank=True, help_text="The funder's org-id, for example GB-CHC-1234567."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="funding_sources",
        help_text="The funder's own account, if they sign in to see what their money paid for.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
