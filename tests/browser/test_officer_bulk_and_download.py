"""A grants officer acts on several applications at once and prepares a large download, watching
its progress until the link appears. axe checks every page."""

import pytest
from playwright.sync_api import expect

from grants.enums import ApplicationStatus
from grants.models import Application
from tests.browser.conftest import assert_accessible, sign_in_with_code
from tests.factories.core import LocalityFactory
from tests.factories.grants import FundFactory, application_in, grants_officer

pytestmark = pytest.mark.browser
S = ApplicationStatus


def test_an_officer_sends_two_to_the_board_and_downloads_the_list(new_page, live_site):
    locality = LocalityFactory(name="Riverside", slug="riverside")
    fund = FundFactory(locality=locality, name="Riverside Community Matters Fund")
    officer = grants_officer(locality=locality, full_name="Dana Okafor")
    first = application_in(S.SCREENING, fund=fund, officer=officer, title="Riverside litter pick")
    second = application_in(S.SCREENING, fund=fund, officer=officer, title="Riverside book club")
    page = new_page()
    sign_in_with_code(page, officer)

    page.goto(f"{live_site.url}/admin/grant-applications/?status={S.SCREENING}")
    assert_accessible(page)
    page.get_by_role("link", name="Act on several").click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.get_by_label(f"Choose {first.reference}").check()
    page.get_by_label(f"Choose {second.reference}").check()
    page.get_by_label("Send to the board", exact=False).check()
    page.get_by_label("If documents are missing", exact=False).fill("Seen at their AGM.")
    with page.expect_navigation():
        page.get_by_role("button", name="Do it").click()
    assert_accessible(page)
    expect(page.get_by_text("Done for 2 applications.")).to_be_visible()
    assert set(Application.objects.values_list("status", flat=True)) == {S.BOARD_REVIEW}

    page.goto(f"{live_site.url}/admin/grant-applications/bulk/?status={S.BOARD_REVIEW}")
    assert_accessible(page)
    page.get_by_label("Excel (XLSX)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Prepare the download").click()
    assert_accessible(page)
    link = page.get_by_role("link", name="Download the file")
    expect(link).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Ready: 2 applications.")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "applications.xlsx"
