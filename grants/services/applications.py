"""The applicant's side of the workflow: start, save, submit, answer questions, withdraw."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.messenger import message_send
from core.models import Organisation, User
from core.money import format_pence
from core.workflow import TransitionRefused, transition_apply
from grants import ledger
from grants.enums import AWARDED_STATES, ApplicationStatus
from grants.forms_definition import questions_for
from grants.models import Application, BudgetLine, Fund
from grants.services.dates import add_working_days

S = ApplicationStatus


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


class ApplicationIncomplete(TransitionRefused):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("Some answers are missing or need changing.", status=400)
        self.problems = problems


class RoundClosed(TransitionRefused):
    def __init__(self, fund: Fund) -> None:
        upcoming = fund.next_round()
        when = (
            f" The next round, {upcoming.name}, opens on "
            f"{timezone.localtime(upcoming.opens_at):%-d %B %Y}."
            if upcoming
            else " We will say here when the next round opens."
        )
        super().__init__(
            f"This round of {fund.name} has closed. Your draft is kept.{when}", status=409
        )


def application_start(*, fund: Fund, organisation: Organisation, by: User) -> Application:
    """A draft for a group, answering the fund's form as it stands today (kept as a snapshot)."""
    if not organisation.memberships.filter(user=by).exists():
        raise TransitionRefused("You can only apply for a group you belong to.", status=403)
    existing = Application.objects.filter(
        fund=fund, organisation=organisation, status=S.DRAFT
    ).first()
    if existing is not None:
        return existing
    return Application.objects.create(
        fund=fund,
        organisation=organisation,
        created_by=by,
        round=fund.round_open_at(),
        form_snapshot=list(fund.application_form.raw_data),
        contact_name=by.get_full_name() if hasattr(by, "get_full_name") else "",
    )


def draft_save(
    *,
    application: Application,
    by: User,
    fields: dict | None = None,
    answers: dict | None = None,
    budget: list[tuple[str, int]] | None = None,
) -> Application:
    """Save whatever the group has typed so far. Drafts skip required-answer checks."""
    if application.status != S.DRAFT:
        raise TransitionRefused("This application has been sent, so it can’t be changed now.")
    if not application.organisation.memberships.filter(user=by).exists():
        raise TransitionRefused("You can only change your own group’s application.", status=403)
    allowed = {"title", "summary", "amount_requested_pence", "contact_name", "contact_phone"}
    allowed |= {"planned_start_on", "planned_end_on"}
    with transaction.atomic():
        for name, value in (fields or {}).items():
            if name not in allowed:
                raise ValueError(f"{name} is not something an applicant sets")
            setattr(application, name, value)
        if "amount_requested_pence" in (fields or {}):
            application.is_short_form = application.fund.short_form_applies(
                application.amount_requested_pence
            )
        if answers:
            known = {question.key for question in questions_for(application)}
            application.answers = {
                **application.answers,
                **{key: value for key, value in answers.items() if key in known},
            }
        application.save()
        if budget is not None:
            application.budget_lines.all().delete()
            BudgetLine.objects.bulk_create(
                BudgetLine(
                    application=application,
                    description=description,
                    amount_pence=amount,
                    position=index,
                )
                for index, (description, amount) in enumerate(budget)
                if description or amount
            )
    return application


def problems_before_submission(application: Application) -> list[Problem]:
    fund = application.fund
    problems: list[Problem] = []
    if not application.title.strip():
        problems.append(Problem("title", "Enter a name for your project"))
    if not application.summary.strip():
        problems.append(Problem("summary", "Say in a few sentences what you will do"))
    amount = application.amount_requested_pence
    if not amount:
        problems.append(Problem("amount", "Enter how much you are asking for"))
    elif not fund.minimum_award_pence <= amount <= fund.maximum_award_pence:
        problems.append(
            Problem(
                "amount",
                f"The amount must be {fund.limits_text}; you asked for {format_pence(amount)}",
            )
        )
    for question in questions_for(application):
        if question.required and not question.is_answered(application.answers.get(question.key)):
            problems.append(Problem(question.key, f"Answer “{question.label}”"))
    if not application.is_short_form:
        total = application.budget_total_pence
        if not total:
            problems.append(Problem("budget", "Add at least one line to your budget"))
        elif amount and total != amount:
            problems.append(
                Problem(
                    "budget",
                    f"Your budget adds up to {format_pence(total)} but you asked for "
                    f"{format_pence(amount)}: make them the same",
                )
            )
    return problems


def _decision_due_on(application: Application, submitted_at: datetime.datetime) -> datetime.date:
    fund = application.fund
    if application.goes_to_officer():
        return add_working_days(timezone.localdate(submitted_at), fund.decision_target_working_days)
    if application.round is not None:
        return application.round.decision_expected_on
    return add_working_days(timezone.localdate(submitted_at), fund.rolling_decision_working_days)


def application_submit(*, application: Application, by: User) -> Application:
    """Send the application. Safe to call twice (a double click, two tabs): the second call finds it
    already sent and returns it, so there is one application and one confirmation."""
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("fund", "organisation", "round")
            .get(pk=application.pk)
        )
        if locked.status != S.DRAFT and locked.submitted_at is not None:
            return locked
        fund = locked.fund
        now = timezone.now()
        open_round = None if fund.is_rolling else fund.round_open_at(now)
        if not fund.is_published or (not fund.is_rolling and open_round is None):
            raise RoundClosed(fund)
        problems = problems_before_submission(locked)
        if problems:
            raise ApplicationIncomplete(problems)
        if open_round is not None:
            locked.round = open_round
        locked.reference = f"{fund.financial_year % 100:02d}-{locked.pk:06d}"
        locked.decision_due_on = _decision_due_on(locked, now)
        transition_apply(locked, locked.submit, by=by, at=now)
        for membership in locked.organisation.memberships.select_related("user"):
            message_send(
                recipient=membership.user,
                kind="application",
                template="grants/emails/submitted",
                context={"application": locked},
                link=reverse("grants:application-status", args=[locked.pk]),
            )
    return locked


def information_provide(*, application: Application, by: User, response: str) -> Application:
    response = response.strip()
    if not response:
        raise ApplicationIncomplete([Problem("response", "Enter your answer to the question")])
    transition_apply(
        application,
        application.provide_information,
        by=by,
        response=response,
        reason=response[:200],
    )
    return application


def application_withdraw(*, application: Application, by: User, reason: str = "") -> Application:
    with transaction.atomic():
        was_awarded = application.status in AWARDED_STATES
        transition_apply(application, application.withdraw, by=by, reason=reason)
        if was_awarded:
            ledger.release_commitment(
                application=application,
                amount_pence=ledger.outstanding_commitment_pence(application),
                by=by,
                memo=f"{application.reference} withdrawn after award",
            )
    return application
