"""End-of-grant reports are opened when near and chased once per due date, however often beat runs."""

import datetime
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.utils import timezone

import pytest
import time_machine

from core.models import InboxMessage
from grants.enums import ApplicationStatus
from grants.models import ReminderSent
from grants.services.monitoring import reminders_send
from grants.tasks import send_monitoring_reminders
from tests.factories.grants import FundFactory, application_in

S = ApplicationStatus


def period_ending_today() -> tuple[datetime.date, datetime.date]:
    """A grant period that ends today: its report is due the fund's number of days from now."""
    today = timezone.localdate()
    return today - datetime.timedelta(days=365), today


def reminders_for(application) -> int:
    return InboxMessage.objects.filter(recipient=application.created_by, kind="reminder").count()


@pytest.mark.django_db
def test_the_report_is_due_a_set_time_after_the_grant_period_ends_not_half_way_through_it():
    today = timezone.localdate()
    ends_on = today + datetime.timedelta(days=365)
    application = application_in(
        S.AGREEMENT_ACCEPTED,
        fund=FundFactory(rapid=True, monitoring_due_days=30),
        grant_period=(today, ends_on),
    )
    assert application.monitoring_reports.get().due_on == ends_on + datetime.timedelta(days=30)


@pytest.mark.django_db
def test_a_paid_grant_is_asked_for_its_report_a_month_before_it_is_due():
    application = application_in(
        S.PAID,
        fund=FundFactory(rapid=True, monitoring_due_days=60),
        grant_period=period_ending_today(),
    )
    assert application.monitoring_reports.get().due_on > timezone.localdate() + datetime.timedelta(
        days=30
    )

    assert reminders_send().opened == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        run = reminders_send()
    application.refresh_from_db()
    assert run.opened == 1
    assert application.status == S.MONITORING


@pytest.mark.django_db
def test_beat_running_twice_on_one_day_sends_one_reminder():
    application = application_in(
        S.MONITORING,
        fund=FundFactory(rapid=True, monitoring_due_days=10),
        grant_period=period_ending_today(),
    )

    first = send_monitoring_reminders.delay().get()
    second = send_monitoring_reminders.delay().get()

    assert first["reminded"] == 1
    assert second["reminded"] == 0
    assert reminders_for(application) == 1


@pytest.mark.django_db
def test_an_overdue_report_gets_one_more_reminder_and_no_more():
    application = application_in(
        S.MONITORING,
        fund=FundFactory(rapid=True, monitoring_due_days=10),
        grant_period=period_ending_today(),
    )
    reminders_send()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=12)):
        reminders_send()
        reminders_send()
    assert reminders_for(application) == 2
    assert sorted(ReminderSent.objects.values_list("kind", flat=True)) == ["due_soon", "overdue"]


@pytest.mark.django_db
def test_a_sent_report_is_not_chased():
    from grants.services.awards import report_submit

    application = application_in(
        S.MONITORING,
        fund=FundFactory(rapid=True, monitoring_due_days=10),
        grant_period=period_ending_today(),
    )
    report_submit(
        report=application.monitoring_reports.get(),
        by=application.created_by,
        answers={"what_happened": "Done."},
        spend=[],
    )
    assert reminders_send().reminded == 0


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite runs one writer at a time; the race being tested is PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_send_one_reminder():
    application = application_in(
        S.MONITORING,
        fund=FundFactory(rapid=True, monitoring_due_days=10),
        grant_period=period_ending_today(),
    )
    both_ready = threading.Barrier(2)

    def run(_):
        try:
            both_ready.wait(timeout=10)
            return reminders_send().reminded
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, range(2)))
    assert sum(results) == 1
    assert reminders_for(application) == 1
