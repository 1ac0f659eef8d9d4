"""Security matrix row 16: no step of the grants workflow can be skipped or taken out of order.

A grants officer for the locality (who may act on these applications) posts every action the
application page offers, each with everything it needs, to an application in every state. An
action the workflow does not allow from that state is refused with a page that says so (409, or
403 when it is not theirs to take) and changes nothing: not the status, not the ledger, not the
group's inbox. An action it does allow moves the application exactly one step in the pinned table.
Nothing is ever a server error.
"""

import pytest

from core.models import InboxMessage
from grants.enums import ApplicationStatus, DeclineReason
from grants.models import Application, LedgerEntry
from tests.factories.grants import FundFactory, application_in, board_for, grants_officer

pytestmark = pytest.mark.django_db
S = ApplicationStatus

STATES = [
    S.SUBMITTED,
    S.SCREENING,
    S.INFO_REQUESTED,
    S.OFFICER_DECISION,
    S.DECLINED,
    S.AWARDED,
    S.AGREEMENT_ISSUED,
    S.AGREEMENT_ACCEPTED,
    S.PAID,
    S.MONITORING,
    S.CLOSED,
    S.WITHDRAWN,
]


def steps() -> set[tuple[str, str]]:
    """Every (from, to) the workflow allows, "back to where it was" standing for any state."""
    field = Application._meta.get_field("status")
    return {
        (str(t.source), str(t.target) if isinstance(t.target, str) else "*")
        for t in field.get_all_transitions(Application)
    }


def everything_it_needs(application: Application) -> dict[str, str]:
    tranche = application.tranches.order_by("number").first()
    report = application.monitoring_reports.first()
    return {
        "expected_status": application.status,
        "amount": "200",
        "reason": "Clear need and a sound plan.",
        "question": "Please send your safeguarding policy.",
        "checked_otherwise": "Seen the signed constitution.",
        "decline_reason": DeclineReason.values[0],
        "feedback": "Thank you; please apply again next round.",
        "tranche": str(tranche.pk) if tranche else "",
        "payment_reference": "BACS-0001",
        "report": str(report.pk) if report else "",
        "comment": "Please add receipts.",
    }


ACTIONS = [
    "start_screening",
    "send_for_decision",
    "request_information",
    "award",
    "refer_to_board",
    "decline",
    "issue_agreement",
    "record_payment",
    "open_monitoring",
    "accept_report",
    "ask_more",
    "withdraw",
]


@pytest.mark.parametrize("state", STATES)
def test_an_officer_cannot_skip_a_step_or_take_one_out_of_order(client, sign_in, state):
    fund = FundFactory(rapid=True, budget=1_000_000)
    board_for(fund.locality)
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)
    allowed = steps()

    for action in ACTIONS:
        application = application_in(state, fund=fund, amount_requested_pence=20000)
        ledger_before = LedgerEntry.objects.count()
        inbox_before = InboxMessage.objects.count()
        response = client.post(
            f"/admin/grant-applications/act/{application.pk}/{action}/",
            everything_it_needs(application),
        )
        after = Application.objects.get(pk=application.pk).status
        assert response.status_code in (302, 403, 409), (state, action, response.status_code)
        if response.status_code == 302:
            assert after == state or (state, after) in allowed or (state, "*") in allowed, (
                state,
                action,
                after,
            )
            continue
        assert "can’t be done now" in response.text, (state, action)
        assert after == state, (state, action)
        assert LedgerEntry.objects.count() == ledger_before, (state, action)
        assert InboxMessage.objects.count() == inbox_before, (state, action)
