"""Security matrix row 19, everywhere else a grant's words travel: what board members, the chair
and officers type, a group's name and the name of a file it uploads are shown as text in the
e-mails the group gets, its inbox, the board's pages, the staff admin and every PDF, and never
run. (The group's own answers on its pages are in test_grants_xss.py.)"""

import io

from django.core import mail

import pikepdf
import pytest

from core.models import InboxMessage, PrivateDocument
from grants.enums import ApplicationStatus, ItemOutcome, VoteChoice
from grants.services import applications as applying
from grants.services import awards, decisions
from grants.services import board as board_services
from tests.factories.core import LocalityFactory, OrganisationFactory
from tests.factories.grants import (
    FundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)
from tests.pdfs import pdf_text
from tests.security.uploading import upload

pytestmark = pytest.mark.django_db
S = ApplicationStatus
PAYLOAD = '<img src=x onerror=alert(1)>{{7*7}}<a href="javascript:alert(2)">x</a>'
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;{{7*7}}&lt;a href=&quot;javascript:alert(2)&quot;&gt;x&lt;/a&gt;"
# The same payload, with no slash in it: as a file name, the part before a slash is dropped.
FILE_NAME = '<img src=x onerror=alert(1)>{{7*7}}<a href="javascript:alert(2)">x.pdf'
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def typed(where: str) -> str:
    return f"{where} {PAYLOAD}"


class TypedEverywhere:
    """A group whose name carries the payload, with two applications: one goes to its
    locality's board (members comment on their scores and votes, the chair approves it with
    reasons and conditions, an officer issues the agreement); the other, to a rapid-response
    fund, gets a question from an officer and is then declined with feedback. Every one of those
    people types the payload."""

    def __init__(self) -> None:
        self.locality = LocalityFactory()
        self.group = OrganisationFactory(name=typed("Group"), localities=[self.locality])
        self.officer = grants_officer(locality=self.locality)
        board_fund = FundFactory(locality=self.locality)
        self.at_board = application_in(
            S.BOARD_REVIEW,
            fund=board_fund,
            organisation=self.group,
            officer=self.officer,
            title=typed("Title"),
        )
        self.applicant = self.at_board.created_by
        self.board, self.chair, self.others = board_for(self.locality)
        self.meeting = meeting_for(self.board)
        board_services.meeting_open(meeting=self.meeting, by=self.officer)
        (self.item,) = board_services.agenda_add(
            meeting=self.meeting, applications=[self.at_board], by=self.officer
        )
        self.rapid = application_in(
            S.SCREENING,
            fund=FundFactory(locality=self.locality, rapid=True),
            organisation=self.group,
            created_by=self.applicant,
            officer=self.officer,
            title=typed("Title"),
        )

    @property
    def members(self):
        return [self.chair, *self.others]

    @property
    def commenter(self):
        return self.others[0]

    def members_score_and_vote(self) -> None:
        criteria = list(self.item.application.fund.criteria.all())
        for member in self.members:
            board_services.interest_declare(item=self.item, member=member, has_conflict=False)
            board_services.scores_record(
                item=self.item,
                member=member,
                scores={criterion.pk: 4 for criterion in criteria},
                comment=typed("Score comment") if member == self.commenter else "",
            )
            board_services.vote_cast(
                item=self.item,
                member=member,
                choice=VoteChoice.APPROVE_WITH_CONDITIONS,
                conditions=typed("Vote conditions"),
                comment=typed("Vote comment") if member == self.commenter else "",
            )

    def chair_approves(self) -> None:
        board_services.decision_confirm(
            item=self.item,
            by=self.chair,
            outcome=ItemOutcome.APPROVED,
            reasons=typed("Reasons"),
            conditions=typed("Conditions"),
        )

    def officer_asks_then_declines(self) -> None:
        decisions.information_request(
            application=self.rapid, by=self.officer, question=typed("Question")
        )
        applying.information_provide(
            application=self.rapid, by=self.applicant, response="Our bank statement is attached."
        )
        decisions.send_for_decision(application=self.rapid, by=self.officer)
        decisions.decline_make(
            application=self.rapid,
            by=self.officer,
            reason="outside_priorities",
            feedback=typed("Feedback"),
        )

    def everything(self, capture) -> None:
        """All of it, with what each step queues (e-mails, the agreement's PDF) run as a worker
        would once it commits."""
        with capture(execute=True):
            self.members_score_and_vote()
            self.chair_approves()
            awards.agreement_issue(application=self.at_board, by=self.officer)
            board_services.meeting_close(meeting=self.meeting, by=self.officer)
            self.officer_asks_then_declines()


