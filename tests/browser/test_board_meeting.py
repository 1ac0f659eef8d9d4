"""An advisory board meeting on a phone: a member declares an interest in one application and is
recused from it, declares none on another and scores and votes; the chair sees the quorum for each
application, defers the one the board cannot decide and approves the other."""

import re

import pytest

from grants.enums import ApplicationStatus, ItemOutcome, VoteChoice
from grants.models import AgendaItem, Score, Vote
from grants.services import board as board_service
from tests.browser.conftest import (
    SMALL_SCREEN,
    assert_accessible,
    assert_no_horizontal_scroll,
    sign_in_with_code,
)
from tests.factories.core import LocalityFactory
from tests.factories.grants import (
    FundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)

pytestmark = pytest.mark.browser
S = ApplicationStatus


def _a_meeting_with_two_applications():
    locality = LocalityFactory(name="Millbrook", slug="millbrook")
    fund = FundFactory(locality=locality, name="Millbrook Community Fund")
    board, chair, (member, other) = board_for(locality, members=3, quorum=3)
    officer = grants_officer(locality=locality)
    meeting = meeting_for(board)
    recused = application_in(
        S.BOARD_REVIEW, fund=fund, title="Canal clean-up day", contact_phone="07700 900123"
    )
    scored = application_in(
        S.BOARD_REVIEW, fund=fund, title="Stay and play mornings", contact_phone="07700 900456"
    )
    board_service.meeting_open(meeting=meeting, by=officer)
    first, second = board_service.agenda_add(
        meeting=meeting, applications=[recused, scored], by=officer
    )
    return chair, member, other, first, second


def _vote_through_the_services(item, member, scores=(4, 4)) -> None:
    board_service.interest_declare(item=item, member=member, has_conflict=False)
    criteria = list(item.application.fund.criteria.all())
    board_service.scores_record(
        item=item,
        member=member,
        scores={criterion.pk: value for criterion, value in zip(criteria, scores, strict=True)},
    )
    board_service.vote_cast(item=item, member=member, choice=VoteChoice.APPROVE)


def test_a_member_declares_scores_and_votes_and_the_chair_decides_on_a_phone(new_page, live_site):
    chair, member, other, recused, scored = _a_meeting_with_two_applications()
    _vote_through_the_services(scored, chair, scores=(5, 3))
    _vote_through_the_services(scored, other, scores=(3, 3))
    _vote_through_the_services(recused, chair)
    _vote_through_the_services(recused, other)

    # The member, on their phone.
    page = new_page(viewport=SMALL_SCREEN)
    sign_in_with_code(page, member)
    page.goto("/board/")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert page.get_by_role("heading", level=1).inner_text() == "What is waiting for you"

    page.get_by_role("link", name="Canal clean-up day").click()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert "07700" not in page.content()
    page.get_by_label("Yes, I have an interest in it").check()
    page.get_by_label("If you have an interest, what is it?").fill(
        "My partner is the group's treasurer"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save my declaration").click()
    assert_accessible(page)
    assert page.get_by_text(
        "You declared an interest, so you are not taking part in this decision."
    ).first.is_visible()
    assert page.get_by_role("button", name="Save my scores and vote").count() == 0
    assert page.get_by_text("Average scores").count() == 0

    page.get_by_role("link", name="Back to the agenda").click()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="Stay and play mornings").click()
    assert_accessible(page)
    page.get_by_label("No, I have no interest in it").check()
    page.get_by_role("button", name="Save my declaration").click()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    # Having declared no interest, they see how the others scored so far.
    assert page.get_by_text("4.0 out of 5").is_visible()

    page.get_by_role("group", name="Local need").get_by_label("4", exact=True).check()
    page.get_by_role("group", name="Value for money").get_by_label("2", exact=True).check()
    page.get_by_label("Comments on your scores (optional)").fill("Popular with families.")
    page.get_by_label("Approve with conditions", exact=True).check()
    page.get_by_label("If you approve with conditions", exact=False).fill(
        "Share the session timetable."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save my scores and vote").click()
    assert_accessible(page)
    assert page.get_by_text("Your scores and vote are saved.").is_visible()

    assert sorted(
        Score.objects.filter(item=scored, member=member).values_list("score", flat=True)
    ) == [2, 4]
    assert Vote.objects.get(item=scored, member=member).choice == VoteChoice.APPROVE_WITH_CONDITIONS
    assert not Vote.objects.filter(item=recused, member=member).exists()

    # The chair, on their phone.
    chair_page = new_page(viewport=SMALL_SCREEN)
    sign_in_with_code(chair_page, chair)
    chair_page.goto("/board/")
    assert_accessible(chair_page)
    assert (
        chair_page.get_by_role("link", name="Confirm the decision on Canal clean-up day").count()
        == 0
    )
    assert chair_page.get_by_role(
        "link", name="Confirm the decision on Stay and play mornings"
    ).is_visible()
    chair_page.get_by_role("link", name="Millbrook board").click()
    assert_accessible(chair_page)
    assert_no_horizontal_scroll(chair_page)

    # The recused member leaves two of three: the board cannot decide it, only defer it.
    chair_page.get_by_role("link", name="Confirm the decision on Canal clean-up day").click()
    assert_accessible(chair_page)
    assert_no_horizontal_scroll(chair_page)
    assert chair_page.get_by_text("The board is not quorate for this application").is_visible()
    assert chair_page.get_by_text("It can only be deferred.", exact=False).is_visible()
    chair_page.get_by_label("Defer to a later meeting").check()
    chair_page.get_by_label("The board’s reasons, for the minutes").fill(
        "Not quorate once a member declared an interest."
    )
    chair_page.get_by_role("button", name="Confirm the board’s decision").click()
    assert_accessible(chair_page)

    chair_page.get_by_role("link", name="Confirm the decision on Stay and play mornings").click()
    assert_accessible(chair_page)
    assert_no_horizontal_scroll(chair_page)
    assert chair_page.get_by_text("The board is quorate for this application.").is_visible()
    quorum = chair_page.locator(".govuk-summary-list").first
    assert "Voted without a conflict" in quorum.inner_text()
    assert "Needed for a decision" in quorum.inner_text()
    chair_page.get_by_label("Approve", exact=True).check()
    assert chair_page.get_by_label("Amount to award, in pounds").input_value() == "500.00"
    chair_page.get_by_label("Conditions of the grant (optional)").fill(
        "Share the session timetable."
    )
    chair_page.get_by_label("The board’s reasons, for the minutes").fill(
        "Strong local need; all three members approved."
    )
    chair_page.get_by_role("button", name="Confirm the board’s decision").click()
    assert_accessible(chair_page)
    assert chair_page.get_by_text("Stay and play mornings”: approved.", exact=False).is_visible()

    recused.refresh_from_db()
    scored.refresh_from_db()
    assert recused.outcome == ItemOutcome.DEFERRED
    assert scored.outcome == ItemOutcome.APPROVED
    assert AgendaItem.objects.get(pk=scored.pk).application.status == S.AWARDED

    # Once the meeting closes, the minutes can be read on the phone as well as downloaded.
    meeting = scored.meeting
    board_service.meeting_close(meeting=meeting, by=grants_officer(locality=meeting.board.locality))
    chair_page.goto("/board/")
    assert_accessible(chair_page)
    chair_page.get_by_role("link", name=re.compile(r"^Read the minutes")).click()
    assert_accessible(chair_page)
    assert_no_horizontal_scroll(chair_page)
    assert chair_page.get_by_text("Strong local need; all three members approved.").is_visible()
