"""A grants officer opens a fund in the staff admin and reads its dashboard: the money, the pipeline,
how long decisions take and what is overdue."""

import datetime

from django.utils import dateformat, timezone

import pytest
from bs4 import BeautifulSoup

from grants.enums import ApplicationStatus
from grants.models import Application, MonitoringReport
from tests.factories.grants import FundFactory, application_in, grants_officer

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def dashboard(client, fund) -> BeautifulSoup:
    page = client.get(f"/admin/grant-funds/inspect/{fund.pk}/")
    assert page.status_code == 200
    return BeautifulSoup(page.text, "html.parser")


def table_rows(soup: BeautifulSoup, caption: str) -> list[list[str]]:
    """The body of the table with this caption, as the text of each cell, row by row."""
    table = soup.find("caption", string=caption).find_parent("table")
    return [
        [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
        for row in table.tbody.find_all("tr")
    ]


def overdue_lines(soup: BeautifulSoup) -> list[str]:
    heading = soup.find("h3", string="Overdue")
    return [" ".join(item.get_text().split()) for item in heading.find_next("ul").find_all("li")]


def decided_after(application: Application, days: int) -> None:
    submitted = timezone.now() - datetime.timedelta(days=60)
    Application.objects.filter(pk=application.pk).update(
        submitted_at=submitted, decided_at=submitted + datetime.timedelta(days=days)
    )


def test_an_officer_sees_the_funds_budget_committed_paid_and_remaining(client, sign_in):
    fund = FundFactory(rapid=True, budget=500000)
    application_in(S.AWARDED, fund=fund, amount_requested_pence=80000)
    application_in(S.PAID, fund=fund, amount_requested_pence=50000)
    application_in(S.SUBMITTED, fund=fund, amount_requested_pence=90000)
    sign_in(grants_officer(locality=fund.locality))

    soup = dashboard(client, fund)

    assert table_rows(soup, f"Money in {fund.name}") == [
        ["Budget", "£5,000.00"],
        ["Committed", "£1,300.00"],
        ["Paid", "£500.00"],
        ["Remaining", "£3,700.00"],
    ]
    assert table_rows(soup, "Where the budget comes from") == [
        ["Brackenford Borough Council", "£5,000.00"]
    ]


def test_an_officer_sees_the_pipeline_by_status_in_the_order_of_the_workflow(client, sign_in):
    fund = FundFactory(rapid=True)
    application_in(S.SUBMITTED, fund=fund, amount_requested_pence=30000)
    application_in(S.SUBMITTED, fund=fund, amount_requested_pence=45000)
    for status in (
        S.SCREENING,
        S.INFO_REQUESTED,
        S.OFFICER_DECISION,
        S.AWARDED,
        S.DECLINED,
        S.PAID,
        S.CLOSED,
        S.WITHDRAWN,
    ):
        application_in(status, fund=fund, amount_requested_pence=20000)
    application_in(S.DRAFT, fund=fund, amount_requested_pence=99000)
    sign_in(grants_officer(locality=fund.locality))

    soup = dashboard(client, fund)

    assert table_rows(soup, "Applications by status") == [
        ["Submitted", "2", "£750.00"],
        ["Being checked", "1", "£200.00"],
        ["More information requested", "1", "£200.00"],
        ["With an officer for decision", "1", "£200.00"],
        ["Awarded", "1", "£200.00"],
        ["Not funded", "1", "£200.00"],
        ["Paid", "1", "£200.00"],
        ["Closed", "1", "£200.00"],
        ["Withdrawn", "1", "£200.00"],
    ]
    assert "Draft" not in soup.find("caption", string="Applications by status").parent.text


def test_a_fund_with_nothing_sent_yet_says_so(client, sign_in):
    fund = FundFactory(rapid=True)
    application_in(S.DRAFT, fund=fund)
    sign_in(grants_officer(locality=fund.locality))

    soup = dashboard(client, fund)

    assert table_rows(soup, "Applications by status") == [["No applications yet."]]
    assert "Time from submission to decision: no decisions yet." in soup.text
    assert overdue_lines(soup) == ["Nothing overdue."]


def test_an_officer_reads_the_median_time_from_submission_to_decision(client, sign_in):
    fund = FundFactory(rapid=True)
    for days, status in ((2, S.AWARDED), (3, S.DECLINED), (10, S.AWARDED), (12, S.DECLINED)):
        decided_after(application_in(status, fund=fund), days)
    application_in(S.SCREENING, fund=fund)  # not decided yet: not counted
    application_in(S.WITHDRAWN, fund=fund)  # withdrawn, never decided: not counted
    sign_in(grants_officer(locality=fund.locality))

    text = " ".join(dashboard(client, fund).text.split())

    # The middle of 2, 3, 10 and 12 days; the mean would be 6.75.
    assert "Time from submission to decision: median 6.5 days over 4 decisions." in text


def test_a_single_decision_is_counted_in_the_singular(client, sign_in):
    fund = FundFactory(rapid=True)
    decided_after(application_in(S.DECLINED, fund=fund), 5)
    sign_in(grants_officer(locality=fund.locality))

    text = " ".join(dashboard(client, fund).text.split())

    assert "Time from submission to decision: median 5.0 days over 1 decision." in text


def test_an_officer_sees_late_decisions_and_late_reports_and_nothing_that_is_on_time(
    client, sign_in
):
    fund = FundFactory(rapid=True)
    today = timezone.localdate()
    late_decision = application_in(S.SCREENING, fund=fund)
    on_time_decision = application_in(S.SCREENING, fund=fund)
    decided_late = application_in(S.DECLINED, fund=fund)
    late_report = application_in(S.MONITORING, fund=fund)
    report_not_due = application_in(S.MONITORING, fund=fund)
    was_due = today - datetime.timedelta(days=3)
    Application.objects.filter(pk__in=[late_decision.pk, decided_late.pk]).update(
        decision_due_on=was_due
    )
    Application.objects.filter(pk=on_time_decision.pk).update(
        decision_due_on=today + datetime.timedelta(days=5)
    )
    MonitoringReport.objects.filter(application=late_report).update(
        due_on=today - datetime.timedelta(days=1)
    )
    MonitoringReport.objects.filter(application=report_not_due).update(
        due_on=today + datetime.timedelta(days=10)
    )
    sign_in(grants_officer(locality=fund.locality))

    lines = overdue_lines(dashboard(client, fund))

    assert lines == [
        f"{late_decision.reference} {late_decision.organisation.name}: decision was due "
        f"{dateformat.format(was_due, 'j F Y')}",
        f"{late_report.reference} {late_report.organisation.name}: end-of-grant report overdue",
    ]
    for not_late in (on_time_decision, decided_late, report_not_due):
        assert not any(not_late.reference in line for line in lines)


def test_each_chart_has_a_table_of_the_same_figures_for_screen_readers(client, sign_in):
    fund = FundFactory(rapid=True, budget=300000)
    application_in(S.SUBMITTED, fund=fund)
    application_in(S.SUBMITTED, fund=fund)
    application_in(S.AWARDED, fund=fund)
    sign_in(grants_officer(locality=fund.locality))

    soup = dashboard(client, fund)
    charts = soup.find_all("svg", attrs={"role": "img"})

    assert len(charts) == 2
    for chart in charts:
        title = soup.find(id=chart["aria-labelledby"])
        assert "the same figures are in the table below" in title.text
        table = chart.find_next("table")
        assert table.caption.text.strip()
        assert table.thead.find_all("th", attrs={"scope": "col"})
        rows = {
            row.th.get_text(strip=True): row.td.get_text(strip=True)
            for row in table.tbody.find_all("tr")
        }
        bars = [text.get_text(strip=True) for text in chart.find_all("text", attrs={"x": "0"})]
        assert bars == list(rows)
    money, pipeline = charts
    assert [text.text for text in money.find_all("text")] == [
        "Budget",
        "Committed",
        "Paid",
        "Remaining",
    ]
    counts = [text.text for text in pipeline.find_all("text") if "dx" in text.attrs]
    assert counts == ["2", "1"]
    assert table_rows(soup, "Applications by status") == [
        ["Submitted", "2", "£1,000.00"],
        ["Awarded", "1", "£500.00"],
    ]


def test_an_officer_of_another_locality_cannot_open_the_funds_dashboard(client, sign_in):
    fund = FundFactory(rapid=True, name="Ashby Vale Community Matters Fund")
    application_in(S.SUBMITTED, fund=fund)
    stranger = grants_officer(locality=FundFactory().locality)
    sign_in(stranger)

    page = client.get(f"/admin/grant-funds/inspect/{fund.pk}/")

    assert page.status_code == 404
    assert "Ashby Vale Community Matters Fund" not in page.text
    assert "Applications by status" not in page.text
    listing = client.get("/admin/grant-funds/")
    assert "Ashby Vale Community Matters Fund" not in listing.text


def test_the_dashboard_makes_the_same_number_of_queries_however_many_applications(
    client, sign_in, django_assert_max_num_queries
):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    today = timezone.localdate()

    def add(count: int) -> None:
        for index in range(count):
            status = (S.SCREENING, S.DECLINED, S.SUBMITTED)[index % 3]
            application_in(status, fund=fund, officer=officer)
        Application.objects.filter(fund=fund).update(
            decision_due_on=today - datetime.timedelta(days=2)
        )

    add(2)
    application_in(S.MONITORING, fund=fund, officer=officer)
    MonitoringReport.objects.filter(application__fund=fund).update(
        due_on=today - datetime.timedelta(days=1)
    )
    sign_in(officer)
    dashboard(client, fund)
    with django_assert_max_num_queries(60) as few:
        soup = dashboard(client, fund)
    with_three = len(few.captured_queries)  # counted now: the query log only keeps the latest
    assert len(overdue_lines(soup)) == 2

    add(27)
    dashboard(client, fund)  # new people were made: what is remembered about access is refilled
    with django_assert_max_num_queries(with_three):
        soup = dashboard(client, fund)
    assert len(overdue_lines(soup)) == 20  # 9 being checked, 9 submitted, 1 before, 1 report