@pytest.fixture
def story() -> TypedEverywhere:
    return TypedEverywhere()


def assert_shown_as_text(html: str, *wheres: str) -> None:
    """The payload is on the page escaped, for each place it was typed, and never as markup."""
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "onerror=alert(1)>" not in html
    for where in wheres:
        assert f"{where} {ESCAPED}" in html, where


def assert_page_shows_as_text(response, *wheres: str) -> None:
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    assert_shown_as_text(response.content.decode(), *wheres)


def _squashed(text: str) -> str:
    return "".join(text.split())


def assert_pdf_shows_as_text(data: bytes, *wheres: str) -> None:
    """The payload is printed as words in the PDF, and the PDF can run nothing and open no
    javascript: link."""
    assert data.startswith(b"%PDF-")
    text = _squashed(pdf_text(data))
    assert _squashed("<img src=x onerror=alert(1)>") in text
    assert "{{7*7}}" in text
    for where in wheres:
        assert _squashed(f"{where} {PAYLOAD}") in text, where
    pdf = pikepdf.open(io.BytesIO(data))
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        keys = set(obj.keys())
        assert not keys & {"/JavaScript", "/JS", "/Launch", "/OpenAction", "/AA"}, keys
        if obj.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
            pytest.fail(f"the PDF has a {obj.S} action")
        uri = obj.get("/URI")
        if uri is not None:
            assert not str(uri).strip().lower().startswith("javascript:"), str(uri)
    assert "/JavaScript" not in pdf.Root.get("/Names", {})


