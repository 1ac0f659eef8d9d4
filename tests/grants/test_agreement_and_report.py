"""After the award: the group reads and accepts its grant agreement online (and keeps the PDF), then
tells us how it went in the end-of-grant report. Only the group's own people see these pages."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

import pikepdf
import pytest
from PIL import Image

from core.enums import DocumentKind
from core.models import AuditEntry, PrivateDocument
from core.models.audit import AuditAction
from grants.enums import ApplicationStatus, MonitoringStatus
from grants.models import BudgetLine, GrantAgreement
from grants.services.awards import report_ask_more
from tests.factories import OrganisationMembershipFactory
from tests.factories.grants import ApplicationFactory, FundFactory, application_in, grants_officer
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db
S = ApplicationStatus

LIGHT_TOUCH_ANSWERS = {
    "what_happened": "We ran eight Saturday mornings of coffee and chat.",
    "who_came": "About thirty parents and their children.",
    "what_changed": "“I know people on my street now,” one mum told us.",
}
ACCEPTANCE = {"name": "Priya  Shah", "role": "Treasurer", "declaration": "on"}


def agreement_url(application) -> str:
    return f"/applications/{application.pk}/agreement/"


def pdf_url(application) -> str:
    return f"/applications/{application.pk}/agreement.pdf"


def report_url(application) -> str:
    return f"/applications/{application.pk}/report/"


def _png(size=(60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def _downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def issued(client, django_capture_on_commit_callbacks):
    """An award whose agreement is waiting for the group, with its treasurer signed in. The
    agreement's PDF is made by a task once the change commits, as a worker would."""
    with django_capture_on_commit_callbacks(execute=True):
        application = application_in(S.AGREEMENT_ISSUED, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)
    return application


@pytest.fixture
def reporting(client):
    """A paid grant whose (light-touch) end-of-grant report is due, with the group signed in."""
    application = application_in(S.MONITORING, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)
    return application


# The grant agreement -----------------------------------------------------------------------------


def test_a_treasurer_accepts_the_grant_agreement_online(
    client, issued, django_capture_on_commit_callbacks
):
    page = client.get(agreement_url(issued))
    assert page.status_code == 200
    text = page.text
    assert "Your grant agreement" in text
    assert "£500.00" in text
    assert issued.title in text and issued.summary in text
    assert "Payments under this agreement" in text
    assert "keep receipts for six years" in text
    assert f"I confirm I can accept this on behalf of {issued.organisation.name}" in text
    assert f'href="{pdf_url(issued)}"' in text

    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(agreement_url(issued), ACCEPTANCE, REMOTE_ADDR="203.0.113.7")
    assert accepted.status_code == 302
    assert accepted["Location"] == agreement_url(issued)

    issued.refresh_from_db()
    assert issued.status == S.AGREEMENT_ACCEPTED
    agreement = GrantAgreement.objects.get(application=issued)
    assert agreement.accepted_name == "Priya Shah"
    assert agreement.accepted_role == "Treasurer"
    assert agreement.accepted_by == issued.created_by
    assert agreement.accepted_at is not None
    assert agreement.accepted_ip == "203.0.113.7"
    assert agreement.accepted_pdf.read().startswith(b"%PDF-")

    confirmation = client.get(accepted["Location"])
    assert "Grant agreement accepted" in confirmation.text
    assert "What happens next" in confirmation.text
    report = issued.monitoring_reports.get()
    assert f"due by <strong>{report.due_on:%-d %B %Y}</strong>" in confirmation.text

    later = client.get(agreement_url(issued))
    assert "Grant agreement accepted" not in later.text  # the panel is shown once
    assert "by <strong>Priya Shah</strong> (Treasurer)" in later.text
    assert "Accept the grant agreement" not in later.text


