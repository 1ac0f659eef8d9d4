"""A volunteer applies for a small grant on their phone: checks they can, signs in, makes a mistake,
saves, checks their answers, sends the application and sees where it is. axe checks every page."""

import re

import pytest
from playwright.sync_api import expect

from grants.enums import ApplicationStatus
from grants.models import Application
from tests.browser.conftest import (
    assert_accessible,
    assert_error_summary,
    assert_no_horizontal_scroll,
    csp_violations,
)
from tests.factories.core import (
    TEST_PASSWORD,
    OrganisationFactory,
    OrganisationMembershipFactory,
)
from tests.factories.grants import FundFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def check(page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def press(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    check(page)


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def test_a_volunteer_applies_for_a_grant_on_a_phone(new_page, fund, volunteer):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)

    # Can we apply? An unanswered question first, then the answers.
    page.goto(f"/funds/{fund.slug}/eligibility/")
    check(page)
    assert heading(page) == "Check if your group can apply"
    press(page, "Continue")
    assert_error_summary(page)
    page.get_by_role(
        "group", name="Is your group based in the area, or does it work there?"
    ).get_by_label("Yes").check()
    page.get_by_role(
        "group", name="Does anyone in your group make a personal profit from the activity?"
    ).get_by_label("No").check()
    press(page, "Continue")
    assert heading(page) == "You can apply"

    # Starting asks them to sign in, then brings them to their task list.
    page.get_by_role("button", name="Start your application").click()
    page.wait_for_load_state()
    check(page)
    page.get_by_label("Email address").fill(volunteer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    press(page, "Sign in")
    assert heading(page) == "Apply to Ashby Vale Community Fund"
    application = Application.objects.get()
    assert page.get_by_text(re.compile(r"^Last saved at \d\d:\d\d$")).is_visible()

    # About the project: an amount the fund can't give is an error that says what it can.
    page.get_by_role("link", name="About your project").click()
    page.wait_for_load_state()
    check(page)
    page.get_by_label("What is your project called?").fill("Raised beds for everyone")
    page.get_by_label("What will you do?").fill(
        "Build raised beds so people who use wheelchairs can grow food with us."
    )
    page.get_by_label("How much are you asking for, in pounds?").fill("50")
    press(page, "Save and continue")
    assert_error_summary(page)
    assert page.get_by_text("Enter an amount between £100.00 and £5,000.00").first.is_visible()
    application.refresh_from_db()
    assert application.title == "Raised beds for everyone"  # saved, despite the mistake
    page.get_by_label("How much are you asking for, in pounds?").fill("1,500")
    press(page, "Save and continue")

    # The fund's own questions.
    assert heading(page) == "Your answers"
    page.get_by_label("What difference will it make, and to whom?").fill(
        "Older members and disabled neighbours can garden again."
    )
    page.get_by_role("group", name="Will you work with children or adults at risk?").get_by_label(
        "No"
    ).check()
    press(page, "Save and continue")

    # The budget, which must add up.
    assert heading(page) == "Your budget"
    page.locator("#id_description_0").fill("Timber and soil")
    page.locator("#id_amount_0").fill("1200")
    page.locator("#id_description_1").fill("Tools")
    page.locator("#id_amount_1").fill("300")
    press(page, "Save and continue")

    # Contact details start from the account; the group's details are not asked again.
    assert heading(page) == "Contact details"
    assert page.get_by_label("Who should we contact about this application?").input_value() == (
        "Priya Shah"
    )
    assert page.get_by_text("Ashby Vale Allotment Friends").is_visible()
    page.get_by_label("Phone number (optional)").fill("07700 900 982")
    press(page, "Save and continue")

    # Check, then send.
    assert heading(page) == "Check your answers before sending your application"
    assert page.get_by_text("Raised beds for everyone").is_visible()
    assert page.get_by_text("£1,500.00").first.is_visible()
    assert page.get_by_role("link", name=re.compile(r"^Change project name")).is_visible()
    press(page, "Accept and send")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert page.locator(".govuk-panel__title").inner_text() == "Application sent"
    assert page.get_by_text(application.reference).is_visible()
    assert page.get_by_text(f"{application.decision_due_on:%-d %B %Y}").is_visible()

    page.get_by_role("link", name="See where your application is").click()
    page.wait_for_load_state()
    check(page)
    assert heading(page) == "Raised beds for everyone"
    assert page.get_by_role("heading", name="We have your application").is_visible()


def test_a_draft_page_saves_itself_while_the_volunteer_types(new_page, fund, volunteer):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=False)
    page.clock.install()
    autosaves = []
    page.on("request", lambda request: "/autosave/" in request.url and autosaves.append(request))
    page.goto("/accounts/login/")
    check(page)
    page.get_by_label("Email address").fill(volunteer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    press(page, "Sign in")
    page.goto(f"/funds/{fund.slug}/apply/")
    page.wait_for_load_state()
    check(page)
    application = Application.objects.get()
    page.get_by_role("link", name="About your project").click()
    page.wait_for_load_state()
    check(page)

    status = page.locator("[data-autosave-status]")
    expect(status).to_have_attribute("aria-live", "polite")

    # Nothing has changed yet, so nothing is sent.
    page.clock.fast_forward(31_000)
    page.wait_for_timeout(200)
    assert autosaves == []

    page.get_by_label("What is your project called?").fill("Seed swap")
    status.evaluate("element => { element.textContent = ''; }")
    with page.expect_response(lambda response: "/autosave/" in response.url) as sent:
        page.clock.fast_forward(31_000)
    assert sent.value.status == 200
    assert len(autosaves) == 1
    expect(status).to_have_text(re.compile(r"^Last saved at \d\d:\d\d$"))
    application.refresh_from_db()
    assert application.title == "Seed swap"
    assert csp_violations(page) == []
    check(page)


def test_a_volunteer_answers_a_question_and_finds_other_help(new_page, fund, volunteer):
    from grants.services import decisions
    from tests.factories.grants import ApplicationFactory, application_in, grants_officer

    second_group = OrganisationFactory(name="Ashby Vale Choir")
    OrganisationMembershipFactory(user=volunteer, organisation=second_group)
    application = application_in(
        ApplicationStatus.SCREENING,
        application=ApplicationFactory(
            fund=fund, organisation=second_group, created_by=volunteer, title="Choir music"
        ),
    )
    decisions.information_request(
        application=application,
        by=grants_officer(locality=fund.locality),
        question="Which hall will you use?",
    )
    FundFactory(name="Millbrook Fund")
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)

    # Not eligible: told why, kindly, and where else to look.
    page.goto(f"/funds/{fund.slug}/eligibility/")
    check(page)
    page.get_by_role(
        "group", name="Is your group based in the area, or does it work there?"
    ).get_by_label("No").check()
    page.get_by_role(
        "group", name="Does anyone in your group make a personal profit from the activity?"
    ).get_by_label("No").check()
    press(page, "Continue")
    assert heading(page) == "This fund is not the right one for your group"
    assert page.get_by_text("This fund is for groups working in the area.").is_visible()
    assert page.get_by_role("link", name="Millbrook Fund").is_visible()

    # Their applications, and the officer's question.
    page.goto("/accounts/login/")
    check(page)
    page.get_by_label("Email address").fill(volunteer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    press(page, "Sign in")
    page.goto("/applications/")
    check(page)
    page.get_by_role("link", name="Choir music").click()
    page.wait_for_load_state()
    check(page)
    assert page.get_by_text("Which hall will you use?").is_visible()
    press(page, "Send your answer")
    assert_error_summary(page)
    page.get_by_label("Your answer").fill("St Mary’s church hall.")
    press(page, "Send your answer")
    assert page.get_by_text("Thank you. We have your answer.").is_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SCREENING

    # Starting another asks which group; then they change their mind about the first.
    page.goto(f"/funds/{fund.slug}/apply/")
    check(page)
    press(page, "Continue")
    assert_error_summary(page)
    page.goto(f"/applications/{application.pk}/")
    check(page)
    page.get_by_role("link", name="Withdraw this application").click()
    page.wait_for_load_state()
    check(page)
    press(page, "Withdraw this application")
    assert page.get_by_role("heading", name="This application was withdrawn").is_visible()