def _downloaded(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- E-mails and the inbox -----------------------------------------------------------------------


def test_emails_to_the_group_carry_what_officers_and_the_board_typed_as_words(
    story, django_capture_on_commit_callbacks
):
    story.everything(django_capture_on_commit_callbacks)

    to_group = [email for email in mail.outbox if story.applicant.email in email.to]
    subjects = [email.subject for email in to_group]
    assert len(to_group) == 4, subjects  # awarded, the agreement, the question, declined
    assert f'Our decision on "{typed("Title")}"' in subjects
    bodies = "\n".join(email.body for email in to_group)
    # Plain text is shown as written: the words are there, and the braces are not worked out.
    for where in ("Title", "Conditions", "Question", "Feedback"):
        assert typed(where) in bodies, where
    for email in to_group:
        assert email.content_subtype == "plain"
        for content, mimetype in getattr(email, "alternatives", []):
            assert mimetype == "text/html"
            assert_shown_as_text(content)


def test_the_groups_inbox_shows_each_message_as_text(
    client, story, django_capture_on_commit_callbacks
):
    story.everything(django_capture_on_commit_callbacks)
    client.force_login(story.applicant)

    messages = InboxMessage.objects.filter(recipient=story.applicant)
    assert messages.count() >= 4
    shown = ""
    for message in messages:
        page = client.get(f"/messages/{message.pk}/")
        assert_page_shows_as_text(page)
        shown += page.content.decode()
    for where in ("Title", "Conditions", "Question", "Feedback"):
        assert f"{where} {ESCAPED}" in shown, where
    assert_page_shows_as_text(client.get("/messages/"))


def test_the_group_reads_the_question_and_the_feedback_as_text(
    client, story, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decisions.information_request(
            application=story.rapid, by=story.officer, question=typed("Question")
        )
    client.force_login(story.applicant)
    assert_page_shows_as_text(client.get(f"/applications/{story.rapid.pk}/"), "Question")

    applying.information_provide(application=story.rapid, by=story.applicant, response="Attached.")
    decisions.send_for_decision(application=story.rapid, by=story.officer)
    decisions.decline_make(
        application=story.rapid,
        by=story.officer,
        reason="outside_priorities",
        feedback=typed("Feedback"),
    )
    assert_page_shows_as_text(client.get(f"/applications/{story.rapid.pk}/"), "Feedback")


# --- The board's pages -----------------------------------------------------------------------------


def test_board_members_comments_and_the_chairs_reasons_are_shown_as_text(story, client_for):
    story.members_score_and_vote()
    item_url = f"/board/items/{story.item.pk}/"

    commenter = client_for(story.commenter)
    assert_page_shows_as_text(commenter.get(item_url), "Vote comment", "Vote conditions")
    officer = client_for(story.officer)
    assert_page_shows_as_text(officer.get(item_url), "Vote conditions")

    chair = client_for(story.chair)
    decided = chair.post(
        f"/board/items/{story.item.pk}/decide/",
        {
            "outcome": ItemOutcome.APPROVED,
            "amount": "500",
            "conditions": typed("Conditions"),
            "reasons": typed("Reasons"),
        },
        follow=True,
    )
    assert_page_shows_as_text(decided)  # the meeting, with "“<title>”: approved" on it
    story.item.refresh_from_db()
    assert story.item.decision_reasons == typed("Reasons")
    assert_page_shows_as_text(chair.get(item_url), "Reasons")
    assert_page_shows_as_text(commenter.get(item_url), "Reasons")
    assert_page_shows_as_text(chair.get(f"/board/meetings/{story.meeting.pk}/"))


def test_the_meeting_pack_and_the_minutes_print_what_was_typed_as_words(
    story, client_for, django_capture_on_commit_callbacks
):
    member = client_for(story.commenter)
    pack = member.get(f"/board/meetings/{story.meeting.pk}/pack.pdf")
    assert_pdf_shows_as_text(_downloaded(pack), "Group")

    story.everything(django_capture_on_commit_callbacks)
    minutes = member.get(f"/board/meetings/{story.meeting.pk}/minutes.pdf")
    assert_pdf_shows_as_text(_downloaded(minutes), "Group", "Reasons", "Conditions")


def test_the_grant_agreement_prints_what_was_typed_as_words(
    client, story, django_capture_on_commit_callbacks
):
    story.everything(django_capture_on_commit_callbacks)
    client.force_login(story.applicant)

    page = client.get(f"/applications/{story.at_board.pk}/agreement/")
    assert_page_shows_as_text(page, "Group", "Conditions")
    agreement = client.get(f"/applications/{story.at_board.pk}/agreement.pdf")
    assert_pdf_shows_as_text(_downloaded(agreement), "Group", "Conditions")


# --- The staff admin -------------------------------------------------------------------------------


def test_the_officers_application_pages_and_list_show_what_was_typed_as_text(
    story, client_for, django_capture_on_commit_callbacks
):
    story.everything(django_capture_on_commit_callbacks)
    officer = client_for(story.officer)

    awarded = officer.get(f"/admin/grant-applications/inspect/{story.at_board.pk}/")
    assert_page_shows_as_text(awarded, "Group", "Reasons", "Conditions")
    declined = officer.get(f"/admin/grant-applications/inspect/{story.rapid.pk}/")
    assert_page_shows_as_text(declined, "Group", "Question", "Feedback")
    listing = officer.get("/admin/grant-applications/")
    assert_page_shows_as_text(listing, "Group")
    assert listing.content.decode().count(f"Group {ESCAPED}") >= 2
    searched = officer.get("/admin/grant-applications/", {"q": "onerror"})
    assert_page_shows_as_text(searched, "Group")


# --- A file's name ---------------------------------------------------------------------------------


def test_a_file_named_with_a_script_is_shown_as_its_name_and_never_runs(client, story, client_for):
    client.force_login(story.applicant)
    uploaded = upload(
        client, story.group, filename=FILE_NAME, content=PDF_BYTES, kind="governing_document"
    )
    assert uploaded.status_code == 302, uploaded.content.decode()[:2000]
    document = PrivateDocument.objects.get(organisation=story.group)
    # Angle brackets, quotes and the characters files may not have cannot reach a stored name.
    assert (
        document.original_filename
        == "img src=x onerror=alert(1){{77}}a href=javascriptalert(2)x.pdf"
    )

    group_page = client.get(uploaded["Location"])
    assert_page_shows_as_text(group_page, "Group")
    assert document.original_filename in group_page.content.decode()  # and the success banner

    officer = client_for(story.officer)
    admin_page = officer.get(f"/admin/organisations/inspect/{story.group.pk}/")
    assert_page_shows_as_text(admin_page)
    assert document.original_filename in admin_page.content.decode()
