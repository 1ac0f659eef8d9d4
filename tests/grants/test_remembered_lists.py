"""The lists every applicant and officer loads are kept between requests (grants.selectors,
grants.admin_list, core.admin_frame): what they show must still be right the moment something
changes."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from core.access import records_changed
from grants.admin_list import application_rows
from grants.enums import ApplicationStatus
from grants.models import Application
from grants.viewsets import ApplicationViewSet
from tests.factories import LocalityFactory, OrganisationMembershipFactory
from tests.factories.core import force_login_past_two_step
from tests.factories.grants import FundFactory, RoundFactory, application_in, grants_officer

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def applicant(sign_in, client):
    application = application_in(S.DRAFT, fund=FundFactory(name="Ashby Vale Fund"))
    sign_in(application.created_by)
    return application.created_by


def test_a_fund_published_while_groups_are_looking_shows_on_their_next_page(client, applicant):
    assert "Ashby Vale Fund" in client.get("/applications/").content.decode()

    FundFactory(name="Millbrook Fund")

    page = client.get("/applications/").content.decode()
    assert "Ashby Vale Fund" in page
    assert "Millbrook Fund" in page


def test_a_fund_taken_down_leaves_the_list_at_once(client, applicant):
    fund = FundFactory(name="Millbrook Fund")
    assert "Millbrook Fund" in client.get("/applications/").content.decode()

    fund.is_published = False
    fund.save()

    assert "Millbrook Fund" not in client.get("/applications/").content.decode()


def test_a_round_that_closes_leaves_the_list_when_it_closes(client, applicant):
    closes_at = timezone.now() + datetime.timedelta(minutes=2)
    RoundFactory(fund=FundFactory(name="Spring Fund", is_rolling=False), closes_at=closes_at)
    assert "Spring Fund" in client.get("/applications/").content.decode()

    with time_machine.travel(closes_at + datetime.timedelta(seconds=1)):
        assert "Spring Fund" not in client.get("/applications/").content.decode()


def test_a_round_that_opens_joins_the_list_when_it_opens(client, applicant):
    opens_at = timezone.now() + datetime.timedelta(minutes=2)
    RoundFactory(fund=FundFactory(name="Autumn Fund", is_rolling=False), opens_at=opens_at)
    assert "Autumn Fund" not in client.get("/applications/").content.decode()

    with time_machine.travel(opens_at + datetime.timedelta(seconds=1)):
        assert "Autumn Fund" in client.get("/applications/").content.decode()


def test_the_officers_list_shows_each_application_as_the_application_itself_would():
    fund = FundFactory(rapid=True, name="Rapid Fund")
    applications = [
        application_in(S.DRAFT, fund=fund),
        application_in(S.SUBMITTED, fund=fund),
        application_in(S.AWARDED, fund=fund),
    ]
    columns = ApplicationViewSet().list_display
    queryset = Application.objects.filter(pk__in=[a.pk for a in applications]).order_by("pk")

    rows = application_rows(queryset)

    assert [row.pk for row in rows] == [a.pk for a in queryset]
    for row, application in zip(rows, queryset, strict=True):
        for column in columns:
            assert str(column.get_value(row)) == str(column.get_value(application)), column.name


# The applicant's dashboard -----------------------------------------------------------------------


def dashboard_titles(client) -> list[str]:
    page = client.get("/applications/").content.decode()
    return re.findall(r'<h2 class="seedbed-card__heading"><a[^>]*>(.*?)</a>', page)


def test_an_application_started_by_a_fellow_member_shows_on_my_dashboard_at_once(client, applicant):
    mine = Application.objects.get(created_by=applicant)
    fellow = OrganisationMembershipFactory(organisation=mine.organisation).user
    assert dashboard_titles(client) == [mine.title]

    theirs = application_in(
        S.DRAFT, fund=mine.fund, organisation=mine.organisation, created_by=fellow
    )

    assert sorted(dashboard_titles(client)) == sorted([mine.title, theirs.title])


def test_an_application_sent_shows_its_new_status_on_the_dashboard_at_once(client, applicant):
    mine = Application.objects.get(created_by=applicant)
    assert "Draft" in client.get("/applications/").content.decode()

    sent = application_in(S.SUBMITTED, application=mine)

    page = client.get("/applications/").content.decode()
    assert sent.reference in page
    assert ">Submitted<" in page


def test_joining_a_group_shows_its_applications_and_leaving_it_hides_them(client, applicant):
    other = application_in(S.SUBMITTED, fund=FundFactory(name="Millbrook Fund"))
    assert other.title not in dashboard_titles(client)

    membership = OrganisationMembershipFactory(organisation=other.organisation, user=applicant)
    assert other.title in dashboard_titles(client)

    membership.delete()
    assert other.title not in dashboard_titles(client)


def test_a_group_renamed_shows_under_its_new_name_on_the_dashboard(client, applicant):
    group = Application.objects.get(created_by=applicant).organisation
    assert group.name in client.get("/applications/").content.decode()

    group.name = "Ashby Vale Toddlers"
    group.save()

    assert "Ashby Vale Toddlers" in client.get("/applications/").content.decode()


# The officers' list, remembered whole ------------------------------------------------------------


@pytest.fixture
def officer_list(client):
    """An officer of Ashby Vale looking at their list of applications, which has one in it."""
    fund = FundFactory(rapid=True, name="Ashby Vale Fund", locality=LocalityFactory(name="Ashby"))
    application = application_in(S.SUBMITTED, fund=fund, title="Ashby breakfast club")
    officer = grants_officer(locality=fund.locality)
    force_login_past_two_step(client, officer)
    url = reverse("grant-applications:index")
    for _ in range(2):  # the second is remembered whole
        assert application.reference in client.get(url).content.decode()
    client.officer = officer
    return client, url, application


def test_an_application_sent_while_the_officer_looks_shows_on_their_next_page(officer_list):
    client, url, application = officer_list

    sent = application_in(S.SUBMITTED, fund=application.fund, title="Millbrook lunch club")

    assert sent.reference in client.get(url).content.decode()


def test_an_application_that_moves_on_shows_its_new_status_at_once(officer_list):
    client, url, application = officer_list
    assert ">Submitted<" in client.get(url).content.decode()

    application_in(S.SCREENING, application=application, officer=client.officer)

    page = client.get(url).content.decode()
    assert ">Being checked<" in page
    assert ">Submitted<" not in page


def test_a_group_renamed_shows_under_its_new_name_in_the_officers_list(officer_list):
    client, url, application = officer_list
    application.organisation.name = "Ashby Vale Toddlers"
    application.organisation.save()

    assert "Ashby Vale Toddlers" in client.get(url).content.decode()


def test_applications_changed_without_signals_show_once_that_is_said(officer_list):
    client, url, application = officer_list
    Application.objects.filter(pk=application.pk).update(title="Ashby lunch club")

    records_changed(Application)  # what code that writes this way must do (core.access)

    assert "Ashby lunch club" in client.get(url).content.decode()


def test_an_application_becomes_overdue_the_minute_after_its_decision_was_due(officer_list):
    client, url, application = officer_list
    overdue = f"{url}?overdue=yes"
    zone = timezone.get_current_timezone()
    last_minute = datetime.datetime.combine(
        application.decision_due_on, datetime.time(23, 59), tzinfo=zone
    )
    with time_machine.travel(last_minute, tick=False):
        force_login_past_two_step(client, client.officer)  # the idle time-out signed them out
        for _ in range(2):  # the second is remembered
            assert application.reference not in client.get(overdue).content.decode()

    with time_machine.travel(last_minute + datetime.timedelta(minutes=2), tick=False):
        assert application.reference in client.get(overdue).content.decode()


def test_the_remembered_list_reads_no_applications_from_the_database(officer_list):
    client, url, _ = officer_list

    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    assert not [q["sql"] for q in queries.captured_queries if "grants_application" in q["sql"]]
