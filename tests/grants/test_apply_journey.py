"""A volunteer filling in an application: saving as they go, the errors each page gives, checking,
sending once however many times they press the button, and a round that closes under them."""

import datetime
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from django.db import connection
from django.test import Client
from django.utils import timezone

import pytest

from core.models import AuditEntry, InboxMessage
from grants.enums import ApplicationStatus
from grants.models import Application
from tests.factories import OrganisationMembershipFactory, UserFactory
from tests.factories.grants import ApplicationFactory, FundFactory, RoundFactory
from tests.security.pages import error_summary, error_summary_targets, main_text

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _title(response) -> str:
    body = response.content.decode()
    return body[body.index("<title>") + 7 : body.index("</title>")].strip()


@pytest.fixture
def volunteer():
    return UserFactory(full_name="Priya Shah")


@pytest.fixture
def draft(volunteer):
    """A new, empty draft for the volunteer's group."""
    organisation = OrganisationMembershipFactory(user=volunteer).organisation
    fund = FundFactory(minimum_award_pence=10000, maximum_award_pence=500000)
    return ApplicationFactory(
        fund=fund,
        organisation=organisation,
        created_by=volunteer,
        title="",
        summary="",
        amount_requested_pence=None,
        is_short_form=False,
        answers={},
        contact_name="",
    )


@pytest.fixture
def signed_in(client, volunteer):
    client.force_login(volunteer)
    return client


def url(application, page="") -> str:
    return f"/applications/{application.pk}/{page + '/' if page else ''}"


def test_a_volunteer_can_save_a_draft_and_come_back(signed_in, draft):
    response = signed_in.post(url(draft, "about"), {"title": "Saturday coffee mornings"})
    assert response.status_code == 302
    assert response["Location"] == url(draft, "questions")

    signed_in.logout()
    signed_in.force_login(draft.created_by)
    task_list = signed_in.get(url(draft))
    text = main_text(task_list)
    assert "About your project Incomplete" in text
    saved = timezone.localtime(Application.objects.get(pk=draft.pk).last_saved_at)
    assert f"Last saved at {saved:%H:%M}" in text
    about = signed_in.get(url(draft, "about"))
    assert 'value="Saturday coffee mornings"' in about.content.decode()


def test_the_about_page_states_the_funds_limits_when_the_amount_is_outside_them(signed_in, draft):
    response = signed_in.post(
        url(draft, "about"), {"title": "Coffee mornings", "summary": "", "amount": "50"}
    )
    assert response.status_code == 400
    assert _title(response).startswith("Error: ")
    assert error_summary(response) == ["Enter an amount between £100.00 and £5,000.00"]
    assert error_summary_targets(response) == ["id_amount"]
    draft.refresh_from_db()
    assert draft.title == "Coffee mornings"  # what was valid is kept
    assert draft.amount_requested_pence is None


def test_an_amount_that_is_not_money_is_refused(signed_in, draft):
    response = signed_in.post(url(draft, "about"), {"amount": "lots"})
    assert response.status_code == 400
    assert error_summary(response) == ["Enter an amount in pounds and pence, like 250 or 250.50."]


def test_a_small_request_uses_the_short_form_without_a_budget(signed_in, draft):
    response = signed_in.post(
        url(draft, "about"), {"title": "Tea", "summary": "Tea.", "amount": "£750"}
    )
    draft.refresh_from_db()
    assert draft.amount_requested_pence == 75000
    assert draft.is_short_form
    assert response["Location"] == url(draft, "questions")
    questions = signed_in.get(url(draft, "questions"))
    assert "What difference will it make" in main_text(questions)
    assert "Will you work with children" not in main_text(questions)  # long form only
    after = signed_in.post(url(draft, "questions"), {"q-difference": "Less lonely."})
    assert after["Location"] == url(draft, "contact")
    assert signed_in.get(url(draft, "budget"))["Location"] == url(draft, "contact")
    assert "Your budget" not in main_text(signed_in.get(url(draft)))


