"""Checking whether a group can apply, before anyone signs in or writes anything, and starting."""

import datetime

from django.utils import timezone

import pytest

from core.models import Organisation
from grants.enums import ApplicationStatus
from grants.models import Application
from tests.factories import OrganisationMembershipFactory, UserFactory
from tests.factories.grants import FundFactory, RoundFactory
from tests.security.pages import error_summary, main_text, sends_to_sign_in

pytestmark = pytest.mark.django_db

ELIGIBLE = {"q_e-local": "yes", "q_e-profit": "no"}


def _title(response) -> str:
    body = response.content.decode()
    return body[body.index("<title>") + 7 : body.index("</title>")].strip()


def test_a_group_that_can_apply_is_told_so_and_nothing_is_kept(client):
    fund = FundFactory(name="Ashby Vale Fund")
    url = f"/funds/{fund.slug}/eligibility/"

    page = client.get(url)
    assert page.status_code == 200
    assert "Is your group based in the area" in main_text(page)

    result = client.post(url, ELIGIBLE)
    assert result.status_code == 200
    assert "You can apply" in main_text(result)
    assert f"/funds/{fund.slug}/apply/" in result.content.decode()
    assert Application.objects.count() == 0
    assert dict(client.session) == {}


def test_a_group_that_cannot_apply_is_told_why_and_what_else_might_help(client):
    fund = FundFactory(name="Ashby Vale Fund")
    other = FundFactory(name="Millbrook Fund")
    FundFactory(name="Hidden Fund", is_published=False)

    result = client.post(
        f"/funds/{fund.slug}/eligibility/", {"q_e-local": "no", "q_e-profit": "yes"}
    )

    text = main_text(result)
    assert result.status_code == 200
    assert "not the right one for your group" in text
    assert "This fund is for groups working in the area." in text
    assert "The fund only supports not-for-profit activity." in text
    assert other.name in text and f"/funds/{other.slug}/eligibility/" in result.content.decode()
    assert "Hidden Fund" not in text
    assert "Find other help and support" in text
    assert Application.objects.count() == 0
    assert dict(client.session) == {}


def test_one_wrong_answer_gives_only_its_own_reason(client):
    fund = FundFactory()
    result = client.post(f"/funds/{fund.slug}/eligibility/", {**ELIGIBLE, "q_e-profit": "yes"})
    text = main_text(result)
    assert "The fund only supports not-for-profit activity." in text
    assert "This fund is for groups working in the area." not in text


def test_an_unanswered_eligibility_question_shows_the_error_summary(client):
    fund = FundFactory()
    result = client.post(f"/funds/{fund.slug}/eligibility/", {"q_e-local": "yes"})
    assert result.status_code == 400
    assert _title(result).startswith("Error: ")
    assert error_summary(result) == [
        "Select yes or no: Does anyone in your group make a personal profit from the activity?"
    ]


def test_an_unpublished_fund_has_no_checker(client):
    fund = FundFactory(is_published=False)
    assert client.get(f"/funds/{fund.slug}/eligibility/").status_code == 404


# Starting -------------------------------------------------------------------------------------


def test_starting_needs_sign_in(client):
    fund = FundFactory()
    assert sends_to_sign_in(client.get(f"/funds/{fund.slug}/apply/"))


def test_a_volunteer_with_one_group_goes_straight_to_their_task_list(client):
    fund = FundFactory()
    membership = OrganisationMembershipFactory()
    client.force_login(membership.user)

    response = client.get(f"/funds/{fund.slug}/apply/")

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.pk}/"
    assert application.organisation == membership.organisation
    assert application.status == ApplicationStatus.DRAFT
    again = client.get(f"/funds/{fund.slug}/apply/")
    assert again["Location"] == f"/applications/{application.pk}/"
    assert Application.objects.count() == 1


def test_a_volunteer_in_two_groups_chooses_which_is_applying(client):
    fund = FundFactory()
    user = UserFactory()
    first = OrganisationMembershipFactory(user=user).organisation
    second = OrganisationMembershipFactory(user=user).organisation
    someone_elses = OrganisationMembershipFactory().organisation
    client.force_login(user)

    page = client.get(f"/funds/{fund.slug}/apply/")
    assert page.status_code == 200
    assert first.name in main_text(page) and second.name in main_text(page)

    missing = client.post(f"/funds/{fund.slug}/apply/", {})
    assert missing.status_code == 400
    assert error_summary(missing) == ["Select the group that is applying"]

    sneaky = client.post(f"/funds/{fund.slug}/apply/", {"organisation": someone_elses.pk})
    assert sneaky.status_code == 400
    assert not Application.objects.exists()

    chosen = client.post(f"/funds/{fund.slug}/apply/", {"organisation": second.pk})
    application = Application.objects.get()
    assert chosen["Location"] == f"/applications/{application.pk}/"
    assert application.organisation == second


def test_a_volunteer_without_a_group_is_sent_to_add_one(client):
    fund = FundFactory()
    client.force_login(UserFactory())
    response = client.get(f"/funds/{fund.slug}/apply/")
    assert response.status_code == 302
    assert response["Location"] == "/organisations/new/"
    assert not Organisation.objects.exists()
    assert not Application.objects.exists()


def test_a_closed_fund_says_when_the_next_round_opens(client):
    now = timezone.now()
    past = RoundFactory(
        name="Spring round",
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
    )
    RoundFactory(
        fund=past.fund,
        name="Autumn round",
        opens_at=now + datetime.timedelta(days=20),
        closes_at=now + datetime.timedelta(days=50),
    )
    client.force_login(OrganisationMembershipFactory().user)

    response = client.get(f"/funds/{past.fund.slug}/apply/")

    text = main_text(response)
    assert response.status_code == 409
    assert "This round has closed" in text
    opens = timezone.localtime(now + datetime.timedelta(days=20))
    assert f"The next round, Autumn round, opens on {opens:%-d %B %Y}" in text
    assert not Application.objects.exists()
