"""A group's treasurer, on a phone, reads the grant agreement, accepts it, and later sends the
short end-of-grant report with a photo."""

import io

import pytest
from PIL import Image

from grants.enums import ApplicationStatus, MonitoringStatus
from grants.models import GrantAgreement
from grants.services.awards import monitoring_start, payment_record
from tests.browser.conftest import (
    SMALL_SCREEN,
    assert_accessible,
    assert_error_summary,
    assert_no_horizontal_scroll,
    sign_in,
)
from tests.factories.core import TEST_PASSWORD, OrganisationFactory
from tests.factories.grants import FundFactory, application_in, grants_officer


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "teal").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.browser
def test_a_treasurer_accepts_the_agreement_and_later_sends_the_report_on_a_phone(
    new_page, live_site
):
    fund = FundFactory(rapid=True, conditions="Credit the fund on your posters.")
    group = OrganisationFactory(name="Millbrook Stay and Play")
    officer = grants_officer(locality=fund.locality)
    application = application_in(
        ApplicationStatus.AGREEMENT_ISSUED, fund=fund, organisation=group, officer=officer
    )
    treasurer = application.created_by
    page = new_page(viewport=SMALL_SCREEN)

    sign_in(page, treasurer.email, TEST_PASSWORD)
    assert_accessible(page)
    # The message about the agreement is on their account page.
    page.get_by_role("link", name="Your grant agreement is ready to accept").click()
    assert_accessible(page)
    page.get_by_role("link", name="Go to the page this message is about").click()

    # The agreement, readable on a 320px screen.
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Your grant agreement"
    assert page.get_by_text("£500.00").first.is_visible()
    assert page.get_by_role("table", name="Payments under this agreement").is_visible()
    assert page.get_by_text("Credit the fund on your posters.").is_visible()

    with page.expect_download() as issued_download:
        page.get_by_role("link", name="Download the agreement").click()
    assert issued_download.value.suggested_filename == (
        f"{application.reference}-grant-agreement.pdf"
    )

    # Forgetting the declaration is caught, and the summary leads to it.
    page.get_by_label("Your full name").fill("Priya Shah")
    page.get_by_role("button", name="Accept the grant agreement").click()
    assert_accessible(page)
    assert_error_summary(page)
    assert_no_horizontal_scroll(page)

    page.get_by_label("Your full name").fill("Priya Shah")
    page.get_by_label("Your role in the group").fill("Treasurer")
    page.get_by_label("I confirm I can accept this on behalf of Millbrook Stay and Play").check()
    page.get_by_role("button", name="Accept the grant agreement").click()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Grant agreement accepted"
    assert page.get_by_role("heading", name="What happens next").is_visible()
    agreement = GrantAgreement.objects.get(application=application)
    assert (agreement.accepted_name, agreement.accepted_role) == ("Priya Shah", "Treasurer")
    assert agreement.accepted_ip == "127.0.0.1"

    with page.expect_download() as accepted_download:
        page.get_by_role("link", name="Download the agreement you accepted").click()
    assert accepted_download.value.suggested_filename.endswith("-grant-agreement-accepted.pdf")

    # Months later: the grant has been paid and the council asks how it went.
    for tranche in application.tranches.all():
        payment_record(tranche=tranche, by=officer, reference="BACS 1001")
    application.refresh_from_db()
    monitoring_start(application=application, by=officer)

    page.goto(f"/applications/{application.pk}/report/")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Tell us how it went"
    page.get_by_label("What did you do with the grant?").fill(
        "Eight Saturday stay-and-play mornings in the church hall."
    )
    page.get_by_label("Who took part, and roughly how many people?").fill(
        "About 30 parents and 40 children."
    )
    page.get_by_label("What difference did it make?").fill(
        "Parents who had never met now run a WhatsApp group and meet in the park."
    )
    page.get_by_label("A photo (optional)").set_input_files(
        {"name": "play morning.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
    )
    page.get_by_role("button", name="Send your report").click()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Your report has been sent"
    assert page.get_by_text("we’ll be in touch").is_visible()

    report = application.monitoring_reports.get()
    assert report.status == MonitoringStatus.SUBMITTED
    assert report.photo is not None and report.photo.content_type == "image/jpeg"