def test_a_long_answer_over_its_word_limit_is_shown_as_an_error(signed_in, draft):
    response = signed_in.post(
        url(draft, "questions"), {"q-difference": "word " * 151, "q-safeguarding": "no"}
    )
    assert response.status_code == 400
    assert _title(response).startswith("Error: ")
    assert error_summary(response) == ["Your answer must be 150 words or fewer; it is 151"]
    draft.refresh_from_db()
    assert draft.answers == {"q-safeguarding": "no"}


def test_the_budget_must_add_up_to_the_amount_asked_for(signed_in, draft):
    signed_in.post(url(draft, "about"), {"amount": "1500"})
    response = signed_in.post(
        url(draft, "budget"),
        {
            "lines": "3",
            "description_0": "Hall hire",
            "amount_0": "1000",
            "description_1": "Tea and biscuits",
            "amount_1": "250.50",
            "description_2": "",
            "amount_2": "",
        },
    )
    assert response.status_code == 400
    assert _title(response).startswith("Error: ")
    assert error_summary(response) == [
        "Your budget adds up to £1,250.50 but you asked for £1,500.00: make them the same"
    ]
    draft.refresh_from_db()
    assert draft.budget_total_pence == 125050  # kept, so nothing typed is lost

    fixed = signed_in.post(
        url(draft, "budget"),
        {
            "lines": "2",
            "description_0": "Hall hire",
            "amount_0": "1000",
            "description_1": "Tea and biscuits",
            "amount_1": "500",
        },
    )
    assert fixed["Location"] == url(draft, "contact")
    assert draft.budget_total_pence == 150000


def test_a_budget_line_needs_both_what_it_is_for_and_what_it_costs(signed_in, draft):
    response = signed_in.post(
        url(draft, "budget"),
        {"lines": "2", "description_0": "Hall hire", "amount_0": "", "amount_1": "20"},
    )
    assert response.status_code == 400
    assert error_summary(response) == [
        "Line 1: enter what it costs",
        "Line 2: say what it is for",
    ]
    assert error_summary_targets(response) == ["id_amount_0", "id_description_1"]


def test_adding_another_budget_line_saves_and_shows_one_more(signed_in, draft):
    posted = {"lines": "1", "description_0": "Hall hire", "amount_0": "100", "add_line": "1"}
    response = signed_in.post(url(draft, "budget"), posted)
    assert response["Location"] == url(draft, "budget") + "?lines=2"
    page = signed_in.get(response["Location"])
    assert 'name="description_2"' in page.content.decode()  # at least three lines are offered
    assert draft.budget_lines.get().description == "Hall hire"


def test_contact_details_start_from_the_signed_in_person_and_the_group_is_not_asked_again(
    signed_in, draft
):
    page = signed_in.get(url(draft, "contact"))
    body = page.content.decode()
    assert 'value="Priya Shah"' in body
    assert draft.organisation.name in main_text(page)
    assert 'name="postcode"' not in body
    signed_in.post(url(draft, "contact"), {"contact_name": "Priya Shah", "contact_phone": "0121"})
    draft.refresh_from_db()
    assert (draft.contact_name, draft.contact_phone) == ("Priya Shah", "0121")


