"""Without JavaScript, every form a group fills in still says what to fix, the GOV.UK way: the title
starts "Error: ", "There is a problem" comes first in the page, each of its links leads to the field
at fault, which is described by its own error message, and nothing else typed on the page is lost.

With JavaScript the error summary also takes focus (tests/browser/test_grant_application.py);
without it the summary is announced by its role=alert and each link is a plain jump to the field."""

import re

import pytest
from playwright.sync_api import Page, expect

from core.enums import Role
from grants.enums import ApplicationStatus
from grants.models import Application
from tests.browser.conftest import assert_accessible
from tests.factories.core import (
    TEST_PASSWORD,
    LocalityFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)
from tests.factories.grants import ApplicationFactory, FundFactory, application_in

pytestmark = pytest.mark.browser

# With JavaScript off Chromium runs no timers, not even for code a test evaluates, and axe waits on
# timers (so does the harness, for animations to end). The page's own scripts are off, so nothing
# but axe sees these stand-ins, which run each callback as soon as the current step is done.
_TIMERS_THAT_RUN_AT_ONCE = """() => {
    const soon = (callback, ...args) => { Promise.resolve().then(() => callback(...args)); return 0; };
    window.setTimeout = soon;
    window.requestAnimationFrame = (callback) => soon(callback, performance.now());
}"""

# Only the page's layout (empty grid <div>s) may come before the summary in <main>.
_NOTHING_BEFORE = """summary => {
    const range = document.createRange();
    range.setStart(summary.closest('main'), 0);
    range.setEndBefore(summary);
    const before = range.cloneContents();
    return before.textContent.trim() === '' && !before.querySelector(':not(div)');
}"""

# A group of radios or checkboxes is described by its fieldset; any other field by itself.
_DESCRIBED_BY = """field => ((field.closest('fieldset[aria-describedby]') || field)
    .getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)"""


def check(page: Page) -> None:
    """axe on the page as it is without JavaScript (and proof that it is without)."""
    page.wait_for_load_state()
    assert page.locator("body").evaluate("body => !body.classList.contains('js-enabled')"), (
        "the page's JavaScript ran"
    )
    page.evaluate(_TIMERS_THAT_RUN_AT_ONCE)
    assert_accessible(page)


