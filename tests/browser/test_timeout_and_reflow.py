"""Rows 58 and 59: a volunteer who steps away mid-application is warned before being signed out,
can stay signed in, and loses nothing when the session does end; and every page of applying
reflows on a small phone and at 200% zoom, with controls big enough to hit. axe checks every page.

Time is moved, not waited for: the browser's clock with Playwright's clock API (the warning and
the autosave are timers in the page) and the server's with time-machine (the idle limit is
measured there), so the real limits (30 minutes, warned 5 minutes before) are the ones tested.
"""

import re
import time
from collections.abc import Iterator

import pytest
import time_machine
from playwright.sync_api import Page, expect

from grants.models import Application, BudgetLine
from tests.browser.conftest import SMALL_SCREEN, assert_accessible, assert_no_horizontal_scroll
from tests.factories.core import (
    TEST_PASSWORD,
)
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.browser

MINUTE = 60
MINUTE_MS = 60_000
SIGNED_OUT = "You were signed out to keep your account safe. Anything you saved is still there."
PROJECT_NAME = "What is your project called?"

# Chrome at 200% zoom in a 1280x900 window lays the page out in a 640x450 CSS-pixel viewport, two
# device pixels to each CSS pixel: media queries, wrapping and scrolling all see exactly that. A
# headless browser has no zoom control to press, and CSS `zoom` on the page scales the layout
# without narrowing the viewport its media queries see, so the viewport is set as zoom sets it.
ZOOMED_DESKTOP = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
SMALL_PHONE = {"viewport": SMALL_SCREEN, "is_mobile": True, "has_touch": True}

# WCAG 2.2's target size (2.5.8) asks for 24 by 24 CSS pixels. Buttons and form controls are
# measured here; links may instead be text in a sentence, or have room around them, which axe's
# `target-size` rule (run on every page) judges.
_UNDERSIZED_CONTROLS = """() => [...document.querySelectorAll(
        'button, input:not([type=hidden]), select, textarea, summary, [role=button]')]
    .map((element) => ({element, box: element.getBoundingClientRect()}))
    // A visually hidden control (a closed dialog's, say) has no box worth measuring.
    .filter(({element, box}) => box.width > 1 && box.height > 1
        && getComputedStyle(element).visibility !== 'hidden')
    .filter(({box}) => box.width < 24 || box.height < 24)
    .map(({element, box}) => `${element.outerHTML.slice(0, 80)} is ${box.width}x${box.height}`)"""


