"""What the officer's admin pages show: the actions open to this person, the board's view of an
application, and a fund's figures."""

import statistics
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from django_fsm import can_proceed, has_transition_perm

from core.models import User
from core.permissions import can_view_document
from grants import ledger
from grants.enums import OPEN_BEFORE_DECISION, ApplicationStatus, DeclineReason, MonitoringStatus
from grants.forms_definition import questions_from_snapshot
from grants.models import Application, Fund, MonitoringReport
from grants.services import board as board_services
from grants.services import due_diligence
from grants.services.awards import default_grant_period

# Each action an officer can take on the application page, and the transition that allows it.
ACTIONS: list[tuple[str, str, str]] = [
    ("start_screening", "start_screening", "Start checking"),
    ("send_for_decision", "send_to_board", "Send to the board"),
    ("send_for_decision", "send_for_officer_decision", "Send for officer decision"),
    ("request_information", "request_information", "Ask the group a question"),
    ("award", "award", "Award"),
    ("refer_to_board", "refer_to_board", "Refer to the board"),
    ("decline", "decline", "Decline"),
    ("issue_agreement", "issue_agreement", "Send the grant agreement"),
    ("open_monitoring", "request_monitoring", "Ask for the end-of-grant report"),
    ("withdraw", "withdraw", "Record a withdrawal the group asked for"),
]


def _pounds_for_input(pence: int | None) -> str:
    """What an amount field in pounds starts with: 50000 -> '500', 50050 -> '500.50'."""
    if not pence:
        return ""
    pounds, remainder = divmod(pence, 100)
    return f"{pounds}.{remainder:02d}" if remainder else str(pounds)


def actions_for(application: Application, user: User) -> dict[str, Any]:
    available = []
    seen = set()
    for action, transition_name, label in ACTIONS:
        transition = getattr(application, transition_name)
        if action in seen:
            continue
        if can_proceed(transition) and has_transition_perm(transition, user):
            available.append({"action": action, "label": label})
            seen.add(action)
    from grants.permissions import can_record_payment

    tranches = []
    if application.status == ApplicationStatus.AGREEMENT_ACCEPTED and can_record_payment(
        application, user
    ):
        tranches = list(application.tranches.filter(paid_at__isnull=True))
    reports = [
        report_summary(report, user)
        for report in application.monitoring_reports.select_related("photo")
        if report.status == MonitoringStatus.SUBMITTED
    ]
    return {
        "application": application,
        "award_amount": _pounds_for_input(application.amount_requested_pence),
        "document_checks": due_diligence.document_checks(application),
        "actions": available,
        "action_names": seen,
        "unpaid_tranches": tranches,
        "reports_to_review": reports,
        "decline_reasons": DeclineReason.choices,
        "grant_period": default_grant_period(timezone.localdate()),
    }


def report_summary(report: MonitoringReport, user: User) -> dict[str, Any]:
    """An end-of-grant report as the officer reads it: each question as the group saw it with its
    answer, what was spent against each budget line, and the photo if the officer may open it."""
    questions = questions_from_snapshot(report.form_snapshot)
    photo = report.photo if report.photo and can_view_document(user, report.photo) else None
    return {
        "report": report,
        "answers": [
            (question.label, question.display(report.answers.get(question.key)))
            for question in questions
        ],
        "spend": report.spend,
        "spent_pence": sum(line["spent_pence"] for line in report.spend),
        "budgeted_pence": sum(line["budgeted_pence"] for line in report.spend),
        "photo": photo,
    }


def messages_to_group(application: Application) -> dict[str, Any]:
    """What the group has been sent about this application: one line per message, not per person."""
    from core.models import InboxMessage

    sent = (
        InboxMessage.objects.filter(
            recipient__organisation_memberships__organisation=application.organisation_id,
            link__startswith=f"/applications/{application.pk}/",
        )
        .order_by("-created_at")
        .values("subject", "created_at")
    )
    seen, lines = set(), []
    for message in sent:
        key = (message["subject"], message["created_at"].replace(microsecond=0, second=0))
        if key not in seen:
            seen.add(key)
            lines.append(message)
    return {"sent": lines[:50]}


def answers_summary(application: Application) -> dict[str, Any]:
    questions = questions_from_snapshot(application.form_snapshot)
    return {
        "application": application,
        "answers": [
            (question.label, question.display(application.answers.get(question.key)))
            for question in questions
            if not application.is_short_form or question.in_short_form
        ],
        "budget_lines": application.budget_lines.all(),
    }


def board_summary(application: Application) -> dict[str, Any]:
    items = []
    for item in application.agenda_items.select_related("meeting", "meeting__board"):
        items.append(
            {
                "item": item,
                "declarations": item.declarations.select_related("member"),
                "averages": board_services.average_scores(item),
                "tally": board_services.majority_view(item),
                "quorum": board_services.quorum_for(item),
            }
        )
    return {"items": items}


def fund_dashboard(fund: Fund) -> dict[str, Any]:
    applications = fund.applications.exclude(status=ApplicationStatus.DRAFT)
    by_status = (
        applications.values("status")
        .annotate(count=Count("id"), amount=Sum("amount_requested_pence"))
        .order_by("status")
    )
    workflow = list(ApplicationStatus)  # the pipeline reads in the order of the workflow
    pipeline = [
        {
            "status": ApplicationStatus(row["status"]).label,
            "count": row["count"],
            "amount": row["amount"] or 0,
        }
        for row in sorted(by_status, key=lambda row: workflow.index(row["status"]))
    ]
    decided = applications.filter(decided_at__isnull=False, submitted_at__isnull=False).values_list(
        "submitted_at", "decided_at"
    )
    days = [
        (decided_at - submitted_at).total_seconds() / 86400 for submitted_at, decided_at in decided
    ]
    today = timezone.localdate()
    overdue_decisions = applications.filter(
        status__in=OPEN_BEFORE_DECISION, decision_due_on__lt=today
    ).select_related("organisation")
    overdue_reports = (
        fund.applications.filter(
            monitoring_reports__status=MonitoringStatus.DUE,
            monitoring_reports__due_on__lt=today,
        )
        .select_related("organisation")
        .distinct()
    )
    money = [
        ("Budget", fund.budget_pence),
        ("Committed", fund.committed_pence),
        ("Paid", fund.paid_pence),
        ("Remaining", fund.remaining_pence),
    ]
    biggest = max([amount for _, amount in money] + [1])
    busiest = max([row["count"] for row in pipeline] + [1])
    for row in pipeline:
        row["percent"] = round(100 * row["count"] / busiest)
    return {
        "money": [
            {"label": label, "amount": amount, "percent": round(100 * max(amount, 0) / biggest)}
            for label, amount in money
        ],
        "sources": ledger.budget_by_source(fund),
        "pipeline": pipeline,
        "median_days_to_decision": round(statistics.median(days), 1) if days else None,
        "decisions_counted": len(days),
        "overdue_decisions": overdue_decisions,
        "overdue_reports": overdue_reports,
    }
