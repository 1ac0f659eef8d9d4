"""Keyboard only: a volunteer finishes and sends a grant application, and a board member declares
no interest, scores and votes, using nothing but Tab, Shift+Tab, Enter and Space (and typing into
fields, and the arrow keys inside a radio group). Nothing is clicked. After every key press the element with focus must be on screen and not
covered by anything, such as a sticky banner, and axe checks every page."""

import pytest
from playwright.sync_api import Locator, Page

from grants.enums import ApplicationStatus, VoteChoice
from grants.models import Application, Declaration, Score, Vote
from grants.services import board as board_service
from tests.browser.conftest import assert_accessible, totp_code_now
from tests.factories.core import TEST_PASSWORD, LocalityFactory, OrganisationFactory
from tests.factories.grants import (
    ApplicationFactory,
    FundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)

pytestmark = pytest.mark.browser
S = ApplicationStatus
MOST_TABS = 120

# Where focus is, and whether a sighted keyboard user can see it: every box of the element inside
# the viewport, and the element itself (or something inside it) the topmost thing at the centre of
# its first box. A link that wraps onto two lines has a box per line; its overall box's centre can
# fall between them.
_FOCUS = """() => {
    const element = document.activeElement;
    if (!element || element === document.body || element === document.documentElement) {
        return {description: "nothing", problem: "nothing has focus"};
    }
    const label = element.labels?.[0]?.innerText || element.getAttribute("aria-label")
        || element.innerText || element.value || "";
    const description = (`<${element.tagName.toLowerCase()}${element.id ? " #" + element.id : ""}`
        + `${element.type ? " type=" + element.type : ""}> ${label.trim().split(/\\s+/).join(" ")}`
    ).slice(0, 120);
    const boxes = [...element.getClientRects()].filter((box) => box.width && box.height);
    if (!boxes.length) return {description, problem: "it has no size on screen"};
    for (const box of boxes) {
        if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) {
            return {description, problem: `it is outside the viewport (${JSON.stringify(box)})`};
        }
    }
    const first = boxes[0];
    const hit = document.elementFromPoint(first.left + first.width / 2, first.top + first.height / 2);
    if (!hit || !(hit === element || element.contains(hit))) {
        const what = hit ? hit.outerHTML.split(">")[0].slice(0, 100) + ">" : "nothing";
        return {description, problem: `it is covered by ${what}`};
    }
    return {description, problem: null};
}"""


def assert_focus_visible(page: Page) -> str:
    """Fail unless the focused element can be seen; return what it is, for the failure messages."""
    focus = page.evaluate(_FOCUS)
    assert focus["problem"] is None, (
        f"on {page.url}, focus is on {focus['description']} but {focus['problem']}"
    )
    return focus["description"]


def press(page: Page, key: str) -> None:
    """A key that keeps us on the page: focus must stay somewhere that can be seen."""
    page.keyboard.press(key)
    assert_focus_visible(page)


def tab_to(page: Page, target: Locator, *, key: str = "Tab") -> None:
    """Tab (or Shift+Tab) through the page until ``target`` has focus, checking every stop."""
    visited = []
    for _ in range(MOST_TABS):
        page.keyboard.press(key)
        visited.append(assert_focus_visible(page))
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{key} never reached {target} on {page.url}; it went to:\n" + "\n".join(visited))