def check(page: Page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert page.evaluate(_UNDERSIZED_CONTROLS) == []


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def session_status(page: Page) -> dict:
    """What the server says about this browser's session, asked with the browser's cookies."""
    return page.request.get("/session/status/").json()


@pytest.fixture
def server_clock() -> Iterator[time_machine.Traveller]:
    """The server's clock, running from now, which the test moves on by hand (`shift(seconds)`)."""
    with time_machine.travel(time.time(), tick=True) as traveller:
        yield traveller


def sign_in_here(page: Page, email: str) -> None:
    """Sign in on the sign-in page the browser is already on, keeping where it was sent from."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.wait_for_load_state()
    check(page)


def start_an_application(page: Page, fund, volunteer) -> Application:
    """Sign in, start applying, and open the first question page, on a clock the test moves."""
    page.clock.install()
    page.goto("/accounts/login/")
    check(page)
    sign_in_here(page, volunteer.email)
    page.goto(f"/funds/{fund.slug}/apply/")
    page.wait_for_load_state()
    check(page)
    page.get_by_role("link", name="About your project").click()
    page.wait_for_load_state()
    check(page)
    return Application.objects.get()


def test_a_volunteer_who_steps_away_is_warned_stays_signed_in_and_loses_nothing_when_signed_out(
    new_page, fund, volunteer, server_clock
):
    page = new_page()
    application = start_an_application(page, fund, volunteer)

    # They name the project, and the page saves it by itself half a minute later.
    page.get_by_label(PROJECT_NAME).fill("Seed library")
    with page.expect_response(lambda response: "/autosave/" in response.url) as saved:
        page.clock.fast_forward(31_000)
    assert saved.value.ok
    expect(page.locator("[data-autosave-status]")).to_have_text(
        re.compile(r"^Last saved at \d\d:\d\d$")
    )
    application.refresh_from_db()
    assert application.title == "Seed library"

    # Then they step away. Five minutes before the 30-minute limit, a warning says so.
    server_clock.shift(26 * MINUTE)
    page.clock.fast_forward(25 * MINUTE_MS)
    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible()
    # Read out as it opens: its heading names it, and the countdown describes it.
    expect(warning).to_have_accessible_description(
        re.compile(
            r"^For your security, we will sign you out in [45] minutes\. "
            r"Anything you have saved will still be there\.$"
        )
    )
    assert page.evaluate("() => document.activeElement?.closest('dialog')?.open === true"), (
        "focus did not move into the warning"
    )
    check(page)

    # Staying signed in tells the server, which starts the 30 minutes again.
    with page.expect_response(
        lambda response: "/session/status/" in response.url and response.request.method == "POST"
    ):
        warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page.get_by_label(PROJECT_NAME)).to_have_value("Seed library")
    server_clock.shift(26 * MINUTE)  # 52 minutes since the page loaded, 26 since they stayed
    assert session_status(page)["signed_in"] is True

    # They step away again and do not come back in time: the warning comes back, then the
    # browser goes to sign-in, where the server signs them out and says why.
    page.clock.fast_forward(26 * MINUTE_MS)
    expect(warning).to_be_visible()
    server_clock.shift(5 * MINUTE)
    with page.expect_navigation(url=re.compile(r"/accounts/login/")):
        page.clock.fast_forward(5 * MINUTE_MS)
    page.wait_for_load_state()
    check(page)
    expect(page.get_by_text(SIGNED_OUT)).to_be_visible()
    assert "next%3D" not in page.url  # one way back, not a sign-in page inside another
    assert session_status(page)["signed_in"] is False

    # Signing in again brings them back to the page they were on, with their answer on it.
    sign_in_here(page, volunteer.email)
    assert page.url.endswith(f"/applications/{application.pk}/about/")
    assert heading(page) == "About your project"
    expect(page.get_by_label(PROJECT_NAME)).to_have_value("Seed library")

    # And the task list shows the part as started.
    page.goto(f"/funds/{fund.slug}/apply/")
    page.wait_for_load_state()
    check(page)
    assert heading(page) == "Apply to Ashby Vale Community Fund"
    expect(page.locator("#task-about-status")).to_have_text("Incomplete")
    assert Application.objects.count() == 1


def test_a_volunteer_who_presses_stay_signed_in_too_late_is_told_to_sign_in_again(
    new_page, fund, volunteer, server_clock
):
    page = new_page()
    application = start_an_application(page, fund, volunteer)
    page.get_by_label(PROJECT_NAME).fill("Tool library")
    with page.expect_response(lambda response: "/autosave/" in response.url):
        page.clock.fast_forward(31_000)

    # The server notes activity at most once a minute, so its 30 minutes can run out a little
    # before the page's countdown does: here with half a minute still showing.
    server_clock.shift(30 * MINUTE + 1)
    page.clock.fast_forward(29 * MINUTE_MS)
    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible()
    check(page)

    with page.expect_navigation(url=re.compile(r"/accounts/login/")):
        warning.get_by_role("button", name="Stay signed in").click()
    page.wait_for_load_state()
    check(page)
    expect(page.get_by_text(SIGNED_OUT)).to_be_visible()
    assert session_status(page)["signed_in"] is False

    sign_in_here(page, volunteer.email)
    assert page.url.endswith(f"/applications/{application.pk}/about/")
    expect(page.get_by_label(PROJECT_NAME)).to_have_value("Tool library")


@pytest.mark.parametrize(
    "screen", [SMALL_PHONE, ZOOMED_DESKTOP], ids=["small phone", "desktop at 200% zoom"]
)
def test_every_page_of_applying_reflows_with_controls_big_enough_to_press(
    new_page, fund, group, volunteer, screen
):
    application = ApplicationFactory(
        fund=fund,
        organisation=group,
        created_by=volunteer,
        title="Raised beds for everyone at Ashby Vale allotments",
        summary="Build raised beds so people who use wheelchairs can grow food with us.",
        amount_requested_pence=150_000,
        contact_name="Priya Shah",
    )
    BudgetLine.objects.create(
        application=application,
        description="Timber, soil and fixings for six raised beds",
        amount_pence=120_000,
        position=0,
    )
    BudgetLine.objects.create(
        application=application, description="Tools", amount_pence=30_000, position=1
    )
    page = new_page(**screen)
    page.clock.install()

    page.goto(f"/funds/{fund.slug}/eligibility/")
    check(page)
    assert heading(page) == "Check if your group can apply"

    page.goto("/accounts/login/")
    check(page)
    sign_in_here(page, volunteer.email)

    pages = {
        f"/funds/{fund.slug}/apply/": "Apply to Ashby Vale Community Fund",
        f"/applications/{application.pk}/about/": "About your project",
        f"/applications/{application.pk}/questions/": "Your answers",
        f"/applications/{application.pk}/budget/": "Your budget",
        f"/applications/{application.pk}/contact/": "Contact details",
        f"/applications/{application.pk}/check/": (
            "Check your answers before sending your application"
        ),
    }
    for path, title in pages.items():
        page.goto(path)
        page.wait_for_load_state()
        check(page)
        assert heading(page) == title

    # The warning before an idle sign-out fits too, with its button big enough to press.
    page.goto(f"/applications/{application.pk}/about/")
    page.wait_for_load_state()
    check(page)
    page.clock.fast_forward(26 * MINUTE_MS)
    expect(page.get_by_role("dialog", name="You’re about to be signed out")).to_be_visible()
    check(page)
