"""A grants officer plans the advisory board's next meeting in the admin, for the round whose
applications it will decide, then opens the meeting's page and puts the waiting applications on its
agenda. axe checks every page, the Wagtail admin's included."""

import datetime
import re

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from grants.enums import ApplicationStatus
from grants.models import BoardMeeting
from tests.browser.conftest import (
    assert_accessible,
    open_from_admin_menu,
    press_and_expect,
    sign_in_with_code,
)
from tests.factories.core import LocalityFactory
from tests.factories.grants import (
    FundFactory,
    RoundFactory,
    application_in,
    board_for,
    grants_officer,
)

pytestmark = pytest.mark.browser


def test_an_officer_plans_a_board_meeting_for_a_round_and_sets_its_agenda(new_page, live_site):
    locality = LocalityFactory(name="Ashby Vale", slug="ashby-vale")
    fund = FundFactory(locality=locality, name="Ashby Vale Community Fund", is_rolling=False)
    spring = RoundFactory(fund=fund, name="Spring 2027")
    board, _, _ = board_for(locality)
    officer = grants_officer(locality=locality, full_name="Dana Okafor")
    waiting = application_in(ApplicationStatus.BOARD_REVIEW, fund=fund, title="Canal clean-up day")
    waiting.round = spring
    waiting.save(update_fields=["round"])
    next_week = timezone.localtime() + datetime.timedelta(days=7)
    page = new_page()

    sign_in_with_code(page, officer)
    open_from_admin_menu(page, "Grants", "Board meetings")
    page.get_by_role("link", name=re.compile("Add board meeting")).first.click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.get_by_role("combobox", name=re.compile(r"^Board")).select_option(label=str(board))
    page.get_by_role("combobox", name=re.compile(r"^Round")).select_option(label=str(spring))
    page.get_by_role("textbox", name=re.compile(r"^Held at")).fill(
        next_week.strftime("%Y-%m-%d 18:30")
    )
    page.keyboard.press("Escape")  # close the date picker
    page.get_by_role("textbox", name=re.compile(r"^Location")).fill("Ashby Vale Library")
    page.get_by_role("button", name="Create", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)

    meeting = BoardMeeting.objects.get()
    assert (meeting.round, meeting.location) == (spring, "Ashby Vale Library")
    page.get_by_role("link", name=re.compile(f"{next_week:%-d %B %Y}")).click()
    page.wait_for_load_state()
    assert_accessible(page)
    expect(page.get_by_text("Spring 2027")).to_be_visible()
    expect(page.get_by_text("1 application is waiting for the board")).to_be_visible()

    press_and_expect(
        page, "Add 1 waiting application to the agenda", "1 application added to the agenda."
    )
    expect(page.get_by_role("link", name="Canal clean-up day")).to_be_visible()
    press_and_expect(
        page,
        "Open the meeting",
        "The meeting is open. Members can declare their interests, score and vote.",
    )
    assert BoardMeeting.objects.get().status == "open"
