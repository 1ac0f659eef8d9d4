"""The lists every applicant and officer loads are kept between requests (grants.selectors,
grants.admin_list): what they show must still be right the moment something changes."""

import datetime

from django.utils import timezone

import pytest
import time_machine

from grants.admin_list import application_rows
from grants.enums import ApplicationStatus
from grants.models import Application
from grants.viewsets import ApplicationViewSet
from tests.factories.grants import FundFactory, RoundFactory, application_in

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
