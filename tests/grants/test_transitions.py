"""The application and meeting workflows, pinned: every transition, its states and its permission."""

import io

from django.conf import settings as django_settings
from django.core.management import call_command

import pytest
from django_fsm import GET_STATE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.workflow import TransitionRefused
from grants import ledger
from grants import permissions as rules
from grants.enums import ApplicationStatus, LedgerKind
from grants.models import Application, BoardMeeting
from grants.services import applications as applying
from grants.services import decisions
from tests.factories.grants import ApplicationFactory, FundFactory, grants_officer

S = ApplicationStatus


def _table(model) -> set[tuple[str, str, str]]:
    field = model._meta.get_field("status")
    return {
        (
            str(t.source),
            "back to where it was" if isinstance(t.target, GET_STATE) else str(t.target),
            t.name,
        )
        for t in field.get_all_transitions(model)
    }


def test_the_application_workflow_is_exactly_this():
    withdrawable = [
        S.DRAFT,
        S.SUBMITTED,
        S.SCREENING,
        S.INFO_REQUESTED,
        S.BOARD_REVIEW,
        S.OFFICER_DECISION,
        S.AWARDED,
        S.AGREEMENT_ISSUED,
    ]
    assert _table(Application) == {
        (S.DRAFT, S.SUBMITTED, "submit"),
        (S.SUBMITTED, S.SCREENING, "start_screening"),
        (S.SCREENING, S.INFO_REQUESTED, "request_information"),
        (S.BOARD_REVIEW, S.INFO_REQUESTED, "request_information"),
        (S.OFFICER_DECISION, S.INFO_REQUESTED, "request_information"),
        (S.INFO_REQUESTED, "back to where it was", "provide_information"),
        (S.SCREENING, S.BOARD_REVIEW, "send_to_board"),
        (S.SCREENING, S.OFFICER_DECISION, "send_for_officer_decision"),
        (S.OFFICER_DECISION, S.BOARD_REVIEW, "refer_to_board"),
        (S.BOARD_REVIEW, S.AWARDED, "award"),
        (S.OFFICER_DECISION, S.AWARDED, "award"),
        (S.SCREENING, S.DECLINED, "decline"),
        (S.BOARD_REVIEW, S.DECLINED, "decline"),
        (S.OFFICER_DECISION, S.DECLINED, "decline"),
        (S.AWARDED, S.AGREEMENT_ISSUED, "issue_agreement"),
        (S.AGREEMENT_ISSUED, S.AGREEMENT_ACCEPTED, "accept_agreement"),
        (S.AGREEMENT_ACCEPTED, S.PAID, "mark_paid"),
        (S.PAID, S.MONITORING, "request_monitoring"),
        (S.MONITORING, S.CLOSED, "close"),
        *((state, S.WITHDRAWN, "withdraw") for state in withdrawable),
    }


def test_the_meeting_workflow_is_planned_open_closed():
    assert _table(BoardMeeting) == {("planned", "open", "open"), ("open", "closed", "close")}


@pytest.mark.parametrize("model", [Application, BoardMeeting])
def test_every_transition_declares_who_may_make_it(model):
    field = model._meta.get_field("status")
    permissions = {t.name: t.permission for t in field.get_all_transitions(model)}
    assert all(permissions.values()), permissions


def test_the_group_submits_and_the_officer_screens():
    permissions = {
        t.name: t.permission
        for t in Application._meta.get_field("status").get_all_transitions(Application)
    }
    assert permissions["submit"] is rules.is_member_of_applicant
    assert permissions["accept_agreement"] is rules.is_member_of_applicant
    assert permissions["start_screening"] is rules.is_officer_for
    assert permissions["award"] is rules.can_decide
    assert permissions["mark_paid"] is rules.can_record_payment


ACTIONS = ["submit", "screen", "ask", "answer", "onward", "award", "decline", "withdraw"]


@pytest.mark.django_db
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=10))
def test_any_order_of_actions_leaves_the_application_and_the_fund_consistent(steps):
    """People press buttons in any order; refused actions change nothing, and the money always
    matches the state the application is in."""
    fund = FundFactory(rapid=True)
    application = ApplicationFactory(fund=fund)
    group = application.created_by
    officer = grants_officer(locality=fund.locality)
    do = {
        "submit": lambda: applying.application_submit(application=application, by=group),
        "screen": lambda: decisions.screening_start(application=application, by=officer),
        "ask": lambda: decisions.information_request(
            application=application, by=officer, question="Bank statement?"
        ),
        "answer": lambda: applying.information_provide(
            application=application, by=group, response="Attached."
        ),
        "onward": lambda: decisions.send_for_decision(application=application, by=officer),
        "award": lambda: decisions.award_make(application=application, by=officer),
        "decline": lambda: decisions.decline_make(
            application=application, by=officer, reason="other", feedback="Sorry."
        ),
        "withdraw": lambda: applying.application_withdraw(application=application, by=group),
    }
    for step in steps:
        before = Application.objects.get(pk=application.pk).status
        try:
            do[step]()
        except TransitionRefused:
            assert Application.objects.get(pk=application.pk).status == before
        application.refresh_from_db()

    fund.refresh_from_db()
    held = ledger.outstanding_commitment_pence(application)
    if application.status == S.AWARDED:
        assert held == application.amount_awarded_pence == fund.committed_pence
    else:
        assert held == 0
    assert application.ledger_entries.filter(kind=LedgerKind.AWARD_COMMITTED).count() <= 1
    assert ledger.totals_from_ledger(fund).committed_pence == fund.committed_pence


@pytest.mark.parametrize("app", ["grants", "outcomes"])
def test_the_committed_diagram_is_the_workflow_as_it_is(app):
    """docs/transitions-<app>.dot is redrawn by `make graphs`; its lines' order varies between runs,
    so the lines are compared, not the text."""
    drawn = io.StringIO()
    call_command("graph_transitions", app, stdout=drawn)
    committed = (django_settings.BASE_DIR / "docs" / f"transitions-{app}.dot").read_text()
    assert sorted(committed.split("\n")) == sorted(drawn.getvalue().split("\n"))
