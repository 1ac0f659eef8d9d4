"""Chasing end-of-grant reports: opening them when they are near, and reminding groups once per
due date, however many times the scheduler runs."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.messenger import message_send
from grants.enums import ApplicationStatus, MonitoringStatus
from grants.models import Application, MonitoringReport, ReminderSent
from grants.services.awards import monitoring_start

OPEN_BEFORE_DUE = datetime.timedelta(days=30)
REMIND_BEFORE_DUE = datetime.timedelta(days=14)


@dataclass(frozen=True)
class ReminderRun:
    opened: int
    reminded: int


def _reminder_kind(report: MonitoringReport, today: datetime.date) -> str | None:
    if report.due_on < today:
        return "overdue"
    if report.due_on - REMIND_BEFORE_DUE <= today:
        return "due_soon"
    return None


def reminders_send(today: datetime.date | None = None) -> ReminderRun:
    today = today or timezone.localdate()
    opened = 0
    for application in Application.objects.filter(
        status=ApplicationStatus.PAID,
        monitoring_reports__status=MonitoringStatus.DUE,
        monitoring_reports__due_on__lte=today + OPEN_BEFORE_DUE,
    ).distinct():
        monitoring_start(application=application, by=None)
        opened += 1

    reminded = 0
    reports = MonitoringReport.objects.filter(
        application__status=ApplicationStatus.MONITORING,
        status=MonitoringStatus.DUE,
        due_on__lte=today + REMIND_BEFORE_DUE,
    ).select_related("application", "application__fund")
    for report in reports:
        kind = _reminder_kind(report, today)
        if kind is None:
            continue
        try:
            with transaction.atomic():
                # The unique (report, due date, kind) row is claimed first: a second run, or a
                # second beat on another machine, fails here and sends nothing.
                ReminderSent.objects.create(report=report, due_on=report.due_on, kind=kind)
                for membership in report.application.organisation.memberships.select_related(
                    "user"
                ):
                    message_send(
                        recipient=membership.user,
                        kind="reminder",
                        template="grants/emails/report_reminder",
                        context={
                            "application": report.application,
                            "report": report,
                            "overdue": kind == "overdue",
                        },
                        link=reverse("grants:report", args=[report.application_id]),
                    )
        except IntegrityError:
            continue
        reminded += 1
    return ReminderRun(opened=opened, reminded=reminded)
