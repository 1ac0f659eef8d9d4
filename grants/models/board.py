"""Advisory board meetings: the agenda, declarations of interest, scores and votes."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.fsm import WorkflowModelMixin
from grants.enums import ItemOutcome, MeetingStatus, VoteChoice


def _can_run_meeting(instance: "BoardMeeting", user) -> bool:
    from grants.permissions import runs_meeting

    return runs_meeting(instance, user)


class BoardMeeting(ConcurrentTransitionMixin, WorkflowModelMixin, models.Model):
    board = models.ForeignKey(
        "core.AdvisoryBoard", on_delete=models.PROTECT, related_name="meetings"
    )
    round = models.ForeignKey(
        "grants.Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    held_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = FSMField(default=MeetingStatus.PLANNED, choices=MeetingStatus.choices, protected=True)
    minutes_notes = models.TextField(blank=True, help_text="Anything else the minutes should say.")

    class Meta:
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"{self.board} meeting, {self.held_at:%-d %B %Y}"

    @transition(
        field=status,
        source=MeetingStatus.PLANNED,
        target=MeetingStatus.OPEN,
        permission=_can_run_meeting,
    )
    def open(self) -> None:
        pass

    def every_item_decided(self) -> bool:
        return not self.items.filter(outcome=ItemOutcome.PENDING).exists()

    @transition(
        field=status,
        source=MeetingStatus.OPEN,
        target=MeetingStatus.CLOSED,
        permission=_can_run_meeting,
        conditions=[every_item_decided],
    )
    def close(self) -> None:
        pass


class AgendaItem(models.Model):
    meeting = models.ForeignKey(BoardMeeting, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        "grants.Application", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(
        max_length=20, choices=ItemOutcome.choices, default=ItemOutcome.PENDING
    )
    decision_reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "application"], name="application_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.application}"


class Declaration(models.Model):
    """What a member said about their interests in one application, before seeing any scores."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="declarations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declarations"
    )
    has_conflict = models.BooleanField()
    nature = models.TextField(blank=True, help_text="What the interest is, for the minutes.")
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "declared_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="one_declaration_per_member"),
            models.CheckConstraint(
                condition=Q(has_conflict=False) | ~Q(nature=""),
                name="conflict_says_what_it_is",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {'conflict' if self.has_conflict else 'no conflict'}"


class Score(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="board_scores"
    )
    criterion = models.ForeignKey(
        "grants.ScoringCriterion", on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "member", "criterion"], name="one_score_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Vote(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="board_votes"
    )
    choice = models.CharField(max_length=20, choices=VoteChoice.choices)
    amount_pence = models.PositiveIntegerField(null=True, blank=True)
    conditions = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    voted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="one_vote_per_member"),
        ]

    def __str__(self) -> str:
        return self.get_choice_display()
