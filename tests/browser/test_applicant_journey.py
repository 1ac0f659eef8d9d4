"""Applicants: signing in, adding their group and its documents (on a desktop and on a 320px phone),
reading messages and finding their settings."""

import pytest

from core.enums import Role
from core.models import InboxMessage, Organisation, PrivateDocument
from tests.browser.conftest import (
    DESKTOP,
    SMALL_SCREEN,
    assert_accessible,
    assert_error_summary,
    assert_no_horizontal_scroll,
    sign_in,
)
from tests.factories.core import TEST_PASSWORD, LocalityFactory, UserFactory

pytestmark = pytest.mark.browser

# The smallest file a PDF reader will open.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.mark.parametrize("viewport", [DESKTOP, SMALL_SCREEN], ids=["desktop", "320px"])
def test_applicant_adds_their_group_and_uploads_a_document(new_page, live_site, viewport):
    LocalityFactory(name="Millbrook", slug="millbrook")
    applicant = UserFactory(roles=(Role.APPLICANT,))
    page = new_page(viewport=viewport)

    sign_in(page, applicant.email, TEST_PASSWORD)
    assert page.url.endswith("/dashboard/")
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    current = page.get_by_role("link", name="Your account", include_hidden=True)
    assert current.get_attribute("aria-current") == "page"

    page.get_by_role("button", name="Add a group").click()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.get_by_role("button", name="Save and continue").click()
    assert_accessible(page)
    assert_error_summary(page)
    assert_no_horizontal_scroll(page)

    page.get_by_label("Name of your group or organisation").fill("Millbrook Stay and Play")
    page.get_by_label("Unincorporated group or association").check()
    page.get_by_label("Address").fill("4 Canal Street\nBrackenford")
    page.get_by_label("Postcode").fill("bf2 3cd")
    page.get_by_label("Millbrook").check()
    page.get_by_role("button", name="Save and continue").click()
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Millbrook Stay and Play"
    assert page.get_by_text("Millbrook Stay and Play has been added.").is_visible()
    organisation = Organisation.objects.get(name="Millbrook Stay and Play")
    assert organisation.memberships.filter(user=applicant).exists()

    page.get_by_role("button", name="Upload a document").click()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Upload").click()
    assert_accessible(page)
    assert_error_summary(page)

    page.get_by_label("Governing document").check()
    page.get_by_label("Choose the file").set_input_files(
        {"name": "Our constitution.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    assert_accessible(page)
    assert page.get_by_text("“Our constitution.pdf” has been uploaded.").is_visible()
    assert page.get_by_role("link", name="Our constitution.pdf").is_visible()
    assert_no_horizontal_scroll(page)
    document = PrivateDocument.objects.get(organisation=organisation)
    assert document.content_type == "application/pdf"


def test_applicant_reads_a_message_and_finds_their_settings(page, live_site):
    applicant = UserFactory(roles=(Role.APPLICANT,))
    InboxMessage.objects.create(
        recipient=applicant,
        kind="test",
        subject="Your application has been received",
        body="Thank you.\n\nWe will be in touch within ten working days.",
        link="/dashboard/",
    )

    sign_in(page, applicant.email, TEST_PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Messages").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Your application has been received").click()
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Your application has been received"

    settings_links = [
        "Email address",
        "Password",
        "Two-step sign-in",
        "Where you are signed in",
        "Emails we send you",
    ]
    for name in settings_links:
        page.goto("/dashboard/")
        assert_accessible(page)
        page.get_by_role("link", name=name, exact=True).click()
        assert_accessible(page)
