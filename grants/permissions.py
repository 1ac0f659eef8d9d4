"""Who may see and do what with funds and applications. One rule, one place: views, exports,
transitions and the admin all ask here."""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from core.enums import BoardRole
from core.permissions import current_board_memberships, localities_for, sees_all_localities
from grants.enums import ApplicationStatus

if TYPE_CHECKING:
    from core.models import User
    from grants.models import AgendaItem, Application, BoardMeeting, Fund


def _active(user: "User") -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_grants_officer(user: "User") -> bool:
    return _active(user) and user.has_perm("grants.change_application")


def funds_in_reach(user: "User") -> "QuerySet[Fund]":
    """The funds of the staff member's localities, and the borough-wide ones. Whether they may
    look at or change them is for their role's permissions (the admin's policies ask those)."""
    from grants.models import Fund

    if not _active(user):
        return Fund.objects.none()
    if sees_all_localities(user):
        return Fund.objects.all()
    return Fund.objects.filter(Q(locality__in=localities_for(user)) | Q(locality__isnull=True))


def applications_in_reach(user: "User") -> "QuerySet[Application]":
    """Sent applications to funds in reach. A group's draft is its own until it is sent."""
    from grants.models import Application

    if not _active(user):
        return Application.objects.none()
    sent = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    if sees_all_localities(user):
        return sent
    return sent.filter(fund__in=funds_in_reach(user))


def funds_for_officer(user: "User") -> "QuerySet[Fund]":
    """Funds an officer looks after."""
    from grants.models import Fund

    return funds_in_reach(user) if is_grants_officer(user) else Fund.objects.none()


def applications_for_officer(user: "User") -> "QuerySet[Application]":
    from grants.models import Application

    return applications_in_reach(user) if is_grants_officer(user) else Application.objects.none()


def applications_for_applicant(user: "User") -> "QuerySet[Application]":
    """Every application of the groups the person belongs to. A subquery rather than a join, so
    that no application is listed twice and no caller needs DISTINCT (which sorts every column)."""
    from core.models import OrganisationMembership
    from grants.models import Application

    if not _active(user):
        return Application.objects.none()
    groups = OrganisationMembership.objects.filter(user=user).values("organisation_id")
    return Application.objects.filter(organisation_id__in=groups)


def is_member_of_applicant(application: "Application", user: "User") -> bool:
    return _active(user) and application.organisation.memberships.filter(user=user).exists()


def is_officer_for(application: "Application", user: "User") -> bool:
    return applications_for_officer(user).filter(pk=application.pk).exists()


def can_decide_under_delegation(application: "Application", user: "User") -> bool:
    return is_officer_for(application, user) and user.has_perm("grants.decide_rapid_response")


def meetings_for_member(user: "User") -> "QuerySet[BoardMeeting]":
    from grants.models import BoardMeeting

    if not _active(user):
        return BoardMeeting.objects.none()
    return BoardMeeting.objects.filter(board__in=current_board_memberships(user).values("board"))


def is_board_member_for(meeting: "BoardMeeting", user: "User") -> bool:
    return meetings_for_member(user).filter(pk=meeting.pk).exists()


def is_chair_of(meeting: "BoardMeeting", user: "User") -> bool:
    return (
        _active(user)
        and current_board_memberships(user)
        .filter(board_id=meeting.board_id, role=BoardRole.CHAIR)
        .exists()
    )


def can_see_item(item: "AgendaItem", user: "User") -> bool:
    """A board member opens an item's page; once they declare a conflict it shows them only the
    application's title and group (grants.views.board), never its answers, scores or votes."""
    return is_board_member_for(item.meeting, user) or is_officer_for(item.application, user)


def is_officer_for_meeting(meeting: "BoardMeeting", user: "User") -> bool:
    return (
        is_grants_officer(user)
        and localities_for(user).filter(pk=meeting.board.locality_id).exists()
    )


def may_see_meeting(meeting: "BoardMeeting", user: "User") -> bool:
    return is_board_member_for(meeting, user) or is_officer_for_meeting(meeting, user)


