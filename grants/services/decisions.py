"""The officer's and the board's side of the workflow: screening, questions, awards and declines."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.messenger import message_send
from core.models import User
from core.models.audit import AuditAction
from core.money import format_pence
from core.workflow import TransitionRefused, transition_apply
from grants import ledger
from grants.enums import ApplicationStatus, DeclineReason
from grants.models import Application
from grants.services import due_diligence

S = ApplicationStatus


def _tell_group(application: Application, template: str, **context) -> None:
    for membership in application.organisation.memberships.select_related("user"):
        message_send(
            recipient=membership.user,
            kind="application",
            template=f"grants/emails/{template}",
            context={"application": application, **context},
            link=reverse("grants:application-status", args=[application.pk]),
        )


def screening_start(*, application: Application, by: User) -> Application:
    return transition_apply(application, application.start_screening, by=by)


def information_request(*, application: Application, by: User, question: str) -> Application:
    question = question.strip()
    if not question:
        raise TransitionRefused("Write the question the group needs to answer.", status=400)
    with transaction.atomic():
        transition_apply(
            application,
            application.request_information,
            by=by,
            question=question,
            reason=question[:200],
        )
        _tell_group(application, "information_requested")
    return application


def send_for_decision(
    *, application: Application, by: User, checked_otherwise: str = ""
) -> Application:
    """Screening passed: to the board, or to an officer for a rapid-response decision.

    The group's documents must be present and in date. Small groups often hold papers in other
    ways, so an officer who has checked another way may say how, and that goes on the record."""
    if application.status != S.SCREENING:
        # Said before any document check, which would be beside the point from here.
        raise TransitionRefused(
            f"Only an application being checked can be sent on; this one is "
            f"{application.get_status_display().lower()}."
        )
    missing = due_diligence.problems(application)
    checked_otherwise = checked_otherwise.strip()
    if missing and not checked_otherwise:
        raise TransitionRefused(
            "Due diligence isn’t complete ("
            + "; ".join(missing)
            + "). Ask the group for the documents, or say how you checked instead.",
            status=400,
        )
    reason = f"Documents checked another way: {checked_otherwise}" if missing else ""
    if application.goes_to_board():
        return transition_apply(application, application.send_to_board, by=by, reason=reason)
    return transition_apply(
        application, application.send_for_officer_decision, by=by, reason=reason
    )


def board_referral(*, application: Application, by: User, reason: str) -> Application:
    """An officer refers a rapid-response application to the locality's board, saying why (a
    larger award than they may make alone, or a case they should not decide by themselves)."""
    reason = " ".join(reason.split())
    if not reason:
        raise TransitionRefused("Say why the board should decide it.", status=400)
    if not application.has_a_locality_board():
        raise TransitionRefused(
            "Its fund has no locality board to refer it to: decline it, or award up to your "
            "delegated limit.",
        )
    return transition_apply(application, application.refer_to_board, by=by, reason=reason)


def send_to_board(
    *, application: Application, by: User, checked_otherwise: str = ""
) -> Application:
    """As send_for_decision, for an officer who means the board: refused for a fund an officer
    decides, rather than sending it somewhere else."""
    if not application.goes_to_board():
        raise TransitionRefused("Its fund is decided by an officer, not a board.")
    return send_for_decision(application=application, by=by, checked_otherwise=checked_otherwise)


def award_make(
    *,
    application: Application,
    by: User,
    amount_pence: int | None = None,
    conditions: str = "",
    reason: str = "",
) -> Application:
    """Award, committing the money in the same transaction: if the fund cannot cover it, nothing
    changes and the officer or chair is told how much is left."""
    amount = amount_pence or application.amount_requested_pence or 0
    fund = application.fund
    if not fund.minimum_award_pence <= amount <= fund.maximum_award_pence:
        raise TransitionRefused(
            f"An award from {fund.name} must be {fund.limits_text}.", status=400
        )
    if application.status == S.OFFICER_DECISION and amount > fund.delegated_limit_pence:
        raise TransitionRefused(
            f"Officers may award up to {format_pence(fund.delegated_limit_pence)} from this fund "
            "on their own. For a larger award, refer it to the board.",
            status=403,
        )
    try:
        with transaction.atomic():
            transition_apply(
                application,
                application.award,
                by=by,
                reason=reason,
                amount_pence=amount,
                conditions=conditions,
                decided_by=by,
                at=timezone.now(),
            )
            ledger.commit_award(application=application, amount_pence=amount, by=by)
            _tell_group(application, "awarded")
    except ledger.FundExhausted as exc:
        application.refresh_from_db()
        raise TransitionRefused(exc.message, status=409) from exc
    return application


def decline_make(*, application: Application, by: User, reason: str, feedback: str) -> Application:
    if reason not in DeclineReason.values:
        raise TransitionRefused(
            "Choose the reason the application is not being funded.", status=400
        )
    if not feedback.strip():
        raise TransitionRefused("Write feedback for the group: they will read it.", status=400)
    with transaction.atomic():
        transition_apply(
            application,
            application.decline,
            by=by,
            reason=DeclineReason(reason).label,
            decline_reason=reason,
            feedback=feedback.strip(),
            decided_by=by,
            at=timezone.now(),
        )
        _tell_group(application, "declined")
    return application


def officer_assign(*, application: Application, officer: User, by: User) -> Application:
    """Make an officer the application's named contact. They must be able to see it."""
    from grants.permissions import is_officer_for

    if not is_officer_for(application, officer):
        raise TransitionRefused(
            f"{officer} doesn’t work on this fund’s area, so can’t be assigned it.", status=400
        )
    application.assigned_officer = officer
    application.save(update_fields=["assigned_officer"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=application,
        detail={"assigned_officer": officer.pk},
    )
    return application