def follow(page: Page, key: str = "Enter") -> None:
    """A key that loads the next page (following a link, sending a form); axe checks that page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()
    assert_accessible(page)


def type_into(page: Page, field: Locator, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)
    assert_focus_visible(page)


def sign_in_by_keyboard(page: Page, email: str, *, with_code: bool = False) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    type_into(page, page.get_by_label("Email address"), email)
    type_into(page, page.get_by_label("Password"), TEST_PASSWORD)
    follow(page)  # Enter in a field sends its form
    if with_code:
        assert page.url.endswith("/accounts/2fa/authenticate/")
        type_into(page, page.get_by_label("Code"), totp_code_now())
        tab_to(page, page.get_by_role("button", name="Sign in"))
        follow(page, "Space")
    assert "/accounts/" not in page.url, f"still signing in, at {page.url}"


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def test_a_volunteer_sends_their_application_with_the_keyboard_alone(new_page, live_site):
    fund = FundFactory(name="Ashby Vale Community Fund")
    draft = ApplicationFactory(
        fund=fund,
        organisation=OrganisationFactory(name="Ashby Vale Allotment Friends"),
        title="Raised beds for everyone",
    )
    page = new_page()

    sign_in_by_keyboard(page, draft.created_by.email)
    page.goto("/applications/")
    assert_accessible(page)
    tab_to(page, page.get_by_role("link", name="Raised beds for everyone"))
    follow(page)
    assert heading(page) == "Apply to Ashby Vale Community Fund"

    # One part of the task list still to do: a phone number, on the contact details page.
    tab_to(page, page.get_by_role("link", name="Contact details"))
    follow(page)
    assert heading(page) == "Contact details"
    type_into(page, page.get_by_label("Phone number (optional)"), "07700 900 982")
    tab_to(page, page.get_by_role("button", name="Save and continue"))
    follow(page, "Space")

    assert heading(page) == "Check your answers before sending your application"
    assert page.get_by_text("07700 900 982").is_visible()
    tab_to(page, page.get_by_role("button", name="Accept and send"))
    follow(page)

    assert page.locator(".govuk-panel__title").inner_text() == "Application sent"
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert draft.contact_phone == "07700 900 982"
    tab_to(page, page.get_by_role("link", name="See where your application is"))
    follow(page)
    assert heading(page) == "Raised beds for everyone"
    assert Application.objects.filter(status=S.DRAFT).count() == 0


def test_a_board_member_declares_scores_and_votes_with_the_keyboard_alone(new_page, live_site):
    locality = LocalityFactory(name="Millbrook", slug="millbrook")
    fund = FundFactory(locality=locality, name="Millbrook Community Fund")
    board, _chair, (member, _other) = board_for(locality, members=3, quorum=3)
    officer = grants_officer(locality=locality)
    meeting = meeting_for(board)
    application = application_in(S.BOARD_REVIEW, fund=fund, title="Stay and play mornings")
    board_service.meeting_open(meeting=meeting, by=officer)
    (item,) = board_service.agenda_add(meeting=meeting, applications=[application], by=officer)
    page = new_page()

    sign_in_by_keyboard(page, member.email, with_code=True)
    page.goto("/board/")
    assert_accessible(page)
    tab_to(page, page.get_by_role("link", name="Stay and play mornings"))
    follow(page)
    assert heading(page) == "Stay and play mornings"

    # The first answer, "No, I have no interest in it", is where Tab enters the group.
    no_interest = page.get_by_label("No, I have no interest in it")
    tab_to(page, no_interest)
    press(page, "Space")
    assert no_interest.is_checked()
    tab_to(page, page.get_by_role("button", name="Save my declaration"))
    follow(page)
    assert page.get_by_text("You declared no interest in this application.").is_visible()

    # Scores run from 0 to 5. Tab enters a radio group with nothing chosen at its first option,
    # from either direction (Chromium), and Space chooses it; any other option is reached, as in
    # every radio group, with the arrow keys, which move the choice along.
    local_need = page.get_by_role("group", name="Local need")
    value_for_money = page.get_by_role("group", name="Value for money")
    comments = page.get_by_label("Comments on your scores (optional)")
    tab_to(page, value_for_money.get_by_label("0", exact=True))
    press(page, "Shift+Tab")
    assert local_need.get_by_label("0", exact=True).evaluate(
        "element => element === document.activeElement"
    )
    press(page, "Space")
    for _ in range(4):
        press(page, "ArrowRight")
    assert local_need.get_by_label("4", exact=True).is_checked()
    press(page, "Tab")
    press(page, "Space")
    for _ in range(2):
        press(page, "ArrowRight")
    assert value_for_money.get_by_label("2", exact=True).is_checked()
    type_into(page, comments, "Popular with families.")

    approve = page.get_by_label("Approve", exact=True)
    tab_to(page, approve)
    press(page, "Space")
    assert approve.is_checked()
    tab_to(page, page.get_by_role("button", name="Save my scores and vote"))
    follow(page, "Space")
    assert page.get_by_text("Your scores and vote are saved.").is_visible()

    assert Declaration.objects.get(item=item, member=member).has_conflict is False
    assert sorted(
        Score.objects.filter(item=item, member=member).values_list("score", flat=True)
    ) == [
        2,
        4,
    ]
    vote = Vote.objects.get(item=item, member=member)
    assert (vote.choice, vote.comment) == (VoteChoice.APPROVE, "Popular with families.")
