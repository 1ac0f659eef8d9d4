"""Security matrix row 60 on the real documents: every PDF a group, a board or a commissioner
downloads (the grant agreement, the meeting pack, the minutes, the committee report) is a tagged
PDF a screen reader can follow, titled and in British English, with described pictures and
tables that have header cells, and the page that offers it offers the same content as a web page.

Row 21 on the real documents too: what people type into an application that ends up in a PDF can
make the PDF generator neither read the server's files nor reach its network."""

import datetime
import io
import re
import socket
import threading
from dataclasses import dataclass
from html import unescape

from django.urls import reverse

import pikepdf
import pytest

from grants.enums import ApplicationStatus, ItemOutcome, VoteChoice
from grants.services import awards
from grants.services import board as board_service
from grants.services.decisions import award_make
from outcomes.models import ReportExport
from tests.factories import OrganisationFactory
from tests.factories.core import LocalityFactory
from tests.factories.grants import FundFactory, application_in, grants_officer
from tests.grants.test_board_pages import Board
from tests.outcomes.test_report_page import commissioner_for, period, record_help
from tests.pdfs import pdf_text, structure_elements

pytestmark = pytest.mark.django_db
S = ApplicationStatus
ACCEPTANCE = {"name": "Priya Shah", "role": "Treasurer", "declaration": "on"}


# --- Reading a PDF's structure ---------------------------------------------------------------------


def _kind(element: pikepdf.Dictionary) -> str:
    return str(element.S)


@dataclass
class Reading:
    """What a screen reader gets from a PDF."""

    pdf: pikepdf.Pdf
    text: str
    figures: list[pikepdf.Dictionary]
    tables: list[pikepdf.Dictionary]


def assert_accessible_pdf(data: bytes, *, title: str) -> Reading:
    """Tagged PDF/UA: structure tree and Marked, the language, a title shown in place of the file
    name, alternative text on every figure, header cells in every table (and each data cell tied
    to its headers)."""
    assert data.startswith(b"%PDF-")
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    assert "/StructTreeRoot" in root
    assert bool(root.MarkInfo.Marked)
    assert str(root.Lang) == "en-GB"
    with pdf.open_metadata() as metadata:
        xmp_title = str(metadata.get("dc:title", ""))
        assert str(metadata.get("pdfuaid:part", "")) == "1"
    assert title in (str(pdf.docinfo.get("/Title", "")), xmp_title)
    assert bool(root.ViewerPreferences.DisplayDocTitle)
    text = pdf_text(data)
    assert title in text  # the title is the document's own heading, not just its metadata

    elements = list(structure_elements(root.StructTreeRoot))
    kinds = [_kind(element) for element in elements]
    assert kinds.count("/H1") == 1
    figures = [element for element in elements if _kind(element) == "/Figure"]
    for figure in figures:
        assert str(figure.get("/Alt", "")).strip(), "a picture has no alternative text"
    tables = [element for element in elements if _kind(element) == "/Table"]
    assert tables, "the document has no tables"
    for table in tables:
        cells = list(structure_elements(table))
        headers = {str(cell.ID) for cell in cells if _kind(cell) == "/TH" and "/ID" in cell}
        assert headers, "a table has no header cells"
        assert any(_kind(cell) == "/Caption" for cell in cells), "a table has no caption"
        for cell in cells:
            if _kind(cell) == "/TD" and "/A" in cell and "/Headers" in cell.A:
                assert {str(header) for header in cell.A.Headers} <= headers
    return Reading(pdf=pdf, text=text, figures=figures, tables=tables)


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


def _squashed(text: str) -> str:
    return "".join(text.split())


# --- The grant agreement -------------------------------------------------------------------------