def test_behind_the_proxy_the_acceptance_records_the_groups_address_not_the_proxys(
    client, issued, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client.post(
        agreement_url(issued),
        ACCEPTANCE,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert GrantAgreement.objects.get(application=issued).accepted_ip == "203.0.113.7"


def test_the_agreement_pdf_is_tagged_and_includes_the_acceptance(
    client, issued, django_capture_on_commit_callbacks
):
    before = client.get(pdf_url(issued))
    assert before.status_code == 200
    assert "Accepted online" not in pdf_text(_downloaded(before))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(agreement_url(issued), ACCEPTANCE, REMOTE_ADDR="203.0.113.7")
    response = client.get(pdf_url(issued))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{issued.reference}-grant-agreement-accepted.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"

    data = _downloaded(response)
    pdf = pikepdf.open(io.BytesIO(data))
    assert bool(pdf.Root.MarkInfo.Marked)
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang).lower() == "en-gb"
    text = pdf_text(data)
    assert "Accepted online on behalf of" in text
    assert "by Priya Shah (Treasurer)" in text
    assert "203.0.113.7" in text
    assert AuditEntry.objects.filter(
        action=AuditAction.DOWNLOAD, object_label__startswith="grant agreement"
    ).exists()


@pytest.mark.parametrize(
    "posted, message",
    [
        ({"role": "Treasurer", "declaration": "on"}, "Enter the full name of the person accepting"),
        ({"name": "   ", "role": "Chair", "declaration": "on"}, "Enter the full name"),
        ({"name": "Priya Shah", "role": "Treasurer"}, "Confirm you can accept the agreement"),
    ],
    ids=["no-name", "blank-name", "no-declaration"],
)
def test_accepting_without_a_name_or_the_declaration_shows_the_error_summary(
    client, issued, posted, message
):
    response = client.post(agreement_url(issued), posted, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 400
    assert "<title>Error: " in response.text
    assert "There is a problem" in response.text
    assert message in response.text
    issued.refresh_from_db()
    assert issued.status == S.AGREEMENT_ISSUED
    assert GrantAgreement.objects.get(application=issued).accepted_at is None


def test_accepting_twice_is_refused_clearly_and_changes_nothing(
    client, issued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(agreement_url(issued), ACCEPTANCE, REMOTE_ADDR="203.0.113.7")
    first = GrantAgreement.objects.get(application=issued)

    again = client.post(
        agreement_url(issued),
        {"name": "Someone Else", "role": "Chair", "declaration": "on"},
        REMOTE_ADDR="198.51.100.1",
    )
    assert again.status_code == 409
    assert "This can’t be done now" in again.text
    assert "grant agreement accepted" in again.text  # the service's own words
    assert "by <strong>Priya Shah</strong> (Treasurer)" in again.text
    assert "Nothing has been changed." in again.text

    after = GrantAgreement.objects.get(application=issued)
    assert (after.accepted_name, after.accepted_role, after.accepted_ip, after.accepted_at) == (
        first.accepted_name,
        first.accepted_role,
        first.accepted_ip,
        first.accepted_at,
    )
    assert after.accepted_pdf.name == first.accepted_pdf.name
    assert issued.monitoring_reports.count() == 1


def test_an_empty_form_posted_after_acceptance_is_refused_not_an_error(client, issued):
    client.post(agreement_url(issued), ACCEPTANCE, REMOTE_ADDR="203.0.113.7")
    response = client.post(agreement_url(issued), {})
    assert response.status_code == 409
    assert "can’t be accepted now" in response.text


def test_before_the_agreement_is_issued_the_group_is_told_it_is_not_ready(client):
    application = application_in(S.AWARDED, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)
    assert "not ready yet" in client.get(agreement_url(application)).text
    assert client.get(pdf_url(application)).status_code == 404


def test_someone_from_another_group_gets_404_on_all_three_pages(client, issued):
    client.post(agreement_url(issued), ACCEPTANCE, REMOTE_ADDR="203.0.113.7")
    stranger = OrganisationMembershipFactory().user  # a member of a different group
    client.force_login(stranger)
    denied_before = AuditEntry.objects.filter(action=AuditAction.DENIED).count()

    for url in (agreement_url(issued), pdf_url(issued), report_url(issued)):
        response = client.get(url)
        assert response.status_code == 404, url
        body = _downloaded(response) if response.streaming else response.content
        assert not body.startswith(b"%PDF")
        assert b"%PDF" not in body

    posted = client.post(agreement_url(issued), ACCEPTANCE)
    assert posted.status_code == 404
    assert client.post(report_url(issued), LIGHT_TOUCH_ANSWERS).status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.DENIED).count() == denied_before + 5
    assert GrantAgreement.objects.get(application=issued).accepted_name == "Priya Shah"


@pytest.mark.parametrize("url", [agreement_url, pdf_url, report_url])
def test_someone_not_signed_in_finds_nothing_but_is_offered_sign_in(client, url):
    application = application_in(S.AGREEMENT_ISSUED, fund=FundFactory(rapid=True))
    response = client.get(url(application))
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    assert f'href="/accounts/login/?next={url(application)}"' in response.content.decode()


# The end-of-grant report -------------------------------------------------------------------------


def test_a_group_sends_its_light_touch_report_with_a_photo(client, reporting):
    page = client.get(report_url(reporting))
    assert page.status_code == 200
    assert "Tell us how it went" in page.text
    assert "What did you do with the grant?" in page.text
    assert "Who took part, and roughly how many people?" in page.text
    assert "What you spent" not in page.text  # light touch: no spend against budget
    assert 'enctype="multipart/form-data"' in page.text

    sent = client.post(
        report_url(reporting),
        {**LIGHT_TOUCH_ANSWERS, "report_photo": SimpleUploadedFile("Our morning.png", _png())},
    )
    assert sent.status_code == 302
    report = reporting.monitoring_reports.get()
    assert report.status == MonitoringStatus.SUBMITTED
    assert report.submitted_at is not None
    assert report.answers == LIGHT_TOUCH_ANSWERS
    assert report.spend == []
    assert report.photo.kind == DocumentKind.PHOTO
    assert report.photo.organisation == reporting.organisation
    assert report.photo.content_type == "image/png"
    assert report.photo.original_filename == "Our morning.png"

    thanks = client.get(sent["Location"])
    assert "Your report has been sent" in thanks.text
    assert "we’ll be in touch" in thanks.text
    assert "About thirty parents" in thanks.text

    # The officer reads it with the questions the group answered, and can open the photo.
    client.force_login(grants_officer(locality=reporting.fund.locality))
    officer_page = client.get(f"/admin/grant-applications/inspect/{reporting.pk}/").text
    assert "Who took part, and roughly how many people?" in officer_page
    assert "About thirty parents" in officer_page
    assert "<dt><strong>who_came</strong>" not in officer_page
    assert f'href="/files/{report.photo.pk}/download/"' in officer_page


def test_a_light_touch_report_needs_its_three_answers(client, reporting):
    response = client.post(report_url(reporting), {"what_happened": "Coffee mornings."})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Answer the question “Who took part, and roughly how many people?”" in response.text
    assert reporting.monitoring_reports.get().status == MonitoringStatus.DUE


@pytest.mark.parametrize(
    "upload, message",
    [
        (("Minutes.pdf", b"%PDF-1.4\n%%EOF\n"), "“Minutes.pdf” is not a photo we can take"),
        (("holiday.png", b"GIF89a not really a png"), "does not look like a real PNG file"),
        (("big.jpg", b"\xff\xd8\xff" + b"0" * 3000), "The largest file we can take is"),
    ],
    ids=["pdf", "not-really-png", "too-large"],
)
def test_a_photo_of_the_wrong_type_or_size_is_refused_and_the_answers_are_kept(
    client, reporting, settings, upload, message
):
    settings.UPLOAD_MAX_BYTES = 2048
    name, content = upload
    response = client.post(
        report_url(reporting),
        {**LIGHT_TOUCH_ANSWERS, "report_photo": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert 'href="#id_report_photo"' in response.text
    assert "We ran eight Saturday mornings of coffee and chat." in response.text
    assert "About thirty parents and their children." in response.text
    assert "I know people on my street now" in response.text
    assert reporting.monitoring_reports.get().status == MonitoringStatus.DUE
    assert not PrivateDocument.objects.filter(kind=DocumentKind.PHOTO).exists()


def _full_report_grant(client):
    """A £1,500 grant from a fund whose short form stops at £1,000: the full end-of-grant form,
    with spend against its two budget lines."""
    fund = FundFactory(
        rapid=True,
        short_form_below_pence=100000,
        end_of_grant_form=[
            {
                "type": "long_text",
                "id": "q-how-did-it-go",
                "value": {"label": "How did the project go?", "required": True},
            }
        ],
    )
    application = ApplicationFactory(fund=fund, amount_requested_pence=150000)
    hall = BudgetLine.objects.create(
        application=application, description="Hall hire", amount_pence=90000, position=0
    )
    play = BudgetLine.objects.create(
        application=application, description="Play equipment", amount_pence=60000, position=1
    )
    application_in(S.MONITORING, application=application)
    client.force_login(application.created_by)
    return application, hall, play


def test_a_larger_grant_reports_what_it_spent_against_each_budget_line(client):
    application, hall, play = _full_report_grant(client)
    report = application.monitoring_reports.get()
    assert not report.is_light_touch
    question = "q-how-did-it-go"

    page = client.get(report_url(application))
    assert "How did the project go?" in page.text
    assert "What you spent" in page.text
    assert "Hall hire" in page.text and "You budgeted £900.00." in page.text
    assert "£1,500.00" in page.text  # the budget's total

    missing = client.post(report_url(application), {question: "Well.", f"spend_{hall.pk}": "850"})
    assert missing.status_code == 400
    assert "Enter what you spent on Play equipment" in missing.text

    sent = client.post(
        report_url(application),
        {question: "Very well.", f"spend_{hall.pk}": "£850", f"spend_{play.pk}": "612.50"},
    )
    assert sent.status_code == 302
    report.refresh_from_db()
    assert report.status == MonitoringStatus.SUBMITTED
    assert report.answers == {question: "Very well."}
    assert report.spend == [
        {
            "budget_line": hall.pk,
            "description": "Hall hire",
            "budgeted_pence": 90000,
            "spent_pence": 85000,
        },
        {
            "budget_line": play.pk,
            "description": "Play equipment",
            "budgeted_pence": 60000,
            "spent_pence": 61250,
        },
    ]
    thanks = client.get(report_url(application))
    assert "£1,462.50" in thanks.text  # what was spent, in total

    client.force_login(grants_officer(locality=application.fund.locality))
    officer_page = client.get(f"/admin/grant-applications/inspect/{application.pk}/").text
    assert "How did the project go?" in officer_page and "Very well." in officer_page
    assert "Spend against the budget" in officer_page
    assert "£612.50" in officer_page and "£1,462.50" in officer_page


def test_a_report_sent_twice_is_refused_and_changes_nothing(client, reporting):
    client.post(report_url(reporting), LIGHT_TOUCH_ANSWERS)
    again = client.post(report_url(reporting), {**LIGHT_TOUCH_ANSWERS, "who_came": "Nobody"})
    assert again.status_code == 409
    assert "This report has already been sent." in again.text
    assert reporting.monitoring_reports.get().answers["who_came"] == LIGHT_TOUCH_ANSWERS["who_came"]


def test_when_we_ask_for_more_the_group_sees_our_comment_and_its_answers(client, reporting):
    client.post(report_url(reporting), LIGHT_TOUCH_ANSWERS)
    report = reporting.monitoring_reports.get()
    officer = grants_officer(locality=reporting.fund.locality)
    report_ask_more(report=report, by=officer, comment="How many sessions were there?")

    page = client.get(report_url(reporting))
    assert page.status_code == 200
    assert "We need a little more" in page.text
    assert "How many sessions were there?" in page.text
    assert "We ran eight Saturday mornings of coffee and chat." in page.text

    resent = client.post(
        report_url(reporting), {**LIGHT_TOUCH_ANSWERS, "what_happened": "Eight sessions."}
    )
    assert resent.status_code == 302
    report.refresh_from_db()
    assert report.status == MonitoringStatus.SUBMITTED
    assert report.answers["what_happened"] == "Eight sessions."


def test_before_we_ask_for_the_report_the_group_is_told_when_it_is_due(client):
    application = application_in(S.AGREEMENT_ACCEPTED, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)
    report = application.monitoring_reports.get()
    page = client.get(report_url(application))
    assert page.status_code == 200
    assert f"{report.due_on:%-d %B %Y}" in page.text
    assert "We will send you a message when you can send it" in page.text
    refused = client.post(report_url(application), LIGHT_TOUCH_ANSWERS)
    assert refused.status_code == 409
    assert report.__class__.objects.get(pk=report.pk).status == MonitoringStatus.DUE


def test_once_the_report_is_accepted_the_page_says_the_grant_is_closed(client):
    application = application_in(S.CLOSED, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)
    page = client.get(report_url(application))
    assert page.status_code == 200
    assert "Your grant is closed" in page.text
    assert "Tell us how it went" not in page.text


def test_until_the_worker_has_made_the_pdf_the_group_is_asked_to_try_again(client):
    application = application_in(S.AGREEMENT_ISSUED, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)
    waiting = client.get(pdf_url(application))
    assert waiting.status_code == 503
    assert waiting["Retry-After"] == "30"
    assert "being made" in waiting.text


def test_the_pdf_task_delivered_twice_makes_one_file(client, django_capture_on_commit_callbacks):
    from grants.tasks import make_agreement_pdf

    with django_capture_on_commit_callbacks(execute=True):
        application = application_in(S.AGREEMENT_ISSUED, fund=FundFactory(rapid=True))
    agreement = GrantAgreement.objects.get(application=application)
    first = agreement.issued_pdf.name
    assert make_agreement_pdf.delay(agreement.pk, False).get()
    assert GrantAgreement.objects.get(pk=agreement.pk).issued_pdf.name == first
