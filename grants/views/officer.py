"""The actions on the officer's application page. Each is a POST that calls one service; the page
says what happened, and a page that was out of date is told so rather than acting on stale facts."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.money import parse_pounds
from core.permissions import in_reach_or_404
from core.refusals import refusal_response
from core.workflow import StaleObject, TransitionRefused
from grants.models import Application
from grants.services import applications as applying
from grants.services import awards, decisions


def _amount(request: HttpRequest, name: str) -> int | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_pounds(raw)
    except (ValueError, ArithmeticError, ValidationError) as exc:
        raise TransitionRefused(
            "Enter an amount in pounds, like 750 or 750.50.", status=400
        ) from exc


def _tranches(request: HttpRequest) -> list[tuple[int, datetime.date]] | None:
    amounts = request.POST.getlist("tranche_amount")
    dates = request.POST.getlist("tranche_due_on")
    schedule = []
    for amount, due_on in zip(amounts, dates, strict=False):
        if not amount.strip():
            continue
        try:
            schedule.append((parse_pounds(amount), datetime.date.fromisoformat(due_on)))
        except (ValueError, ArithmeticError, ValidationError) as exc:
            raise TransitionRefused(
                "Give each payment an amount in pounds and a date.", status=400
            ) from exc
    return schedule or None


def _grant_period(request: HttpRequest) -> tuple[datetime.date, datetime.date] | None:
    starts, ends = request.POST.get("starts_on", ""), request.POST.get("ends_on", "")
    if not starts.strip() and not ends.strip():
        return None
    try:
        return datetime.date.fromisoformat(starts), datetime.date.fromisoformat(ends)
    except ValueError as exc:
        raise TransitionRefused(
            "Give the grant period as the date it starts and the date it ends.", status=400
        ) from exc


def _posted_id(request: HttpRequest, name: str) -> int | None:
    """A record's id from the form, or None for a missing or mangled one (never a server error)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdecimal() else None


def _act(application: Application, request: HttpRequest, action: str) -> str:
    user = request.user
    post = request.POST
    if action == "start_screening":
        decisions.screening_start(application=application, by=user)
        return "Checking has started."
    if action == "send_for_decision":
        decisions.send_for_decision(
            application=application, by=user, checked_otherwise=post.get("checked_otherwise", "")
        )
        return f"Sent on: {application.get_status_display().lower()}."
    if action == "request_information":
        decisions.information_request(
            application=application, by=user, question=post.get("question", "")
        )
        return "Your question has been sent to the group."
    if action == "award":
        decisions.award_make(
            application=application,
            by=user,
            amount_pence=_amount(request, "amount"),
            conditions=post.get("conditions", "").strip(),
            reason=post.get("reason", "").strip(),
        )
        return "Awarded. The money is committed from the fund."
    if action == "refer_to_board":
        decisions.board_referral(application=application, by=user, reason=post.get("reason", ""))
        return "Referred to the board: it is waiting for the board’s next meeting."
    if action == "decline":
        decisions.decline_make(
            application=application,
            by=user,
            reason=post.get("decline_reason", ""),
            feedback=post.get("feedback", ""),
        )
        return "Declined. The group has been told, with your feedback."
    if action == "issue_agreement":
        awards.agreement_issue(
            application=application,
            by=user,
            tranches=_tranches(request),
            period=_grant_period(request),
        )
        return "The grant agreement has been sent to the group."
    if action == "record_payment":
        tranche = application.tranches.filter(pk=_posted_id(request, "tranche")).first()
        if tranche is None:
            raise TransitionRefused("Choose which payment you are recording.", status=400)
        awards.payment_record(tranche=tranche, by=user, reference=post.get("payment_reference", ""))
        return f"Payment {tranche.number} recorded."
    if action == "open_monitoring":
        awards.monitoring_start(application=application, by=user)
        return "The group has been asked for its end-of-grant report."
    if action in ("accept_report", "ask_more"):
        report = application.monitoring_reports.filter(pk=_posted_id(request, "report")).first()
        if report is None:
            raise TransitionRefused("That report was not found.", status=400)
        if action == "accept_report":
            awards.report_accept(report=report, by=user)
            return "Report accepted: the grant is closed."
        awards.report_ask_more(report=report, by=user, comment=post.get("comment", ""))
        return "The group has been asked for more."
    if action == "withdraw":
        applying.application_withdraw(
            application=application, by=user, reason=post.get("reason", "").strip()
        )
        return "Withdrawal recorded."
    raise Http404


@require_POST
def application_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    from grants.viewsets import APPLICATIONS, application_policy

    user = request.user
    scope = application_policy.instances_user_has_any_permission_for(user, ["view"])
    application = in_reach_or_404(user, scope, pk, action=action)
    back_url = reverse(f"{APPLICATIONS}:inspect", args=[pk])
    try:
        if request.POST.get("expected_status") not in (None, application.status):
            raise StaleObject()
        done = _act(application, request, action)
    except TransitionRefused as refused:
        return refusal_response(request, refused, back_url, form=action)
    messages.success(request, done)
    return redirect(back_url)