def runs_meeting(meeting: "BoardMeeting", user: "User") -> bool:
    """The chair and the locality's grants officers open and close a meeting and set its agenda."""
    return is_chair_of(meeting, user) or is_officer_for_meeting(meeting, user)


def has_conflict(item: "AgendaItem", user: "User") -> bool:
    return item.declarations.filter(member=user, has_conflict=True).exists()


def conflicted_chair_items(meeting: "BoardMeeting") -> set[int]:
    """The meeting's agenda items on which a chair of its board has declared a conflict."""
    from core.models import BoardMembership
    from grants.models import Declaration

    chairs = BoardMembership.objects.filter(board_id=meeting.board_id, role=BoardRole.CHAIR)
    return set(
        Declaration.objects.filter(
            item__meeting=meeting, has_conflict=True, member__in=chairs.values("user")
        ).values_list("item_id", flat=True)
    )


def board_decision_refusal(item: "AgendaItem", user: "User") -> str | None:
    """Why this person may not record the board's decision on this item, or None if they may.

    The chair records it. A chair with a conflict is recused like any member, so a grants officer
    for the locality records it instead, as the meeting's clerk: the decision is still the board's,
    made by the votes of the members without a conflict."""
    meeting = item.meeting
    if is_chair_of(meeting, user):
        if has_conflict(item, user):
            return (
                "You declared a conflict on this application, so you can’t record the board’s "
                "decision on it. A grants officer for the area records it instead."
            )
        return None
    if is_officer_for_meeting(meeting, user):
        if item.pk in conflicted_chair_items(meeting):
            return None
        return (
            "The chair confirms the board’s decision. An officer records it only when the chair "
            "has declared a conflict on the application."
        )
    return "Only the chair confirms the board’s decision."


def conflicts_declared_by(meeting: "BoardMeeting", user: "User") -> set[int]:
    """The meeting's agenda items on which this person has declared a conflict."""
    from grants.models import Declaration

    return set(
        Declaration.objects.filter(
            item__meeting=meeting, member_id=user.pk, has_conflict=True
        ).values_list("item_id", flat=True)
    )


def decisions_recorded_by(meeting: "BoardMeeting", user: "User") -> set[int]:
    """The open meeting's items whose decision this person records, for the whole agenda in a few
    queries: the rule of board_decision_refusal, item by item."""
    from grants.enums import MeetingStatus

    if meeting.status != MeetingStatus.OPEN:
        return set()
    if is_chair_of(meeting, user):
        items = set(meeting.items.values_list("pk", flat=True))
        return items - conflicts_declared_by(meeting, user)
    if is_officer_for_meeting(meeting, user):
        return conflicted_chair_items(meeting)
    return set()


def can_confirm_board_decision(application: "Application", user: "User") -> bool:
    """Whoever may record the board's decision on an open meeting's item for this application
    (see board_decision_refusal)."""
    from grants.enums import MeetingStatus

    items = application.agenda_items.filter(meeting__status=MeetingStatus.OPEN)
    return any(
        board_decision_refusal(item, user) is None for item in items.select_related("meeting")
    )


def can_record_payment(application: "Application", user: "User") -> bool:
    return (
        _active(user)
        and user.has_perm("grants.record_payment")
        and (is_officer_for(application, user) or sees_all_localities(user))
    )


def can_decide(application: "Application", user: "User") -> bool:
    if application.status == ApplicationStatus.OFFICER_DECISION:
        return can_decide_under_delegation(application, user)
    return can_confirm_board_decision(application, user)


def can_decline(application: "Application", user: "User") -> bool:
    """At screening an officer may decline an ineligible application; after that, whoever decides."""
    if application.status == ApplicationStatus.SCREENING:
        return is_officer_for(application, user)
    return can_decide(application, user)


def can_withdraw(application: "Application", user: "User") -> bool:
    """The group withdraws its own application; an officer may record a withdrawal the group asked
    for by phone or letter."""
    return is_member_of_applicant(application, user) or is_officer_for(application, user)