def test_check_your_answers_has_a_change_link_for_each_answer(signed_in, draft):
    signed_in.post(url(draft, "about"), {"title": "Coffee", "summary": "Cups.", "amount": "2000"})
    page = signed_in.get(url(draft, "check"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Coffee" in main_text(page) and "£2,000.00" in main_text(page)
    for target in [
        "about/?change=1#id_title",
        "about/?change=1#id_amount",
        "questions/?change=1#id_q-difference",
        "questions/?change=1#id_q-safeguarding_1",
        "budget/?change=1",
        "contact/?change=1#id_contact_name",
    ]:
        assert f'href="{url(draft)}{target}' in body
    changed = signed_in.post(url(draft, "about") + "?change=1", {"title": "Tea"})
    assert changed["Location"] == url(draft, "check")


def test_sending_an_incomplete_application_lists_what_to_change_and_where(signed_in, draft):
    signed_in.post(url(draft, "about"), {"title": "Coffee", "amount": "2000"})
    response = signed_in.post(url(draft, "submit"))
    assert response.status_code == 400
    assert _title(response).startswith("Error: ")
    assert error_summary(response) == [
        "Say in a few sentences what you will do",
        "Answer “What difference will it make, and to whom?”",
        "Answer “Will you work with children or adults at risk?”",
        "Add at least one line to your budget",
    ]
    body = response.content.decode()
    assert f'href="{url(draft, "about")}?change=1#id_summary"' in body
    assert f'href="{url(draft, "questions")}?change=1#id_q-safeguarding_1"' in body
    assert f'href="{url(draft, "budget")}?change=1#id_description_0"' in body
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_pressing_send_twice_makes_one_application_and_one_confirmation(
    signed_in, volunteer, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(
        organisation=OrganisationMembershipFactory(user=volunteer).organisation,
        created_by=volunteer,
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = signed_in.post(url(application, "submit"))
        second = signed_in.post(url(application, "submit"))

    assert first["Location"] == second["Location"] == url(application, "sent")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert Application.objects.count() == 1
    assert InboxMessage.objects.filter(recipient=volunteer).count() == 1
    confirmation = signed_in.get(url(application, "sent"))
    text = main_text(confirmation)
    assert "Application sent" in text
    assert application.reference in text
    assert f"{application.decision_due_on:%-d %B %Y}" in text


def test_a_round_that_closed_before_sending_keeps_the_draft(signed_in, volunteer):
    now = timezone.now()
    spring = RoundFactory(
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(minutes=1),
    )
    RoundFactory(
        fund=spring.fund,
        name="Autumn round",
        opens_at=now + datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(days=40),
    )
    application = ApplicationFactory(
        fund=spring.fund,
        organisation=OrganisationMembershipFactory(user=volunteer).organisation,
        created_by=volunteer,
    )

    response = signed_in.post(url(application, "submit"))

    text = main_text(response)
    assert response.status_code == 409
    assert "This round has closed" in text
    assert "Your draft is kept" in text
    assert "The next round, Autumn round, opens on" in text
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert application.title.startswith("Coffee and chat morning")


def test_fields_a_group_does_not_set_are_ignored(signed_in, draft):
    other_fund = FundFactory()
    other_group = OrganisationMembershipFactory().organisation
    sneaky = {
        "status": S.AWARDED,
        "amount_awarded_pence": "500000",
        "fund": other_fund.pk,
        "organisation": other_group.pk,
        "reference": "HACKED",
        "decision_due_on": "2020-01-01",
    }
    for page, data in [
        ("about", {"title": "Fair", **sneaky}),
        ("questions", sneaky),
        ("budget", {"lines": "1", **sneaky}),
        ("contact", {"contact_name": "Sam", **sneaky}),
    ]:
        signed_in.post(url(draft, page), data)
    signed_in.post(url(draft, "autosave") + "?page=about", {"title": "Fair", **sneaky})

    draft.refresh_from_db()
    assert draft.title == "Fair"
    assert draft.status == S.DRAFT
    assert draft.amount_awarded_pence is None
    assert draft.fund != other_fund and draft.organisation != other_group
    assert draft.reference is None and draft.decision_due_on is None


def test_autosave_saves_the_page_and_says_when(signed_in, draft):
    response = signed_in.post(
        url(draft, "autosave") + "?page=about", {"title": "Park clean-up", "amount": "20"}
    )
    assert response.status_code == 200
    result = response.json()
    draft.refresh_from_db()
    assert draft.title == "Park clean-up"
    assert result["saved"] is True
    saved = timezone.localtime(draft.last_saved_at)
    assert result["message"].startswith(f"Last saved at {saved:%H:%M}")
    assert "Some answers need checking" in result["message"]  # £20 is below the fund's minimum

    unknown = signed_in.post(url(draft, "autosave") + "?page=status", {})
    assert unknown.status_code == 400


def test_autosave_needs_the_csrf_token(volunteer, draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(volunteer)
    response = client.post(url(draft, "autosave") + "?page=about", {"title": "Forged"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.title == ""


def test_a_volunteer_can_email_themselves_a_link_back_to_their_draft(signed_in, volunteer, draft):
    response = signed_in.post(url(draft, "resume-link"), {"next": url(draft, "budget")})
    assert response["Location"] == url(draft, "budget")
    message = InboxMessage.objects.get(recipient=volunteer)
    assert message.link == url(draft)
    emailed = f"http://testserver/accounts/login/?next={quote(url(draft), safe='')}"
    assert emailed in message.body
    # Followed while signed in, the link goes straight to the draft; signed out, via sign-in.
    assert signed_in.get(emailed)["Location"] == url(draft)
    assert Client().get(emailed).status_code == 200
    elsewhere = signed_in.post(url(draft, "resume-link"), {"next": "https://evil.example/"})
    assert elsewhere["Location"] == url(draft)


def test_a_sent_application_cannot_be_edited(signed_in, volunteer):
    application = ApplicationFactory(
        organisation=OrganisationMembershipFactory(user=volunteer).organisation,
        created_by=volunteer,
    )
    signed_in.post(url(application, "submit"))
    for page in ["about", "questions", "contact"]:
        response = signed_in.post(url(application, page), {"title": "Changed"})
        assert response.status_code == 409
        assert "This application has been sent, so it can’t be changed now." in main_text(response)
        assert signed_in.get(url(application, page)).status_code == 409
    autosave = signed_in.post(url(application, "autosave") + "?page=about", {"title": "Changed"})
    assert autosave.status_code == 409
    assert signed_in.post(url(application, "resume-link")).status_code == 409
    assert signed_in.get(url(application, "check"))["Location"] == url(application)
    application.refresh_from_db()
    assert application.title != "Changed"


def test_signed_out_after_a_long_pause_loses_nothing(client, volunteer, draft):
    """Security matrix row 58: the volunteer is called away mid-form; the idle time-out signs them
    out; when they sign back in the task list shows what they had saved."""
    import time_machine

    from tests.factories.core import TEST_PASSWORD

    client.post("/accounts/login/", {"login": volunteer.email, "password": TEST_PASSWORD})
    client.post(url(draft, "about"), {"title": "Saturday coffee mornings", "summary": "Tea."})

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        away = client.get(url(draft, "questions"))
        assert away.status_code == 302
        assert away["Location"].startswith("/accounts/login/")
        signed_out = client.get(away["Location"])
        assert "signed out to keep your account safe" in signed_out.content.decode()

        back = client.post(away["Location"], {"login": volunteer.email, "password": TEST_PASSWORD})
        assert back.status_code == 302
        assert back["Location"] == url(draft, "questions")
        about = client.get(url(draft, "about")).content.decode()
        assert 'value="Saturday coffee mornings"' in about


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite runs one writer at a time; the race being tested needs PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
def test_send_pressed_in_two_tabs_at_the_same_moment_makes_one_application_and_one_message():
    """Security matrix row 41, as a real race: two tabs post "Send application" together."""
    volunteer = UserFactory(full_name="Priya Shah")
    application = ApplicationFactory(
        organisation=OrganisationMembershipFactory(user=volunteer).organisation,
        created_by=volunteer,
    )
    both_ready = threading.Barrier(2)

    def send(_tab: int) -> tuple[int, str]:
        tab = Client()
        tab.force_login(volunteer)
        try:
            both_ready.wait(timeout=10)
            response = tab.post(url(application, "submit"))
            return response.status_code, response.get("Location", "")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, [1, 2]))

    # Both tabs land on the confirmation; there is one application, sent once, and one message.
    assert answers == [(302, url(application, "sent"))] * 2
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert Application.objects.count() == 1
    assert InboxMessage.objects.filter(recipient=volunteer).count() == 1
    assert AuditEntry.objects.for_object(application).filter(to_state=S.SUBMITTED).count() == 1
