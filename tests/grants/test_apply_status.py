"""After sending: what each status says, answering an officer's question, and withdrawing."""

import pytest

from grants.enums import ApplicationStatus
from grants.services import decisions
from tests.factories.grants import FundFactory, application_in, grants_officer
from tests.security.pages import error_summary, main_text

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _title(response) -> str:
    body = response.content.decode()
    return body[body.index("<title>") + 7 : body.index("</title>")].strip()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (S.SUBMITTED, "We have your application"),
        (S.SCREENING, "We are checking your application"),
        (S.OFFICER_DECISION, "A grants officer is deciding"),
        (S.AWARDED, "Your application was successful"),
        (S.AGREEMENT_ISSUED, "Read and accept your grant agreement"),
        (S.PAID, "We have paid your grant"),
        (S.CLOSED, "This grant is complete"),
        (S.WITHDRAWN, "This application was withdrawn"),
    ],
)
def test_the_status_page_says_in_plain_words_where_it_is(
    client, status, words, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = application_in(status, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)

    response = client.get(f"/applications/{application.pk}/")

    text = main_text(response)
    assert response.status_code == 200
    assert words in text
    assert application.reference in text


def test_a_sent_application_shows_when_to_expect_a_decision(client):
    application = application_in(S.SUBMITTED)
    client.force_login(application.created_by)
    text = main_text(client.get(f"/applications/{application.pk}/"))
    assert f"We expect to tell you our decision by {application.decision_due_on:%-d %B %Y}" in text
    assert "Withdraw this application" in text


def test_an_award_shows_the_amount_and_the_way_to_the_agreement(client):
    application = application_in(S.AGREEMENT_ISSUED, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)
    response = client.get(f"/applications/{application.pk}/")
    assert "Amount awarded £500.00" in main_text(response)
    assert f'href="/applications/{application.pk}/agreement/"' in response.content.decode()


def test_a_declined_application_shows_the_reason_and_the_feedback(client):
    application = application_in(S.DECLINED, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)
    text = main_text(client.get(f"/applications/{application.pk}/"))
    assert "It does not meet the fund's priorities" in text
    assert "Thank you." in text
    assert "Withdraw this application" not in text


def test_answering_an_information_request_returns_the_application_to_where_it_was(client):
    application = application_in(S.BOARD_REVIEW)
    officer = grants_officer(locality=application.fund.locality)
    decisions.information_request(
        application=application, by=officer, question="Which hall will you use?"
    )
    client.force_login(application.created_by)
    url = f"/applications/{application.pk}/"

    page = client.get(url)
    assert "Which hall will you use?" in main_text(page)

    empty = client.post(url + "information/", {"response": "  "})
    assert empty.status_code == 400
    assert _title(empty).startswith("Error: ")
    assert error_summary(empty) == ["Enter your answer to the question"]

    answered = client.post(url + "information/", {"response": "St Mary’s church hall."})
    assert answered["Location"] == url
    application.refresh_from_db()
    assert application.status == S.BOARD_REVIEW
    assert application.info_response == "St Mary’s church hall."

    again = client.post(url + "information/", {"response": "Another answer."})
    assert again.status_code == 409
    assert "This can’t be done now: it is with the advisory board." in main_text(again)


def test_a_volunteer_can_withdraw_after_confirming(client):
    application = application_in(S.SUBMITTED)
    client.force_login(application.created_by)
    url = f"/applications/{application.pk}/withdraw/"

    page = client.get(url)
    assert "Are you sure you want to withdraw this application?" in main_text(page)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED

    response = client.post(url, {"reason": "We found another funder."})
    assert response["Location"] == f"/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN

    again = client.get(url)
    assert again.status_code == 409
    assert "can’t be withdrawn now" in main_text(again)
