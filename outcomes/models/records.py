"""An episode of help, its checkpoints, and what was recorded at each: issues, narratives and scores."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from django_fsm import FSMField, transition

from core.fsm import WorkflowModelMixin
from outcomes import permissions as rules
from outcomes.enums import CaseOutcome, CheckpointKind, CheckpointStatus, EpisodeStatus

from .families import FamilyRecord
from .frameworks import FrameworkDomain, FrameworkVersion, TriageLevel


class Episode(WorkflowModelMixin, models.Model):
    """One spell of help for a family, from assessment to closure."""

    family = models.ForeignKey(FamilyRecord, on_delete=models.CASCADE, related_name="episodes")
    reference = models.CharField(
        max_length=60, unique=True, help_text="The case reference used in existing records, if any."
    )
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="episodes"
    )
    provider = models.ForeignKey(
        "core.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes",
    )
    team = models.CharField(max_length=120, blank=True)
    started_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=CaseOutcome.choices, blank=True)
    status = FSMField(default=EpisodeStatus.OPEN, choices=EpisodeStatus.choices, protected=True)

    class Meta:
        ordering = ["-started_on", "reference"]
        indexes = [models.Index(fields=["closed_on", "outcome"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=EpisodeStatus.OPEN, outcome="", closed_on__isnull=True)
                | Q(status=EpisodeStatus.CLOSED, closed_on__isnull=False) & ~Q(outcome=""),
                name="closed_episode_has_outcome_and_date",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @transition(
        field=status,
        source=EpisodeStatus.OPEN,
        target=EpisodeStatus.CLOSED,
        permission=rules.can_close_episode,
    )
    def close(self, *, outcome: str, closed_on) -> None:
        self.outcome = outcome
        self.closed_on = closed_on

    @transition(
        field=status,
        source=EpisodeStatus.CLOSED,
        target=EpisodeStatus.OPEN,
        permission=rules.can_close_episode,
    )
    def reopen(self) -> None:
        self.outcome = ""
        self.closed_on = None


class Checkpoint(WorkflowModelMixin, models.Model):
    """Where the family is at one point: assessment, a review, or closure."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="checkpoints")
    kind = models.CharField(max_length=20, choices=CheckpointKind.choices)
    recorded_on = models.DateField(db_index=True)
    self_reported = models.BooleanField(
        default=False, help_text="The family filled this in themselves."
    )
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The practitioner who helped, when they filled it in together.",
    )
    status = FSMField(
        default=CheckpointStatus.DRAFT, choices=CheckpointStatus.choices, protected=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["episode", "recorded_on", "id"]
        indexes = [models.Index(fields=["kind", "recorded_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "kind"],
                condition=Q(kind__in=[CheckpointKind.ASSESSMENT, CheckpointKind.CLOSURE]),
                name="one_assessment_and_one_closure_per_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.episode}"

    @transition(
        field=status,
        source=CheckpointStatus.DRAFT,
        target=CheckpointStatus.SUBMITTED,
        permission=rules.can_submit_checkpoint,
    )
    def submit(self, *, at) -> None:
        self.submitted_at = at


class TriagedIssue(models.Model):
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="issues")
    issue = models.CharField(
        max_length=120, help_text="The issue, e.g. 'housing' or 'school attendance'."
    )
    level = models.ForeignKey(TriageLevel, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["checkpoint", "level__order", "issue"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "issue"], name="one_level_per_issue_per_checkpoint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue}: {self.level.key}"


class Narrative(models.Model):
    """What the family said, in their own words. Officers code it later; the words are never changed."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="narratives")
    prompt = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    written_by_family = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["checkpoint", "id"]

    def __str__(self) -> str:
        return f"Narrative #{self.pk}"


class DomainScore(models.Model):
    """A framework domain's measure at a checkpoint: a 1–10 score, yes/no, a triage level, or goals."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="scores")
    domain = models.ForeignKey(FrameworkDomain, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.BooleanField(null=True, blank=True)
    level = models.ForeignKey(
        TriageLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    goals = models.JSONField(
        default=list, blank=True, help_text='[{"goal": "…", "rating": 0-10}, …]'
    )

    class Meta:
        ordering = ["checkpoint", "domain__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "domain"], name="one_score_per_domain_per_checkpoint"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=10), name="score_at_most_ten"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.score}"