def press(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    check(page)


def follow(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=name).click()
    check(page)


def go_to(page: Page, url: str) -> None:
    page.goto(url)
    check(page)


def sign_in(page: Page, person) -> None:
    go_to(page, "/accounts/login/")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    press(page, "Sign in")


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def field(page: Page, field_id: str):
    return page.locator(f"[id='{field_id}']")


def assert_summary_comes_first(page: Page) -> list[tuple[str, str]]:
    """The error summary as GOV.UK renders it without JavaScript; returns its (text, href) links."""
    assert page.title().startswith("Error: "), f"the title is {page.title()!r}"
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1, "there is no error summary"
    assert summary.is_visible()
    assert summary.locator(".govuk-error-summary__title").inner_text() == "There is a problem"
    assert (
        summary.locator("[role=alert]").count() == 1 or summary.get_attribute("tabindex") == "-1"
    ), "the error summary is neither an alert nor focusable"
    assert summary.evaluate(_NOTHING_BEFORE), "something comes before the error summary in <main>"
    links = summary.locator(".govuk-error-summary__list a")
    assert links.count() > 0, "the error summary lists no errors"
    return [(link.inner_text(), link.get_attribute("href") or "") for link in links.all()]


def assert_shown_what_to_fix(
    page: Page, *, kept: dict[str, str] | None = None, ticked: tuple[str, ...] = ()
) -> list[str]:
    """The whole pattern on a page sent back with errors: every summary link goes to a field on this
    page that its error message describes. ``kept``: field ids and the text each must still hold;
    ``ticked``: ids of radios and checkboxes that must still be ticked. Returns the messages."""
    links = assert_summary_comes_first(page)
    for message, href in links:
        assert href.startswith("#"), f"{message!r} leads to {href!r}, not to a field on this page"
        target_id = href.removeprefix("#")
        target = field(page, target_id)
        assert target.count() == 1, f"{message!r} points at {href}, which is not on the page"
        tag = target.evaluate("element => element.tagName.toLowerCase()")
        assert tag in {"input", "select", "textarea"}, f"{href} is a {tag}, not a field"
        described_by = target.evaluate(_DESCRIBED_BY)
        descriptions = [
            error.inner_text()
            for error in page.locator(".govuk-error-message").all()
            if error.get_attribute("id") in described_by and error.is_visible()
        ]
        assert any(
            description.startswith("Error:") and message in description
            for description in descriptions
        ), f"{href} is not described by a visible error message {message!r}: {descriptions}"

    for index, (_message, href) in enumerate(links):
        page.locator(".govuk-error-summary__list a").nth(index).click()
        expect(page).to_have_url(re.compile(f"{re.escape(href)}$"))
        expect(field(page, href.removeprefix("#"))).to_be_in_viewport()

    for field_id, value in (kept or {}).items():
        assert field(page, field_id).input_value() == value, f"#{field_id} lost what was typed"
    for field_id in ticked:
        assert field(page, field_id).is_checked(), f"#{field_id} is no longer ticked"
    return [message for message, _href in links]


@pytest.fixture
def page(new_page) -> Page:
    """A tab in a browser with JavaScript turned off."""
    return new_page(java_script_enabled=False)


def test_without_javascript_the_eligibility_checker_and_choosing_a_group_say_what_to_fix(
    page, fund, volunteer
):
    OrganisationMembershipFactory(
        user=volunteer, organisation=OrganisationFactory(name="Ashby Vale Choir")
    )
    local = "Is your group based in the area, or does it work there?"
    profit = "Does anyone in your group make a personal profit from the activity?"

    go_to(page, f"/funds/{fund.slug}/eligibility/")
    press(page, "Continue")
    assert assert_shown_what_to_fix(page) == [
        f"Select yes or no: {local}",
        f"Select yes or no: {profit}",
    ]

    page.get_by_role("group", name=local).get_by_label("Yes").check()
    press(page, "Continue")
    assert assert_shown_what_to_fix(page, ticked=("id_q_e-local_1",)) == [
        f"Select yes or no: {profit}"
    ]
    page.get_by_role("group", name=profit).get_by_label("No").check()
    press(page, "Continue")
    assert heading(page) == "You can apply"

    press(page, "Start your application")
    page.get_by_label("Email address").fill(volunteer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    press(page, "Sign in")
    assert page.get_by_role("group", name="Which group is applying?").is_visible()
    press(page, "Continue")
    assert assert_shown_what_to_fix(page) == ["Select the group that is applying"]
    page.get_by_label("Ashby Vale Choir").check()
    press(page, "Continue")
    assert heading(page) == "Apply to Ashby Vale Community Fund"


def test_without_javascript_a_volunteer_is_shown_what_to_fix_on_every_question_page(
    page, fund, volunteer
):
    sign_in(page, volunteer)
    go_to(page, f"/funds/{fund.slug}/apply/")
    application = Application.objects.get()
    follow(page, "About your project")

    # About the project: an amount that is not one, then one the fund can't give.
    title = "Raised beds for everyone"
    summary = "Build raised beds so people who use wheelchairs can grow food with us."
    page.get_by_label("What is your project called?").fill(title)
    page.get_by_label("What will you do?").fill(summary)
    page.get_by_label("How much are you asking for, in pounds?").fill("lots")
    press(page, "Save and continue")
    about = {"id_title": title, "id_summary": summary}
    assert assert_shown_what_to_fix(page, kept={**about, "id_amount": "lots"}) == [
        "Enter an amount in pounds and pence, like 250 or 250.50."
    ]
    page.get_by_label("How much are you asking for, in pounds?").fill("50")
    press(page, "Save and continue")
    assert assert_shown_what_to_fix(page, kept={**about, "id_amount": "50"}) == [
        "Enter an amount between £100.00 and £5,000.00"
    ]
    page.get_by_label("How much are you asking for, in pounds?").fill("1500")
    press(page, "Save and continue")

    # The fund's own questions: an answer over its word limit.
    assert heading(page) == "Your answers"
    too_long = " ".join(["word"] * 151)
    page.get_by_label("What difference will it make, and to whom?").fill(too_long)
    page.get_by_role("group", name="Will you work with children or adults at risk?").get_by_label(
        "No"
    ).check()
    press(page, "Save and continue")
    assert assert_shown_what_to_fix(
        page, kept={"id_q-difference": too_long}, ticked=("id_q-safeguarding_2",)
    ) == ["Your answer must be 150 words or fewer; it is 151"]
    page.get_by_label("What difference will it make, and to whom?").fill(
        "Older members and disabled neighbours can garden again."
    )
    press(page, "Save and continue")

    # The budget: a line with a cost and nothing to say what it is for, then a cost that isn't one.
    assert heading(page) == "Your budget"
    page.locator("#id_amount_0").fill("1200")
    page.locator("#id_description_1").fill("Tools")
    page.locator("#id_amount_1").fill("300")
    press(page, "Save and continue")
    lines = {"id_description_1": "Tools", "id_amount_1": "300"}
    assert assert_shown_what_to_fix(page, kept={**lines, "id_amount_0": "1200"}) == [
        "Line 1: say what it is for"
    ]
    page.locator("#id_description_0").fill("Timber and soil")
    page.locator("#id_amount_0").fill("twelve hundred")
    press(page, "Save and continue")
    assert assert_shown_what_to_fix(
        page, kept={**lines, "id_description_0": "Timber and soil"}
    ) == ["Line 1: Enter an amount in pounds and pence, like 250 or 250.50."]
    # Lines that don't add up to the amount asked for.
    page.locator("#id_amount_0").fill("1000")
    press(page, "Save and continue")
    assert assert_shown_what_to_fix(
        page, kept={**lines, "id_description_0": "Timber and soil", "id_amount_0": "1000"}
    ) == ["Your budget adds up to £1,300.00 but you asked for £1,500.00: make them the same"]
    page.locator("#id_amount_0").fill("1200")
    press(page, "Save and continue")

    # Contact details: a name longer than we keep, from a browser that lets one through.
    assert heading(page) == "Contact details"
    name = page.get_by_label("Who should we contact about this application?")
    name.evaluate("input => input.removeAttribute('maxlength')")
    name.fill("P" * 151)
    page.get_by_label("Phone number (optional)").fill("07700 900 982")
    press(page, "Save and continue")
    assert assert_shown_what_to_fix(
        page, kept={"id_contact_name": "P" * 151, "id_contact_phone": "07700 900 982"}
    ) == ["Name must be 150 characters or fewer"]
    page.get_by_label("Who should we contact about this application?").fill("Priya Shah")
    press(page, "Save and continue")

    assert heading(page) == "Check your answers before sending your application"
    press(page, "Accept and send")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_without_javascript_sending_an_unfinished_application_says_what_is_missing(
    page, fund, volunteer
):
    application = ApplicationFactory(
        fund=fund,
        organisation=volunteer.organisations.get(),
        created_by=volunteer,
        title="",
        summary="",
        amount_requested_pence=150000,
        is_short_form=False,
        answers={},
    )
    sign_in(page, volunteer)
    go_to(page, f"/applications/{application.pk}/check/")
    press(page, "Accept and send")

    # The summary's links go to the page each answer is on, and to the field on it.
    links = assert_summary_comes_first(page)
    assert [message for message, _href in links] == [
        "Enter a name for your project",
        "Say in a few sentences what you will do",
        "Answer “What difference will it make, and to whom?”",
        "Answer “Will you work with children or adults at risk?”",
        "Add at least one line to your budget",
    ]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    first_message, first_href = links[0]
    follow(page, first_message)
    expect(page).to_have_url(re.compile(f"{re.escape(first_href)}$"))
    for message, href in links:
        if href != first_href:
            go_to(page, href)
        target_id = href.partition("#")[2]
        assert page.url.endswith(f"#{target_id}"), f"{message!r} did not lead to #{target_id}"
        target = field(page, target_id)
        assert target.count() == 1, f"{message!r} leads to {href}, which has no #{target_id}"
        expect(target).to_be_in_viewport()


def test_without_javascript_adding_a_group_says_what_to_fix(page, live_site):
    LocalityFactory(name="Ashby Vale")
    person = UserFactory(full_name="Sam Okafor", roles=(Role.APPLICANT,))
    sign_in(page, person)
    go_to(page, "/organisations/new/")

    address = "The Old School\nAshby Vale"
    page.get_by_label("Address").fill(address)
    page.get_by_label("Postcode").fill("BF1 2AB")
    page.get_by_label("What does your group do?").fill("We run a community fridge.")
    page.get_by_label("Ashby Vale").check()
    press(page, "Save and continue")
    described = {
        "id_address": address,
        "id_postcode": "BF1 2AB",
        "id_description": "We run a community fridge.",
    }
    assert assert_shown_what_to_fix(page, kept=described, ticked=("id_localities_1",)) == [
        "Enter the name of your group or organisation.",
        "Select what kind of group you are.",
    ]

    page.get_by_label("Name of your group or organisation").fill("Ashby Vale Fridge")
    page.get_by_label("Registered charity (trust or association)").check()
    page.get_by_label("Postcode").fill("XYZ 123")
    press(page, "Save and continue")
    assert assert_shown_what_to_fix(
        page,
        kept={**described, "id_name": "Ashby Vale Fridge", "id_postcode": "XYZ 123"},
        ticked=("id_localities_1", "id_legal_form_2"),
    ) == [
        "Enter the charity number: a registered charity or CIO has one.",
        "Enter a real UK postcode, like SW1A 1AA.",
    ]


def test_without_javascript_accepting_the_agreement_answering_and_reporting_say_what_to_fix(
    page, live_site
):
    fund = FundFactory(rapid=True)
    group = OrganisationFactory(name="Millbrook Stay and Play")
    treasurer = UserFactory(full_name="Priya Shah", roles=(Role.APPLICANT,))
    OrganisationMembershipFactory(user=treasurer, organisation=group)

    def application(status: str, title: str) -> Application:
        return application_in(
            status,
            application=ApplicationFactory(
                fund=fund, organisation=group, created_by=treasurer, title=title
            ),
        )

    agreed = application(ApplicationStatus.AGREEMENT_ISSUED, "Messy play mornings")
    asked = application(ApplicationStatus.INFO_REQUESTED, "Summer trip")
    reporting = application(ApplicationStatus.MONITORING, "Toy library")
    sign_in(page, treasurer)

    # The grant agreement: a name, but no role and no declaration.
    go_to(page, f"/applications/{agreed.pk}/agreement/")
    page.get_by_label("Your full name").fill("Priya Shah")
    press(page, "Accept the grant agreement")
    assert assert_shown_what_to_fix(page, kept={"id_name": "Priya Shah"}) == [
        "Enter your role in the group, for example treasurer",
        "Confirm you can accept the agreement for your group and that you will keep to the "
        "conditions",
    ]

    # An officer's question, answered with nothing.
    go_to(page, f"/applications/{asked.pk}/")
    press(page, "Send your answer")
    assert assert_shown_what_to_fix(page) == ["Enter your answer to the question"]

    # The end-of-grant report, sent empty.
    go_to(page, f"/applications/{reporting.pk}/report/")
    press(page, "Send your report")
    messages = assert_shown_what_to_fix(page)
    assert messages and all(message.startswith("Answer the question") for message in messages)
