"""The meeting pack and the minutes: tagged PDFs, downloaded (never shown in the browser), with no
contact details, and minutes that record every declaration of interest."""

import io
import re

from django.test import Client
from django.urls import reverse

import pikepdf
import pytest

from core.models.audit import AuditAction, AuditEntry
from grants.enums import ItemOutcome, VoteChoice
from grants.services import board as board_service
from tests.grants.test_board_pages import Board

pytestmark = pytest.mark.django_db

_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """A font's ToUnicode map (bfchar and bfrange entries), enough for WeasyPrint's fonts."""
    mapping: dict[int, str] = {}
    if "/ToUnicode" not in font:
        return mapping
    cmap = font.ToUnicode.read_bytes()

    def text(hex_value: bytes) -> str:
        return bytes.fromhex(hex_value.decode()).decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        values = _HEX.findall(block)
        for source, target in zip(values[::2], values[1::2], strict=False):
            mapping[int(source, 16)] = text(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for line in block.strip().splitlines():
            values = _HEX.findall(line)
            if len(values) != 3:
                continue
            start, end, target = int(values[0], 16), int(values[1], 16), values[2]
            first = int(target, 16)
            width = len(target)
            for offset, code in enumerate(range(start, end + 1)):
                mapping[code] = text(f"{first + offset:0{width}X}".encode())
    return mapping


def pdf_text(data: bytes) -> str:
    """The text drawn on every page, read through each font's ToUnicode map."""
    pdf = pikepdf.open(io.BytesIO(data))
    words = []
    for page in pdf.pages:
        fonts = {
            str(name): _to_unicode(font)
            for name, font in (page.Resources.get("/Font") or {}).items()
        }
        current: dict[int, str] = {}
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "Tf":
                current = fonts.get(str(operands[0]), {})
            elif str(operator) in ("Tj", "TJ"):
                strings = operands[0] if str(operator) == "TJ" else [operands[0]]
                chunk = []
                for part in strings:
                    if isinstance(part, pikepdf.String):
                        raw = bytes(part)
                        chunk.extend(
                            current.get(int.from_bytes(raw[i : i + 2], "big"), "")
                            for i in range(0, len(raw), 2)
                        )
                words.append("".join(chunk))
    return " ".join(" ".join(words).split())


def _squashed(text: str) -> str:
    return "".join(text.split())


def _structure_tags(node, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            seen.add(str(node.S))
        kids = node.get("/K")
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                _structure_tags(kid, seen)
        elif isinstance(kids, pikepdf.Dictionary):
            _structure_tags(kids, seen)
    return seen


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
    tags = _structure_tags(pdf.Root.StructTreeRoot)
    assert {"/Table", "/TH", "/TD", "/Caption", "/H1"} <= tags, tags
    return pdf


@pytest.fixture
def setup():
    return Board()


@pytest.fixture
def client_for(sign_in):
    def do(user) -> Client:
        client = Client()
        assert sign_in(user, client=client).status_code == 302
        return client

    return do


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
