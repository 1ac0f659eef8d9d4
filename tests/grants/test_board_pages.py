"""The advisory board's pages, as members, the chair and officers use them: declare first, then
score and vote; a member with an interest takes no part; the chair confirms what the board decided;
and nobody from another area's board sees any of it."""

import html

from django.test import Client
from django.urls import reverse

import pytest

from core.models.audit import AuditAction, AuditEntry
from grants.enums import ApplicationStatus, ItemOutcome, MeetingStatus, VoteChoice
from grants.models import AgendaItem, BoardMeeting, Declaration, Score, Vote
from grants.services import board as board_service
from tests.factories.core import LocalityFactory
from tests.factories.grants import (
    FundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


class Board:
    """A locality's board of three (quorum three), an open meeting, and two applications on it."""

    def __init__(self, *, budget: int = 1_000_000, members: int = 3, quorum: int = 3) -> None:
        self.locality = LocalityFactory()
        self.fund = FundFactory(locality=self.locality, budget=budget)
        self.board, self.chair, self.others = board_for(
            self.locality, members=members, quorum=quorum
        )
        self.officer = grants_officer(locality=self.locality)
        self.meeting = meeting_for(self.board)
        self.applications = [
            application_in(
                S.BOARD_REVIEW,
                fund=self.fund,
                contact_name="Sam Contactperson",
                contact_phone="07700 900123",
                summary="A weekly drop-in for parents, with a play corner.",
            )
            for _ in range(2)
        ]
        board_service.meeting_open(meeting=self.meeting, by=self.officer)
        self.items = board_service.agenda_add(
            meeting=self.meeting, applications=self.applications, by=self.officer
        )

    @property
    def members(self):
        return [self.chair, *self.others]

    def declare_none_and_vote(self, member, item, choice=VoteChoice.APPROVE, scores=(4, 3)):
        board_service.interest_declare(item=item, member=member, has_conflict=False)
        criteria = list(item.application.fund.criteria.all())
        board_service.scores_record(
            item=item,
            member=member,
            scores={criterion.pk: value for criterion, value in zip(criteria, scores, strict=True)},
        )
        board_service.vote_cast(item=item, member=member, choice=choice)


@pytest.fixture
def setup():
    return Board()


@pytest.fixture
def signed_in(sign_in):
    """A client signed in through the real pages (password and authenticator) as `user`."""

    def do(user) -> Client:
        client = Client()
        response = sign_in(user, client=client)
        assert response.status_code == 302, response.content[:500]
        return client

    return do


def _item_url(item) -> str:
    return reverse("grants:board-item", args=[item.pk])


def _score_vote_post(item, *, choice=VoteChoice.APPROVE, scores=(4, 5), **extra) -> dict:
    criteria = list(item.application.fund.criteria.all())
    data = {"action": "score_vote", "choice": choice, "comment": "", **extra}
    for criterion, value in zip(criteria, scores, strict=True):
        data[f"score_{criterion.pk}"] = str(value)
    return data


# --- What is waiting ---------------------------------------------------------------------------


def test_a_member_sees_what_is_waiting_for_them_open_meetings_first(setup, signed_in):
    member = setup.others[0]
    later = meeting_for(setup.board, location="Town hall")
    client = signed_in(member)

    page = client.get(reverse("grants:board-home")).content.decode()

    assert "What is waiting for you" in page
    assert page.count("Declare your interests") == 2
    for application in setup.applications:
        assert application.title in page
    assert page.index("Open</strong>") < page.index("Planned</strong>")
    assert reverse("grants:board-meeting", args=[later.pk]) in page


def test_a_member_with_nothing_to_do_is_told_so(signed_in):
    locality = LocalityFactory()
    _, _, others = board_for(locality)
    page = signed_in(others[0]).get(reverse("grants:board-home")).content.decode()
    assert "Nothing is waiting for you." in page


def test_a_member_finds_their_board_s_past_meetings_and_minutes_but_no_one_else_s(setup, signed_in):
    ours = meeting_for(setup.board)
    theirs = meeting_for(board_for(LocalityFactory())[0])
    BoardMeeting.objects.filter(pk__in=[ours.pk, theirs.pk]).update(status=MeetingStatus.CLOSED)

    page = signed_in(setup.others[0]).get(reverse("grants:board-home")).content.decode()

    assert "Past meetings" in page
    assert reverse("grants:board-minutes-page", args=[ours.pk]) in page
    assert reverse("grants:board-meeting", args=[theirs.pk]) not in page
    assert reverse("grants:board-minutes-page", args=[theirs.pk]) not in page


def test_the_chair_sees_the_items_ready_to_confirm(setup, signed_in):
    item = setup.items[0]
    for member in setup.members:
        setup.declare_none_and_vote(member, item)
    page = signed_in(setup.chair).get(reverse("grants:board-home")).content.decode()
    assert "Ready for you to confirm" in page
    assert reverse("grants:board-decide", args=[item.pk]) in page
    assert reverse("grants:board-decide", args=[setup.items[1].pk]) not in page


# --- Declaring, scoring and voting ------------------------------------------------------------


def test_a_member_declares_before_they_can_score_or_vote(setup, signed_in):
    item = setup.items[0]
    member = setup.others[0]
    client = signed_in(member)

    page = client.get(_item_url(item)).content.decode()
    assert "Declare your interests" in page
    assert 'name="action" value="score_vote"' not in page

    refused = client.post(_item_url(item), _score_vote_post(item))
    assert refused.status_code == 400
    assert "Declare your interests in this application first." in refused.content.decode()
    assert not Score.objects.exists() and not Vote.objects.exists()

    response = client.post(_item_url(item), {"action": "declare", "interest": "none"})
    assert response.status_code == 302
    assert Declaration.objects.get(item=item, member=member).has_conflict is False

    page = client.get(_item_url(item)).content.decode()
    assert 'name="action" value="score_vote"' in page
    response = client.post(_item_url(item), _score_vote_post(item, scores=(4, 5)))
    assert response.status_code == 302
    assert sorted(Score.objects.filter(member=member).values_list("score", flat=True)) == [4, 5]
    assert Vote.objects.get(member=member).choice == VoteChoice.APPROVE


def test_a_member_can_change_their_scores_and_vote_until_the_board_decides(setup, signed_in):
    item = setup.items[0]
    member = setup.others[0]
    setup.declare_none_and_vote(member, item)
    client = signed_in(member)

    response = client.post(
        _item_url(item),
        _score_vote_post(
            item,
            choice=VoteChoice.APPROVE_DIFFERENT_AMOUNT,
            scores=(1, 2),
            amount="£350.50",
        ),
    )

    assert response.status_code == 302
    vote = Vote.objects.get(member=member)
    assert (vote.choice, vote.amount_pence) == (VoteChoice.APPROVE_DIFFERENT_AMOUNT, 35050)
    assert sorted(Score.objects.filter(member=member).values_list("score", flat=True)) == [1, 2]


def test_a_member_cannot_vote_for_an_amount_the_fund_cannot_award(setup, signed_in):
    item = setup.items[0]
    member = setup.others[0]
    board_service.interest_declare(item=item, member=member, has_conflict=False)
    client = signed_in(member)
    fund = item.application.fund

    response = client.post(
        _item_url(item),
        {
            **_score_vote_post(item, choice=VoteChoice.APPROVE_DIFFERENT_AMOUNT, scores=(3, 4)),
            "amount": "999999",
            "comment": "Worth backing.",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert f"An award from {fund.name} must be {fund.limits_text}" in page
    assert 'value="999999"' in page and "Worth backing." in page
    assert not Vote.objects.exists() and not Score.objects.exists()


def test_a_member_who_has_not_declared_is_told_to_declare_even_when_naming_an_amount(
    setup, signed_in
):
    item = setup.items[0]
    client = signed_in(setup.others[0])

    response = client.post(
        _item_url(item),
        _score_vote_post(item, choice=VoteChoice.APPROVE_DIFFERENT_AMOUNT, amount="350"),
    )

    assert response.status_code == 400
    assert "Declare your interests in this application first." in response.content.decode()
    assert not Vote.objects.exists() and not Score.objects.exists()


def test_a_score_vote_form_missing_answers_says_what_is_missing(setup, signed_in):
    item = setup.items[0]
    member = setup.others[0]
    board_service.interest_declare(item=item, member=member, has_conflict=False)
    client = signed_in(member)
    data = _score_vote_post(item, choice=VoteChoice.APPROVE_WITH_CONDITIONS)
    del data[f"score_{item.application.fund.criteria.first().pk}"]

    response = client.post(_item_url(item), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Score “Local need” from 0 to 5" in page
    assert "Write the conditions you would attach" in page
    assert not Vote.objects.exists()


def test_a_conflict_must_say_what_the_interest_is(setup, signed_in):
    item = setup.items[0]
    client = signed_in(setup.others[0])
    response = client.post(_item_url(item), {"action": "declare", "interest": "conflict"})
    assert response.status_code == 400
    assert "Say what your interest is" in response.content.decode()
    assert not Declaration.objects.exists()


def test_a_board_member_with_a_conflict_cannot_see_scores_or_vote(setup, signed_in):
    item = setup.items[0]
    conflicted = setup.others[0]
    setup.declare_none_and_vote(setup.chair, item, scores=(3, 2))
    setup.declare_none_and_vote(setup.others[1], item, scores=(3, 2))
    client = signed_in(conflicted)

    response = client.post(
        _item_url(item),
        {"action": "declare", "interest": "conflict", "nature": "I chair the group’s committee"},
    )
    assert response.status_code == 302
    page = client.get(_item_url(item)).content.decode()

    assert "You declared an interest, so you are not taking part in this decision." in page
    assert "I chair the group’s committee" in page
    assert "Average scores" not in page and "3.0 out of 5" not in page
    assert "Each member’s vote" not in page and "Votes so far" not in page
    assert 'name="action" value="score_vote"' not in page
    assert 'name="score_' not in page
    assert item.application.title in page  # they know which application it is, and no more
    assert "A weekly drop-in for parents" not in page
    assert "the application’s answers, budget and documents are not shown to you" in page

    refused = client.post(_item_url(item), _score_vote_post(item, choice=VoteChoice.DECLINE))
    assert refused.status_code == 403
    assert "You declared an interest" in refused.content.decode()
    assert not Score.objects.filter(member=conflicted).exists()
    assert not Vote.objects.filter(member=conflicted).exists()
    assert board_service.tally(item)[VoteChoice.DECLINE] == 0


def test_a_member_who_declared_no_interest_sees_the_others_scores(setup, signed_in):
    item = setup.items[0]
    setup.declare_none_and_vote(setup.chair, item, scores=(3, 2))
    member = setup.others[0]
    client = signed_in(member)

    before = client.get(_item_url(item)).content.decode()
    assert "3.0 out of 5" not in before

    board_service.interest_declare(item=item, member=member, has_conflict=False)
    after = client.get(_item_url(item)).content.decode()
    assert "3.0 out of 5" in after and "2.0 out of 5" in after
    assert "1 to approve, 0 to decline, 0 to defer" in after


def test_the_item_page_never_shows_contact_details_or_members_emails(setup, signed_in):
    item = setup.items[0]
    member = setup.others[0]
    page = signed_in(member).get(_item_url(item)).content.decode()

    application = item.application
    assert application.title in page and application.summary in page
    assert "£500.00" in page
    assert "What difference will it make, and to whom?" in page
    assert "Parents meet others." in page
    assert "Sam Contactperson" not in page and "07700 900123" not in page
    assert application.created_by.email not in page
    for other in [setup.chair, setup.others[1]]:
        assert other.email not in page


# --- The chair's decision ---------------------------------------------------------------------


def _decide_url(item) -> str:
    return reverse("grants:board-decide", args=[item.pk])


def test_the_chair_confirms_an_award_and_the_fund_commits_the_money(setup, signed_in):
    item = setup.items[0]
    for member in setup.members:
        setup.declare_none_and_vote(member, item)
    client = signed_in(setup.chair)

    page = client.get(_decide_url(item)).content.decode()
    assert "The board is quorate for this application." in page
    assert 'value="500.00"' in page  # the amount defaults to what the group asked for

    response = client.post(
        _decide_url(item),
        {
            "outcome": ItemOutcome.APPROVED,
            "amount": "500.00",
            "conditions": "Send photos of the play corner.",
            "reasons": "Strong local need; good value.",
        },
    )

    assert response.status_code == 302
    item.refresh_from_db()
    application = item.application
    application.refresh_from_db()
    setup.fund.refresh_from_db()
    assert item.outcome == ItemOutcome.APPROVED
    assert item.decision_reasons == "Strong local need; good value."
    assert application.status == S.AWARDED
    assert application.amount_awarded_pence == 50000
    assert application.award_conditions == "Send photos of the play corner."
    assert setup.fund.committed_pence == 50000


def test_an_amount_outside_the_funds_limits_is_refused_with_the_limits_and_the_answers_kept(
    setup, signed_in
):
    item = setup.items[0]
    for member in setup.members:
        setup.declare_none_and_vote(member, item)
    client = signed_in(setup.chair)
    fund = setup.fund

    response = client.post(
        _decide_url(item),
        {
            "outcome": ItemOutcome.APPROVED,
            "amount": "999999.00",
            "conditions": "Send photos of the play corner.",
            "reasons": "Strong local need; good value.",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert f"An award from {fund.name} must be {fund.limits_text}." in " ".join(
        html.unescape(page).split()
    )
    assert "Strong local need; good value." in page  # nothing typed is lost
    item.refresh_from_db()
    fund.refresh_from_db()
    assert item.outcome == ItemOutcome.PENDING
    assert item.application.status == S.BOARD_REVIEW
    assert fund.committed_pence == 0


def test_the_chair_declines_with_a_reason_and_feedback_for_the_group(setup, signed_in):
    item = setup.items[0]
    for member in setup.members:
        setup.declare_none_and_vote(member, item, choice=VoteChoice.DECLINE)
    client = signed_in(setup.chair)

    response = client.post(
        _decide_url(item),
        {
            "outcome": ItemOutcome.DECLINED,
            "decline_reason": "outside_priorities",
            "feedback": "Tell us more about who the drop-in reaches.",
            "reasons": "Outside this year's priorities.",
        },
    )

    assert response.status_code == 302
    item.refresh_from_db()
    application = item.application
    application.refresh_from_db()
    assert item.outcome == ItemOutcome.DECLINED
    assert item.decision_reasons == "Outside this year's priorities."
    assert application.status == S.DECLINED
    assert application.decline_reason == "outside_priorities"
    assert application.feedback == "Tell us more about who the drop-in reaches."


def test_a_decline_needs_a_reason_and_feedback(setup, signed_in):
    item = setup.items[0]
    client = signed_in(setup.chair)
    response = client.post(
        _decide_url(item), {"outcome": ItemOutcome.DECLINED, "reasons": "Outside priorities."}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the main reason it is not being funded" in page
    assert "Write feedback for the group" in page


def test_quorum_is_recalculated_without_a_conflicted_member(setup, signed_in):
    """Three members, quorum three: one declares a conflict, so the item can only be deferred."""
    item = setup.items[0]
    board_service.interest_declare(
        item=item, member=setup.others[0], has_conflict=True, nature="My sister runs the group"
    )
    setup.declare_none_and_vote(setup.chair, item)
    setup.declare_none_and_vote(setup.others[1], item)
    client = signed_in(setup.chair)

    page = client.get(_decide_url(item)).content.decode()
    assert "The board is not quorate for this application" in page
    assert "It can only be deferred." in page
    quorum = board_service.quorum_for(item)
    assert (quorum.members, quorum.conflicted, quorum.voted, quorum.required) == (3, 1, 2, 3)

    refused = client.post(
        _decide_url(item),
        {"outcome": ItemOutcome.APPROVED, "amount": "500", "reasons": "Good application."},
    )
    assert refused.status_code == 400
    assert "isn’t quorate" in refused.content.decode()
    assert "There is a problem" in refused.content.decode()
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.PENDING
    assert item.application.status == S.BOARD_REVIEW

    deferred = client.post(
        _decide_url(item),
        {"outcome": ItemOutcome.DEFERRED, "reasons": "Not quorate: back at the next meeting."},
    )
    assert deferred.status_code == 302
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.DEFERRED


def test_a_refused_award_says_how_much_is_left_and_keeps_the_form(signed_in):
    setup = Board(budget=30000)
    item = setup.items[0]
    for member in setup.members:
        setup.declare_none_and_vote(member, item)
    client = signed_in(setup.chair)

    response = client.post(
        _decide_url(item),
        {
            "outcome": ItemOutcome.APPROVED,
            "amount": "500",
            "conditions": "Keep receipts.",
            "reasons": "Good value.",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "£300.00" in page
    assert "Keep receipts." in page and "Good value." in page
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.PENDING


def test_a_member_who_is_not_the_chair_cannot_decide(setup, signed_in):
    item = setup.items[0]
    for member in setup.members:
        setup.declare_none_and_vote(member, item)
    client = signed_in(setup.others[0])

    assert client.get(_decide_url(item)).status_code == 403
    response = client.post(
        _decide_url(item),
        {"outcome": ItemOutcome.APPROVED, "amount": "500", "reasons": "We all agreed."},
    )
    assert response.status_code == 403
    assert "Only the chair" in response.content.decode()
    assert f'href="{_item_url(item)}">Go back</a>' in response.content.decode()
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.PENDING


def test_when_the_chair_has_a_conflict_an_officer_records_the_boards_decision(signed_in):
    setup = Board(members=4, quorum=3)
    item, other_item = setup.items
    board_service.interest_declare(
        item=item, member=setup.chair, has_conflict=True, nature="My sister runs this group."
    )
    for member in setup.others:
        setup.declare_none_and_vote(member, item)

    chair = signed_in(setup.chair)
    refused = chair.get(_decide_url(item))
    assert refused.status_code == 403
    assert "A grants officer for the area records it instead" in refused.content.decode()

    officer = signed_in(setup.officer)
    home = officer.get(reverse("grants:board-home")).content.decode()
    assert "Ready for you to record, as clerk: the chair declared an interest" in home
    assert _decide_url(item) in home and _decide_url(other_item) not in home
    agenda = officer.get(reverse("grants:board-meeting", args=[setup.meeting.pk])).content.decode()
    assert _decide_url(item) in agenda
    assert _decide_url(other_item) not in agenda  # the chair has no conflict there
    assert "The board is quorate for this application." in officer.get(_decide_url(item)).text
    response = officer.post(
        _decide_url(item),
        {"outcome": ItemOutcome.APPROVED, "amount": "500.00", "reasons": "Three votes to approve."},
    )

    assert response.status_code == 302
    item.refresh_from_db()
    item.application.refresh_from_db()
    assert item.outcome == ItemOutcome.APPROVED
    assert item.application.status == S.AWARDED
    assert AuditEntry.objects.filter(
        actor_id=setup.officer.pk, object_id=str(item.pk), to_state=ItemOutcome.APPROVED
    ).exists()


def test_an_officer_does_not_record_a_decision_the_chair_can_make(setup, signed_in):
    item = setup.items[0]
    for member in setup.members:
        setup.declare_none_and_vote(member, item)
    officer = signed_in(setup.officer)

    response = officer.post(
        _decide_url(item),
        {"outcome": ItemOutcome.APPROVED, "amount": "500", "reasons": "We all agreed."},
    )

    assert response.status_code == 403
    assert "The chair confirms the board’s decision" in response.content.decode()
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.PENDING


# --- Running the meeting ----------------------------------------------------------------------


def test_an_officer_opens_a_meeting_adds_the_waiting_applications_and_closes_it(signed_in):
    locality = LocalityFactory()
    fund = FundFactory(locality=locality)
    board, chair, _ = board_for(locality)
    officer = grants_officer(locality=locality)
    meeting = meeting_for(board)
    waiting = [application_in(S.BOARD_REVIEW, fund=fund) for _ in range(2)]
    elsewhere = application_in(S.BOARD_REVIEW, fund=FundFactory())
    client = signed_in(officer)
    meeting_url = reverse("grants:board-meeting", args=[meeting.pk])

    page = client.get(meeting_url).content.decode()
    assert "2 applications are waiting for the board" in page

    assert client.post(reverse("grants:board-agenda-add", args=[meeting.pk])).status_code == 302
    assert set(meeting.items.values_list("application", flat=True)) == {a.pk for a in waiting}
    assert not AgendaItem.objects.filter(application=elsewhere).exists()

    assert client.post(reverse("grants:board-meeting-open", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.OPEN

    refused = client.post(reverse("grants:board-meeting-close", args=[meeting.pk]))
    assert refused.status_code == 409
    assert "2 applications are still to be decided" in refused.content.decode()

    for item in meeting.items.all():
        board_service.decision_confirm(
            item=item, by=chair, outcome=ItemOutcome.DEFERRED, reasons="Next time."
        )
    assert client.post(reverse("grants:board-meeting-close", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED


def test_a_member_cannot_open_the_meeting_and_a_wrong_state_action_is_explained(setup, signed_in):
    member_client = signed_in(setup.others[0])
    refused = member_client.post(reverse("grants:board-meeting-open", args=[setup.meeting.pk]))
    assert refused.status_code == 403

    officer_client = signed_in(setup.officer)
    again = officer_client.post(reverse("grants:board-meeting-open", args=[setup.meeting.pk]))
    assert again.status_code == 409
    assert "This can’t be done now" in again.content.decode()


def test_the_agenda_shows_each_items_state_for_the_member(setup, signed_in):
    first, second = setup.items
    member = setup.others[0]
    setup.declare_none_and_vote(member, first)
    board_service.interest_declare(item=second, member=member, has_conflict=True, nature="Friend")

    page = signed_in(member).get(reverse("grants:board-meeting", args=[setup.meeting.pk]))
    text = page.content.decode()
    assert "Scored and voted" in text
    assert "You declared an interest" in text
    assert reverse("grants:board-pack", args=[setup.meeting.pk]) in text
    assert reverse("grants:board-minutes", args=[setup.meeting.pk]) not in text


# --- Who sees what ----------------------------------------------------------------------------


def _every_url(setup) -> list[tuple[str, str]]:
    meeting, item = setup.meeting.pk, setup.items[0].pk
    return [
        ("get", reverse("grants:board-meeting", args=[meeting])),
        ("post", reverse("grants:board-meeting-open", args=[meeting])),
        ("post", reverse("grants:board-agenda-add", args=[meeting])),
        ("post", reverse("grants:board-meeting-close", args=[meeting])),
        ("get", reverse("grants:board-pack", args=[meeting])),
        ("get", reverse("grants:board-minutes", args=[meeting])),
        ("get", reverse("grants:board-item", args=[item])),
        ("post", reverse("grants:board-item", args=[item])),
        ("get", reverse("grants:board-decide", args=[item])),
        ("post", reverse("grants:board-decide", args=[item])),
    ]


def test_a_member_of_another_board_gets_404_on_every_url(setup, signed_in):
    other = Board()
    client = signed_in(other.chair)
    before = AuditEntry.objects.filter(action=AuditAction.DENIED).count()

    for method, url in _every_url(setup):
        data = {"action": "declare", "interest": "none"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)

    assert AuditEntry.objects.filter(action=AuditAction.DENIED).count() - before == len(
        _every_url(setup)
    )
    assert not Declaration.objects.filter(member=other.chair, item__meeting=setup.meeting).exists()
    home = client.get(reverse("grants:board-home")).content.decode()
    assert setup.applications[0].title not in home


def test_an_officer_for_another_area_gets_404_and_a_former_member_too(setup, signed_in):
    stranger = grants_officer(locality=LocalityFactory())
    former = setup.others[1]
    setup.board.memberships.filter(user=former).update(left_on="2020-01-01")
    for person in (stranger, former):
        client = signed_in(person)
        for method, url in _every_url(setup):
            assert getattr(client, method)(url).status_code == 404, (person, url)


def test_deciding_at_a_meeting_that_is_not_open_is_explained_not_an_error(signed_in):
    locality = LocalityFactory()
    fund = FundFactory(locality=locality)
    board, chair, _ = board_for(locality)
    officer = grants_officer(locality=locality)
    meeting = meeting_for(board)
    application = application_in(S.BOARD_REVIEW, fund=fund)
    (item,) = board_service.agenda_add(meeting=meeting, applications=[application], by=officer)
    client = signed_in(chair)

    page = client.get(_decide_url(item))
    assert page.status_code == 409
    assert "The meeting isn’t open" in page.content.decode()

    declared = client.post(_item_url(item), {"action": "declare", "interest": "none"})
    assert declared.status_code == 409
    assert "The meeting isn’t open for this yet." in declared.content.decode()
    assert not Declaration.objects.exists()