@pytest.fixture
def agreement(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = application_in(S.AGREEMENT_ISSUED, fund=FundFactory(rapid=True))
    return application


def test_the_grant_agreement_is_an_accessible_pdf_as_issued_and_as_accepted(
    client, agreement, django_capture_on_commit_callbacks
):
    client.force_login(agreement.created_by)
    title = f"Grant agreement {agreement.reference}"
    pdf_url = reverse("grants:agreement-pdf", args=[agreement.pk])

    issued = assert_accessible_pdf(_body(client.get(pdf_url)), title=title)
    assert "Not yet accepted" in issued.text

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("grants:agreement", args=[agreement.pk]), ACCEPTANCE)
    accepted = assert_accessible_pdf(_body(client.get(pdf_url)), title=title)
    assert "Accepted online on behalf of" in accepted.text


def test_the_agreement_page_that_offers_the_pdf_is_the_same_agreement_as_a_web_page(
    client, agreement
):
    client.force_login(agreement.created_by)
    page = client.get(reverse("grants:agreement", args=[agreement.pk]))
    html = page.content.decode()
    data = awards.agreement_pdf(agreement, agreement.agreement)
    printed = pdf_text(data)

    assert f'href="{reverse("grants:agreement-pdf", args=[agreement.pk])}"' in html
    # What the PDF says, the page says: who, how much, for what, when paid, on what conditions.
    for fact in (
        agreement.reference,
        "£500.00",
        agreement.title,
        agreement.summary,
        agreement.organisation.name,
        "Payments under this agreement",
        "keep receipts for six years",
    ):
        assert fact in printed, fact
        assert fact in html, fact
    tranche = agreement.tranches.get()
    assert f"{tranche.due_on:%-d %B %Y}" in printed
    assert f"{tranche.due_on:%-d %B %Y}" in html
    assert '<th scope="col" class="govuk-table__header">' in html


# --- The board's papers ----------------------------------------------------------------------------


