"""An advisory board meeting: the agenda, declarations, scores, votes, and the chair's decision."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, Q
from django.utils import timezone

from core.audit import audit_record
from core.models import User
from core.models.audit import AuditAction
from core.workflow import TransitionRefused, transition_apply
from grants import permissions as rules
from grants.enums import (
    APPROVING_VOTES,
    ApplicationStatus,
    ItemOutcome,
    MeetingStatus,
    VoteChoice,
)
from grants.models import AgendaItem, Application, BoardMeeting, Declaration, Score, Vote
from grants.services.decisions import award_make, decline_make


def agenda_add(
    *, meeting: BoardMeeting, applications: list[Application], by: User
) -> list[AgendaItem]:
    if meeting.status == MeetingStatus.CLOSED:
        raise TransitionRefused("This meeting has closed: add the application to the next one.")
    items = []
    start = meeting.items.count()
    for offset, application in enumerate(applications):
        if application.status != ApplicationStatus.BOARD_REVIEW:
            raise TransitionRefused(f"{application} is not waiting for the board.")
        fund_locality = application.fund.locality_id
        if fund_locality is not None and fund_locality != meeting.board.locality_id:
            raise TransitionRefused(f"{application} is for another locality’s fund.", status=403)
        item, _ = AgendaItem.objects.get_or_create(
            meeting=meeting, application=application, defaults={"position": start + offset}
        )
        items.append(item)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=meeting,
            detail={"agenda_added": application.pk},
        )
    return items


def _require_open_member(item: AgendaItem, member: User) -> None:
    if not rules.is_board_member_for(item.meeting, member):
        raise TransitionRefused("Only members of this board can do that.", status=403)
    if item.meeting.status != MeetingStatus.OPEN:
        raise TransitionRefused("The meeting isn’t open for this yet.")
    if item.outcome != ItemOutcome.PENDING:
        raise TransitionRefused("The board has already decided this application.")


def interest_declare(
    *, item: AgendaItem, member: User, has_conflict: bool, nature: str = ""
) -> Declaration:
    """Declared once, before any scores are seen. A conflict recuses the member from the item."""
    _require_open_member(item, member)
    if has_conflict and not nature.strip():
        raise TransitionRefused(
            "Say what the interest is, so the minutes can record it.", status=400
        )
    with transaction.atomic():
        declaration, created = Declaration.objects.get_or_create(
            item=item,
            member=member,
            defaults={
                "has_conflict": has_conflict,
                "nature": nature.strip() if has_conflict else "",
            },
        )
        if not created:
            raise TransitionRefused(
                "You have already declared your interests for this application."
            )
        audit_record(
            actor=member,
            action=AuditAction.CREATE,
            obj=item,
            detail={"declaration": "conflict" if has_conflict else "none"},
        )
    return declaration


def _require_can_take_part(item: AgendaItem, member: User) -> None:
    _require_open_member(item, member)
    declaration = item.declarations.filter(member=member).first()
    if declaration is None:
        raise TransitionRefused("Declare your interests in this application first.", status=400)
    if declaration.has_conflict:
        raise TransitionRefused(
            "You declared a conflict of interest, so you can’t score or vote on this application.",
            status=403,
        )


def scores_record(
    *, item: AgendaItem, member: User, scores: dict[int, int], comment: str = ""
) -> None:
    _require_can_take_part(item, member)
    criteria = {criterion.pk: criterion for criterion in item.application.fund.criteria.all()}
    with transaction.atomic():
        for criterion_id, value in scores.items():
            criterion = criteria.get(criterion_id)
            if criterion is None:
                raise TransitionRefused("That is not one of this fund’s criteria.", status=400)
            if not 0 <= value <= criterion.maximum_score:
                raise TransitionRefused(
                    f"Score “{criterion.name}” from 0 to {criterion.maximum_score}.", status=400
                )
            Score.objects.update_or_create(
                item=item,
                member=member,
                criterion=criterion,
                defaults={"score": value, "comment": comment},
            )


def vote_cast(
    *,
    item: AgendaItem,
    member: User,
    choice: str,
    amount_pence: int | None = None,
    conditions: str = "",
    comment: str = "",
) -> Vote:
    _require_can_take_part(item, member)
    if choice not in VoteChoice.values:
        raise TransitionRefused("Choose how you vote.", status=400)
    if choice == VoteChoice.APPROVE_DIFFERENT_AMOUNT and not amount_pence:
        raise TransitionRefused("Enter the amount you would approve.", status=400)
    fund = item.application.fund
    if choice == VoteChoice.APPROVE_DIFFERENT_AMOUNT and not (
        fund.minimum_award_pence <= amount_pence <= fund.maximum_award_pence
    ):
        # The same limits the chair's decision will be held to: a vote the board can't carry
        # out would only mislead the others.
        raise TransitionRefused(
            f"An award from {fund.name} must be {fund.limits_text}.", status=400, field="amount"
        )
    if choice == VoteChoice.APPROVE_WITH_CONDITIONS and not conditions.strip():
        raise TransitionRefused("Write the conditions you would attach.", status=400)
    vote, _ = Vote.objects.update_or_create(
        item=item,
        member=member,
        defaults={
            "choice": choice,
            "amount_pence": amount_pence if choice == VoteChoice.APPROVE_DIFFERENT_AMOUNT else None,
            "conditions": conditions.strip(),
            "comment": comment.strip(),
        },
    )
    audit_record(actor=member, action=AuditAction.CREATE, obj=item, detail={"vote": choice})
    return vote


@dataclass(frozen=True)
class Quorum:
    members: int
    conflicted: int
    voted: int
    required: int

    @property
    def eligible(self) -> int:
        return self.members - self.conflicted

    @property
    def possible(self) -> bool:
        return self.eligible >= self.required

    @property
    def met(self) -> bool:
        return self.voted >= self.required


def quorum_for(item: AgendaItem) -> Quorum:
    """Quorum for one item, recalculated without the members who declared a conflict."""
    today = timezone.localdate()
    members = item.meeting.board.memberships.filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
    conflicted = item.declarations.filter(has_conflict=True).values("member")
    return Quorum(
        members=members.count(),
        conflicted=members.filter(user__in=conflicted).count(),
        voted=item.votes.exclude(member__in=conflicted).count(),
        required=item.meeting.board.quorum,
    )


def tally(item: AgendaItem) -> dict[str, int]:
    counts = dict.fromkeys(VoteChoice.values, 0)
    for choice in item.votes.values_list("choice", flat=True):
        counts[choice] += 1
    return counts


def average_scores(item: AgendaItem) -> list[tuple[str, float | None, int]]:
    rows = []
    for criterion in item.application.fund.criteria.all():
        average = item.scores.filter(criterion=criterion).aggregate(value=Avg("score"))["value"]
        rows.append(
            (
                criterion.name,
                round(average, 1) if average is not None else None,
                criterion.maximum_score,
            )
        )
    return rows


def can_see_scores(item: AgendaItem, user: User) -> bool:
    """Others' scores and votes are shown to a member only once they have declared no conflict; an
    officer supporting the board sees them all; a recused member never does."""
    if rules.is_officer_for(item.application, user):
        return True
    return item.declarations.filter(member=user, has_conflict=False).exists()


def decision_confirm(
    *,
    item: AgendaItem,
    by: User,
    outcome: str,
    reasons: str,
    amount_pence: int | None = None,
    conditions: str = "",
    decline_reason: str = "",
    feedback: str = "",
) -> AgendaItem:
    """The chair (or, if the chair has a conflict, an officer: see
    permissions.board_decision_refusal) records what the board decided. Approving or declining
    needs quorum for the item; deferring does not. `reasons` go in the minutes; a declined group
    reads `feedback` (the reasons, if no separate feedback is given)."""
    refusal = rules.board_decision_refusal(item, by)
    if refusal:
        raise TransitionRefused(refusal, status=403)
    if item.meeting.status != MeetingStatus.OPEN:
        raise TransitionRefused("The meeting isn’t open.")
    if item.outcome != ItemOutcome.PENDING:
        raise TransitionRefused("This has already been decided.")
    if not reasons.strip():
        raise TransitionRefused("Record the board’s reasons for the minutes.", status=400)
    quorum = quorum_for(item)
    if outcome in (ItemOutcome.APPROVED, ItemOutcome.DECLINED) and not quorum.met:
        raise TransitionRefused(
            f"The board isn’t quorate for this application: {quorum.voted} of the "
            f"{quorum.required} members needed have voted without a conflict. Defer it instead.",
            status=409,
        )
    application = item.application
    with transaction.atomic():
        if outcome == ItemOutcome.APPROVED:
            award_make(
                application=application,
                by=by,
                amount_pence=amount_pence,
                conditions=conditions,
                reason=reasons,
            )
        elif outcome == ItemOutcome.DECLINED:
            decline_make(
                application=application,
                by=by,
                reason=decline_reason,
                feedback=feedback.strip() or reasons,
            )
        elif outcome != ItemOutcome.DEFERRED:
            raise TransitionRefused("Choose approve, decline or defer.", status=400)
        item.outcome = outcome
        item.decision_reasons = reasons.strip()
        item.decided_at = timezone.now()
        item.save(update_fields=["outcome", "decision_reasons", "decided_at"])
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=item, to_state=outcome, reason=reasons[:500]
        )
    return item


def meeting_open(*, meeting: BoardMeeting, by: User) -> BoardMeeting:
    return transition_apply(meeting, meeting.open, by=by)


def meeting_close(*, meeting: BoardMeeting, by: User) -> BoardMeeting:
    return transition_apply(meeting, meeting.close, by=by)


def majority_view(item: AgendaItem) -> str:
    """A plain summary of the votes, for the chair's screen and the minutes."""
    counts = tally(item)
    approving = sum(counts[choice] for choice in APPROVING_VOTES)
    return (
        f"{approving} to approve, {counts[VoteChoice.DECLINE]} to decline, "
        f"{counts[VoteChoice.DEFER]} to defer"
    )
