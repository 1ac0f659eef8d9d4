"""Security matrix row 19 in a real browser: a board member and an officer open pages full of what
a group, board members and the chair typed (a script in an image's error handler, a javascript:
link, template braces) and no script runs: no dialog opens, and the words are shown as typed."""

import pytest
from playwright.sync_api import Page, expect

from grants.enums import ApplicationStatus, ItemOutcome, VoteChoice
from grants.services import board as board_services
from tests.browser.conftest import assert_accessible, sign_in_with_code
from tests.factories.core import LocalityFactory, OrganisationFactory
from tests.factories.grants import (
    FundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)

pytestmark = pytest.mark.browser
S = ApplicationStatus
PAYLOAD = '<img src=x onerror=alert(1)>{{7*7}}<a href="javascript:alert(2)">x</a>'


def typed(where: str) -> str:
    return f"{where} {PAYLOAD}"


def _watch_for_dialogs(page: Page) -> list[str]:
    opened: list[str] = []

    def on_dialog(dialog) -> None:
        opened.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def _open(page: Page, url: str, opened: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    assert opened == [], f"{url} ran a script: {opened}"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0


def test_board_and_officer_pages_show_typed_scripts_as_words_and_run_none(new_page, live_site):
    locality = LocalityFactory(name="Millbrook", slug="millbrook")
    fund = FundFactory(locality=locality, name="Millbrook Community Fund")
    group = OrganisationFactory(name=typed("Group"), localities=[locality])
    application = application_in(
        S.BOARD_REVIEW,
        fund=fund,
        organisation=group,
        title=typed("Title"),
        summary=typed("Summary"),
        answers={"q-difference": typed("Answer"), "q-safeguarding": "no"},
    )
    board, chair, (member, other) = board_for(locality, members=3, quorum=3)
    officer = grants_officer(locality=locality)
    meeting = meeting_for(board)
    board_services.meeting_open(meeting=meeting, by=officer)
    (item,) = board_services.agenda_add(meeting=meeting, applications=[application], by=officer)
    criteria = list(fund.criteria.all())
    for person in (chair, member, other):
        board_services.interest_declare(item=item, member=person, has_conflict=False)
        board_services.scores_record(
            item=item,
            member=person,
            scores={criterion.pk: 4 for criterion in criteria},
            comment=typed("Score comment"),
        )
        board_services.vote_cast(
            item=item,
            member=person,
            choice=VoteChoice.APPROVE_WITH_CONDITIONS,
            conditions=typed("Vote conditions"),
            comment=typed("Vote comment"),
        )

    # A board member reads the application, with their own comment and others' votes.
    page = new_page()
    opened = _watch_for_dialogs(page)
    sign_in_with_code(page, member)
    _open(page, f"/board/items/{item.pk}/", opened)
    expect(page.get_by_role("heading", level=1)).to_have_text(typed("Title"))
    expect(page.get_by_text(typed("Summary"))).to_be_visible()
    expect(page.get_by_text(typed("Answer"))).to_be_visible()
    expect(page.get_by_label("Comments on your scores (optional)")).to_have_value(
        typed("Vote comment")
    )
    expect(page.get_by_text(typed("Vote conditions")).first).to_be_visible()

    # The chair records the decision; the officer reads the application in the staff admin.
    board_services.decision_confirm(
        item=item,
        by=chair,
        outcome=ItemOutcome.APPROVED,
        reasons=typed("Reasons"),
        conditions=typed("Conditions"),
    )
    _open(page, f"/board/items/{item.pk}/", opened)
    expect(page.get_by_text(typed("Reasons"))).to_be_visible()

    staff = new_page()
    staff_opened = _watch_for_dialogs(staff)
    sign_in_with_code(staff, officer)
    _open(staff, f"/admin/grant-applications/inspect/{application.pk}/", staff_opened)
    expect(staff.get_by_text(f"Reasons: {typed('Reasons')}")).to_be_visible()
    expect(staff.get_by_text(typed("Summary")).first).to_be_visible()
    _open(staff, "/admin/grant-applications/", staff_opened)
    expect(staff.get_by_role("cell", name=typed("Group"))).to_be_visible()