@pytest.fixture
def decided() -> Board:
    """A board meeting whose two applications are decided and which has closed."""
    setup = Board()
    first, second = setup.items
    board_service.interest_declare(
        item=first, member=setup.others[0], has_conflict=True, nature="Treasurer of the group"
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
    return setup


def _meeting_title(kind: str, setup: Board) -> str:
    meeting = setup.meeting
    meeting.refresh_from_db()
    return f"{kind}: {meeting.board}, {meeting.held_at:%-d %B %Y}"


def test_the_meeting_pack_and_the_minutes_are_accessible_pdfs(decided, client_for):
    member = client_for(decided.others[1])

    pack = member.get(reverse("grants:board-pack", args=[decided.meeting.pk]))
    read = assert_accessible_pdf(_body(pack), title=_meeting_title("Meeting pack", decided))
    assert len(read.tables) >= 4  # the meeting, the agenda, and each application's details

    minutes = member.get(reverse("grants:board-minutes", args=[decided.meeting.pk]))
    read = assert_accessible_pdf(_body(minutes), title=_meeting_title("Minutes", decided))
    assert _squashed("Declared an interest: Treasurer of the group") in _squashed(read.text)


def test_the_meeting_page_offers_the_packs_contents_as_web_pages(decided, client_for):
    member = client_for(decided.others[1])
    meeting_page = member.get(reverse("grants:board-meeting", args=[decided.meeting.pk]))
    html = meeting_page.content.decode()
    assert reverse("grants:board-pack", args=[decided.meeting.pk]) in html
    pack = pdf_text(_body(member.get(reverse("grants:board-pack", args=[decided.meeting.pk]))))

    for item in decided.items:
        application = item.application
        item_url = reverse("grants:board-item", args=[item.pk])
        assert f'href="{item_url}"' in html
        item_page = member.get(item_url).content.decode()
        for fact in (
            application.title,
            application.organisation.name,
            application.reference,
            application.summary,
            "What difference will it make, and to whom?",
            "Parents meet others.",
        ):
            assert _squashed(fact) in _squashed(pack), fact
            assert fact in item_page, fact


def test_the_meeting_page_offers_the_minutes_as_a_web_page_too(decided, client_for):
    member = client_for(decided.others[1])
    meeting_url = reverse("grants:board-meeting", args=[decided.meeting.pk])
    html = member.get(meeting_url).content.decode()
    minutes_url = reverse("grants:board-minutes-page", args=[decided.meeting.pk])
    assert minutes_url in html
    assert reverse("grants:board-minutes", args=[decided.meeting.pk]) in html

    page = member.get(minutes_url)
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    for fact in (
        "Not quorate today.",
        "Clear local need.",
        "Declared an interest: Treasurer of the group",
        decided.others[0].full_name,
        "Quorum:",
    ):
        assert fact in text, fact


# --- The committee report: the one document with pictures ------------------------------------------


@pytest.fixture
def committee_export(client, django_capture_on_commit_callbacks):
    locality = LocalityFactory()
    provider = OrganisationFactory()
    for _ in range(6):
        record_help(
            provider=provider, locality=locality, assessed=["yellow", "orange"], closed=["blue"]
        )
    client.force_login(commissioner_for([locality]))
    query = period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post("/outcomes/reports/committee/", query)
    assert asked.status_code == 302
    return ReportExport.objects.get(), query


def test_the_committee_reports_charts_are_described_in_the_pdf(client, committee_export):
    export, _ = committee_export
    title = "Family-reported outcomes, 1 April 2025 to 31 March 2026"
    response = client.get(f"/outcomes/reports/committee/{export.pk}/download/")

    read = assert_accessible_pdf(_body(response), title=title)

    assert len(read.figures) >= 2  # the triage levels, the case outcomes
    alts = [str(figure.Alt) for figure in read.figures]
    assert any(alt.startswith("Share of triages with an issue at each level") for alt in alts)


def test_the_page_offering_the_committee_report_leads_to_the_same_figures_as_a_web_page(
    client, committee_export
):
    export, _ = committee_export
    page = client.get(f"/outcomes/reports/committee/{export.pk}/").content.decode()
    assert f"/outcomes/reports/committee/{export.pk}/download/" in page
    links = re.findall(r'href="(/outcomes/reports/\?[^"]+)"', page)
    assert len(links) == 1, links

    figures = client.get(unescape(links[0]))
    assert figures.status_code == 200
    shown = figures.content.decode()
    printed = pdf_text(_body(client.get(f"/outcomes/reports/committee/{export.pk}/download/")))
    for fact in (
        "1 April 2025 to 31 March 2026",
        "Triages with an issue at each level",
        "How cases closed",
        "Yellow (Extra help)",
        "100% decrease",
    ):
        assert fact in printed, fact
        assert fact in shown, fact
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="seedbed-chart" role="img"' in shown


# --- Row 21: typed addresses in a real document ----------------------------------------------------


@pytest.fixture
def loopback_listener():
    """A bare socket on 127.0.0.1 that counts every connection made to it."""
    connections: list[tuple] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connections.append(address)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    # It does count: one connection of our own, then a clean slate.
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    for _ in range(50):
        if connections:
            break
        stop.wait(0.05)
    assert len(connections) == 1
    connections.clear()
    yield port, connections
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_addresses_typed_into_an_application_fetch_nothing_when_its_pdfs_are_made(
    loopback_listener, client_for, django_capture_on_commit_callbacks
):
    port, connections = loopback_listener
    probe = (
        '<img src="file:///etc/passwd" alt="">'
        f'<img src="http://127.0.0.1:{port}/probe.png" alt="">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/probe.css">'
        f"<style>@import url(http://127.0.0.1:{port}/import.css);</style>"
    )
    locality = LocalityFactory()
    fund = FundFactory(locality=locality, rapid=True, conditions=f"Fund conditions {probe}")
    officer = grants_officer(locality=locality)
    application = application_in(
        S.OFFICER_DECISION,
        fund=fund,
        officer=officer,
        summary=f"Summary {probe}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        award_make(application=application, by=officer, conditions=f"Conditions {probe}")
        awards.agreement_issue(application=application, by=officer)

    client = client_for(application.created_by)
    data = _body(client.get(reverse("grants:agreement-pdf", args=[application.pk])))
    text = pdf_text(data)

    assert connections == []
    assert_accessible_pdf(data, title=f"Grant agreement {application.reference}")
    assert "root:" not in text
    for where in ("Summary", "Conditions", "Fund conditions"):
        assert _squashed(f'{where} <img src="file:///etc/passwd"') in _squashed(text), where
