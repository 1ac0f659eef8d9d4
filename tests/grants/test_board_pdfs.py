"""The meeting pack and the minutes: tagged PDFs, downloaded (never shown in the browser), with no
contact details, and minutes that record every declaration of interest."""

import io

from django.urls import reverse

import pikepdf
import pytest

from core.models.audit import AuditAction, AuditEntry
from grants.enums import ItemOutcome, VoteChoice
from grants.services import board as board_service
from tests.grants.test_board_pages import Board
from tests.pdfs import pdf_text, structure_elements

pytestmark = pytest.mark.django_db


def _squashed(text: str) -> str:
    return "".join(text.split())


def _assert_tagged_download(response) -> pikepdf.Pdf:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    pdf = pikepdf.open(io.BytesIO(response.content))
    assert bool(pdf.Root.MarkInfo.Marked)
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == "en-GB"
    tags = {str(element.S) for element in structure_elements(pdf.Root.StructTreeRoot)}
    assert {"/Table", "/TH", "/TD", "/Caption", "/H1"} <= tags, tags
    return pdf


@pytest.fixture
def setup():
    return Board()


def test_the_meeting_pack_is_a_tagged_download_without_contact_details(setup, client_for):
    response = client_for(setup.others[0]).get(
        reverse("grants:board-pack", args=[setup.meeting.pk])
    )

    _assert_tagged_download(response)
    text = _squashed(pdf_text(response.content))
    assert _squashed(setup.board.name) in text
    for application in setup.applications:
        assert _squashed(application.title) in text
        assert _squashed(application.organisation.name) in text
    assert "£500.00" in text
    assert _squashed("What difference will it make, and to whom?") in text
    assert "Contactperson" not in text and "07700" not in text and "900123" not in text
    assert "@example.test" not in text
    assert AuditEntry.objects.filter(
        action=AuditAction.DOWNLOAD, object_id=str(setup.meeting.pk)
    ).exists()


def test_a_members_pack_leaves_out_an_application_they_declared_an_interest_in(setup, client_for):
    member = setup.others[0]
    board_service.interest_declare(
        item=setup.items[0], member=member, has_conflict=True, nature="I run this group."
    )

    response = client_for(member).get(reverse("grants:board-pack", args=[setup.meeting.pk]))

    text = _squashed(pdf_text(response.content))
    assert (
        _squashed("You declared an interest in this application, so it is not in your pack.")
        in text
    )
    assert _squashed(f"Item 1: {setup.applications[0].title}") not in text
    assert _squashed(f"Item 2: {setup.applications[1].title}") in text
    officers = client_for(setup.officer).get(reverse("grants:board-pack", args=[setup.meeting.pk]))
    assert _squashed(f"Item 1: {setup.applications[0].title}") in _squashed(
        pdf_text(officers.content)
    )


def test_the_minutes_list_every_declaration_and_the_decision(setup, client_for):
    first, second = setup.items
    conflicted = setup.others[0]
    board_service.interest_declare(
        item=first, member=conflicted, has_conflict=True, nature="Treasurer of the group"
    )
    setup.declare_none_and_vote(setup.chair, first)
    setup.declare_none_and_vote(setup.others[1], first)
    for member in setup.members:
        setup.declare_none_and_vote(member, second, choice=VoteChoice.APPROVE, scores=(5, 4))
    board_service.decision_confirm(
        item=first, by=setup.chair, outcome=ItemOutcome.DEFERRED, reasons="Not quorate today."
    )
    board_service.decision_confirm(
        item=second, by=setup.chair, outcome=ItemOutcome.APPROVED, reasons="Clear local need."
    )
    board_service.meeting_close(meeting=setup.meeting, by=setup.officer)

    response = client_for(setup.others[1]).get(
        reverse("grants:board-minutes", args=[setup.meeting.pk])
    )

    _assert_tagged_download(response)
    text = pdf_text(response.content)
    squashed = _squashed(text)
    for member in setup.members:
        assert _squashed(member.full_name) in squashed
        assert member.email not in text
    assert _squashed("Declared an interest: Treasurer of the group") in squashed
    # Declarations: three on each item, all listed.
    assert squashed.count("Nointerest") == 5
    assert _squashed("Decision: Deferred") in squashed
    assert _squashed("Decision: Approved, £500.00") in squashed
    assert _squashed("Not quorate today.") in squashed
    assert _squashed("Clear local need.") in squashed
    assert _squashed("3 to approve, 0 to decline, 0 to defer") in squashed
    assert _squashed("5.0 out of 5") in squashed  # the second item's "Local need"
    assert _squashed("3.0 out of 5") in squashed  # the first item's "Value for money"
    assert "Contactperson" not in text and "07700" not in text


def test_members_get_the_minutes_once_the_meeting_closes_officers_any_time(setup, client_for):
    url = reverse("grants:board-minutes", args=[setup.meeting.pk])
    member = client_for(setup.others[0])
    early = member.get(url)
    assert early.status_code == 409
    assert "once the meeting has closed" in early.content.decode()

    officer = client_for(setup.officer)
    draft = officer.get(url)
    _assert_tagged_download(draft)
    assert "Draft" in pdf_text(draft.content)
