"""A fund's public page: the facts come from the fund, the figures from its applications, and the
pages are made for every published fund by one idempotent sync."""

import datetime
import re

from django.utils import timezone

from wagtail.models import Page, Site

import pytest

from cms.models import FundIndexPage, FundPage, HomePage
from cms.services import fund_pages_sync
from grants.enums import ApplicationStatus
from grants.selectors import fund_published_figures
from grants.services.applications import application_submit
from grants.services.dates import add_working_days
from tests.factories.grants import (
    ApplicationFactory,
    FundFactory,
    RoundFactory,
    application_in,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def home() -> HomePage:
    root = Page.get_first_root_node()
    home = HomePage(title="Help for families", slug="home-for-tests", introduction="Welcome.")
    root.add_child(instance=home)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"root_page": home, "hostname": "localhost"}
    )
    return home


def _text(response) -> str:
    """The page's words, without tags, on one line."""
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _figure(response, label: str) -> str:
    match = re.search(
        rf"{label} (.+?)(?: Grants awarded| Success rate| Total awarded| Every grant)",
        _text(response),
    )
    assert match, f"no {label} on the page"
    return match.group(1)


@pytest.fixture
def busy_fund(django_capture_on_commit_callbacks):
    """A rapid-response fund open all year with applications in many states."""
    fund = FundFactory(
        rapid=True,
        name="Ashby Vale Quick Grants",
        slug="ashby-vale-quick",
        decision_target_working_days=5,
        minimum_award_pence=10000,
        maximum_award_pence=150000,
        short_form_below_pence=100000,
    )
    application_in(S.AWARDED, fund=fund, amount_requested_pence=12345)
    application_in(S.PAID, fund=fund, amount_requested_pence=50000)
    application_in(S.DECLINED, fund=fund)
    application_in(S.SUBMITTED, fund=fund)
    application_in(S.WITHDRAWN, fund=fund)
    ApplicationFactory(fund=fund)  # a draft: not received
    return fund


def test_the_figures_count_received_awarded_and_decided_applications(busy_fund):
    figures = fund_published_figures(busy_fund)
    assert figures.received == 5  # the draft was never sent
    assert figures.awarded == 2  # awarded and paid alike
    assert figures.decided == 3
    assert figures.success_rate_percent == 67  # 2 of 3, rounded
    assert figures.total_awarded_pence == 62345


def test_the_figures_take_one_query(busy_fund, django_assert_num_queries):
    with django_assert_num_queries(1):
        fund_published_figures(busy_fund)


def test_the_fund_page_shows_the_fund_and_its_figures(home, busy_fund, client):
    fund_pages_sync()
    page = FundPage.objects.get(fund=busy_fund)
    response = client.get(page.url)
    assert response.status_code == 200
    text = _text(response)
    assert "Ashby Vale Quick Grants" in text
    assert busy_fund.locality.name in text
    assert "You can ask for £100 to £1,500." in text
    assert "If you ask for less than £1,000, you fill in a shorter form" in text
    assert "open all year" in text
    assert "a grants officer decides" in text
    assert "You should hear the decision within 5 working days of sending" in text
    assert _figure(response, "Applications received") == "5"
    assert _figure(response, "Grants awarded") == "2"
    assert _figure(response, "Success rate").startswith("67% of 3 decided applications")
    assert _figure(response, "Total awarded") == "£623.45"
    html = response.content.decode()
    assert 'href="/funds/ashby-vale-quick/eligibility/"' in html
    assert "govuk-button--start" in html


