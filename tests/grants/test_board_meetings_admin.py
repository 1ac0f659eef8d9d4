"""An officer plans the board's meetings in the staff admin, for their own localities' boards and
rounds; the meeting is then run on the board's pages."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from core.models.audit import AuditAction, AuditEntry
from grants.enums import ApplicationStatus, MeetingStatus
from grants.models import BoardMeeting
from grants.services import board as board_service
from grants.services import decisions
from tests.factories.core import LocalityFactory
from tests.factories.grants import (
    FundFactory,
    RoundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/board-meetings/new/"


def _next_week() -> str:
    when = timezone.localtime() + datetime.timedelta(days=7)
    return when.replace(hour=18, minute=30).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def ashby():
    locality = LocalityFactory(name="Ashby Vale")
    fund = FundFactory(locality=locality, is_rolling=False)
    board, chair, _ = board_for(locality)
    return {
        "locality": locality,
        "fund": fund,
        "round": RoundFactory(fund=fund, name="Spring 2027"),
        "board": board,
        "chair": chair,
        "officer": grants_officer(locality=locality),
    }


def test_an_officer_plans_a_meeting_for_their_boards_round_and_the_chair_finds_it(
    client, sign_in, ashby
):
    sign_in(ashby["officer"])
    form = client.get(ADD_URL)
    assert form.status_code == 200
    assert "Spring 2027" in form.text

    response = client.post(
        ADD_URL,
        {
            "board": ashby["board"].pk,
            "round": ashby["round"].pk,
            "held_at": _next_week(),
            "location": "Ashby Vale Library",
        },
    )

    assert response.status_code == 302
    meeting = BoardMeeting.objects.get()
    assert (meeting.board, meeting.round, meeting.status) == (
        ashby["board"],
        ashby["round"],
        MeetingStatus.PLANNED,
    )
    assert AuditEntry.objects.for_object(meeting).filter(action=AuditAction.CREATE).exists()
    listing = client.get("/admin/board-meetings/")
    assert reverse("grants:board-meeting", args=[meeting.pk]) in listing.text
    assert "Spring 2027" in listing.text

    sign_in(ashby["chair"])
    assert "Ashby Vale Library" in client.get(reverse("grants:board-home")).text


def test_a_meeting_for_a_round_takes_that_rounds_and_round_less_applications_not_other_rounds(
    client, sign_in, ashby
):
    in_round = application_in(ApplicationStatus.BOARD_REVIEW, fund=ashby["fund"])
    in_round.round = ashby["round"]
    in_round.save(update_fields=["round"])
    other_round = RoundFactory(fund=ashby["fund"], name="Autumn 2026")
    earlier = application_in(ApplicationStatus.BOARD_REVIEW, fund=ashby["fund"])
    earlier.round = other_round
    earlier.save(update_fields=["round"])
    referred = decisions.board_referral(
        application=application_in(
            ApplicationStatus.OFFICER_DECISION,
            fund=FundFactory(locality=ashby["locality"], rapid=True),
        ),
        by=ashby["officer"],
        reason="Above my delegated limit.",
    )
    assert referred.round is None
    meeting = meeting_for(ashby["board"], round=ashby["round"])
    sign_in(ashby["officer"])

    page = client.get(reverse("grants:board-meeting", args=[meeting.pk]))
    assert "2 applications are waiting for the board" in page.text
    client.post(reverse("grants:board-agenda-add", args=[meeting.pk]))

    assert set(meeting.items.values_list("application", flat=True)) == {in_round.pk, referred.pk}


def test_a_meeting_cannot_be_planned_for_another_localitys_board_or_in_the_past(
    client, sign_in, ashby
):
    millbrook = LocalityFactory(name="Millbrook")
    other_board, _, _ = board_for(millbrook)
    other_round = RoundFactory(fund=FundFactory(locality=millbrook), name="Millbrook spring")
    sign_in(ashby["officer"])

    form = client.get(ADD_URL).text
    assert "Millbrook spring" not in form
    response = client.post(
        ADD_URL,
        {
            "board": other_board.pk,
            "round": other_round.pk,
            "held_at": "2020-01-01 18:00",
            "location": "",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert BoardMeeting.objects.count() == 0

    response = client.post(
        ADD_URL, {"board": ashby["board"].pk, "held_at": "2020-01-01 18:00", "location": ""}
    )
    assert response.status_code == 200
    assert "Choose a date and time from now on." in response.text
    assert BoardMeeting.objects.count() == 0


def test_another_localitys_meeting_is_not_listed_or_editable(client, sign_in, ashby):
    millbrook = LocalityFactory(name="Millbrook")
    other_board, _, _ = board_for(millbrook)
    theirs = meeting_for(other_board, location="Millbrook Community Centre")
    sign_in(ashby["officer"])

    assert "Millbrook Community Centre" not in client.get("/admin/board-meetings/").text
    response = client.post(
        f"/admin/board-meetings/edit/{theirs.pk}/",
        {"board": other_board.pk, "held_at": _next_week(), "location": "Moved"},
    )
    assert response.status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.location == "Millbrook Community Centre"


def test_an_open_meetings_board_and_round_stay_as_they_were(client, sign_in, ashby):
    meeting = meeting_for(ashby["board"], round=ashby["round"])
    board_service.meeting_open(meeting=meeting, by=ashby["officer"])
    other_round = RoundFactory(fund=ashby["fund"], name="Autumn 2026")
    sign_in(ashby["officer"])

    response = client.post(
        f"/admin/board-meetings/edit/{meeting.pk}/",
        {
            "board": ashby["board"].pk,
            "round": other_round.pk,
            "held_at": _next_week(),
            "location": "The school hall",
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.round == ashby["round"]
    assert meeting.location == "The school hall"