def test_the_page_runs_the_same_queries_however_many_applications(
    home, client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    fund = FundFactory(rapid=True)
    fund_pages_sync()
    url = FundPage.objects.get(fund=fund).url
    client.get(url)  # Wagtail's site root paths are cached after the first request
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(3):
        application_in(S.AWARDED, fund=fund)
        application_in(S.DECLINED, fund=fund)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert _figure(response, "Grants awarded") == "3"
    assert _figure(response, "Success rate").startswith("50%")


def test_a_fund_with_no_decisions_says_so(home, client):
    fund = FundFactory(locality=None, name="Brackenford Together")
    fund_pages_sync()
    response = client.get(FundPage.objects.get(fund=fund).url)
    text = _text(response)
    assert _figure(response, "Success rate") == "No decisions yet"
    assert _figure(response, "Total awarded") == "£0.00"
    assert "Whole borough" in text
    assert "anywhere in the borough" in text
    assert "advisory board" in text


def test_a_rolling_board_fund_promises_its_own_decision_time_and_keeps_to_it(home, client):
    fund = FundFactory(name="Millbrook Community Fund", rolling_decision_working_days=20)
    fund_pages_sync()
    text = _text(client.get(FundPage.objects.get(fund=fund).url))
    assert "We aim to tell you the decision within 20 working days." in text

    application = ApplicationFactory(fund=fund, title="Seed swap", amount_requested_pence=50000)
    application.budget_lines.create(description="Seeds", amount_pence=50000)
    application_submit(application=application, by=application.created_by)
    application.refresh_from_db()
    assert application.decision_due_on == add_working_days(
        timezone.localdate(application.submitted_at), 20
    )


def test_an_open_round_shows_its_closing_date_and_decision_date(home, client):
    now = timezone.now()
    fund = FundFactory(is_rolling=False, name="Millbrook Community Fund")
    RoundFactory(
        fund=fund,
        name="Winter",
        opens_at=now - datetime.timedelta(days=5),
        closes_at=datetime.datetime(2099, 1, 15, 23, 59, tzinfo=datetime.UTC),
        decision_expected_on=datetime.date(2099, 3, 2),
    )
    fund_pages_sync()
    response = client.get(FundPage.objects.get(fund=fund).url)
    text = _text(response)
    assert "The Winter round is open. It closes at 11:59pm on Thursday 15 January 2099." in text
    assert "by 2 March 2099" in text
    assert "govuk-button--start" in response.content.decode()


def test_a_closed_round_shows_the_next_round(home, client):
    now = timezone.now()
    fund = FundFactory(is_rolling=False, name="Riverside Community Fund")
    RoundFactory(
        fund=fund,
        name="Autumn",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
    )
    RoundFactory(
        fund=fund,
        name="Spring",
        opens_at=datetime.datetime(2099, 4, 1, 9, 0, tzinfo=datetime.UTC),
        closes_at=datetime.datetime(2099, 5, 1, 12, 0, tzinfo=datetime.UTC),
        decision_expected_on=datetime.date(2099, 6, 20),
    )
    fund_pages_sync()
    response = client.get(FundPage.objects.get(fund=fund).url)
    text = _text(response)
    assert "This fund is closed to applications." in text
    assert "The next round, Spring, opens on 1 April 2099 and closes on 1 May 2099." in text
    assert "For the Spring round, we expect to tell you the decision by 20 June 2099." in text
    assert "Autumn" not in text
    assert "govuk-button--start" not in response.content.decode()


def test_the_index_lists_open_funds_first(home, client):
    now = timezone.now()
    closed = FundFactory(is_rolling=False, name="Aardvark Fund")
    RoundFactory(
        fund=closed,
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
    )
    FundFactory(name="Zebra Fund")  # open all year
    FundFactory(name="Hidden Fund", is_published=False)
    index, _ = fund_pages_sync()
    response = client.get(index.url)
    assert response.status_code == 200
    text = _text(response)
    assert "Funding for community groups" in text
    assert text.index("Zebra Fund") < text.index("Aardvark Fund")
    assert "Hidden Fund" not in text


def test_sync_makes_the_section_and_a_page_per_published_fund_once(home):
    first = FundFactory(name="Ashby Vale Community Fund", slug="ashby-vale-2026")
    FundFactory(name="Not yet announced", is_published=False)
    index, created = fund_pages_sync()
    assert index.get_parent().specific == home
    assert index.title == "Funding for community groups"
    assert [page.fund for page in created] == [first]
    assert created[0].slug == "ashby-vale-2026" and created[0].live

    page = created[0]
    page.title = "Ashby Vale grants"  # an editor's change survives the next sync
    page.save()
    second = FundFactory(name="Brackenford Together", locality=None)

    again, created_again = fund_pages_sync()
    assert again.pk == index.pk
    assert [page.fund for page in created_again] == [second]
    assert fund_pages_sync()[1] == []
    assert FundIndexPage.objects.count() == 1
    assert FundPage.objects.count() == 2
    assert FundPage.objects.get(fund=first).title == "Ashby Vale grants"


def test_sync_does_nothing_without_a_home_page():
    FundFactory()
    assert fund_pages_sync() == (None, [])
    assert not FundPage.objects.exists()


def test_fund_pages_live_only_in_the_funding_section(home):
    index, _ = fund_pages_sync()
    assert FundIndexPage.can_create_at(home) is False  # one funding section only
    assert FundPage.can_create_at(index)
    assert not FundPage.can_create_at(home)
    assert "cms.FundIndexPage" in HomePage.subpage_types
