"""The demo borough has grants to show in every corner: a fund for each area, an application in
every state of the workflow, a board meeting where a member has declared a conflict, and grants
that have been paid and closed."""

from django.core.management import call_command

import pytest

from core.models import Locality
from grants.enums import ApplicationStatus, MonitoringStatus, TrancheStatus
from grants.models import Application, Declaration, Fund, Score, Vote

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def demo():
    call_command("seed_demo")


def test_every_area_of_the_demo_borough_has_a_fund_and_every_state_has_an_application(demo):
    localities = Locality.objects.all()
    assert localities.count() == 4
    for locality in localities:
        assert Fund.objects.filter(locality=locality).exists(), locality.name
    assert Fund.objects.filter(locality__isnull=True).exists()  # the borough-wide rapid fund

    states = set(Application.objects.values_list("status", flat=True))
    assert states == set(S.values)


def test_the_demo_board_meeting_has_a_declared_conflict_and_the_member_takes_no_part(demo):
    conflict = Declaration.objects.select_related("item__meeting", "member").get(has_conflict=True)
    assert conflict.nature
    item = conflict.item
    assert item.application.status == S.BOARD_REVIEW
    assert item.meeting.board.memberships.filter(user=conflict.member).exists()
    assert not Vote.objects.filter(item=item, member=conflict.member).exists()
    assert not Score.objects.filter(item=item, member=conflict.member).exists()
    without_conflict = set(
        item.declarations.filter(has_conflict=False).values_list("member", flat=True)
    )
    voted = set(Vote.objects.filter(item=item).values_list("member", flat=True))
    assert without_conflict and voted == without_conflict


def paid_in_full(grant: Application) -> bool:
    tranches = list(grant.tranches.all())
    return (
        bool(tranches)
        and all(tranche.status == TrancheStatus.PAID for tranche in tranches)
        and grant.paid_pence == grant.amount_awarded_pence > 0
    )


def test_the_demo_has_a_grant_paid_in_full_and_a_grant_closed_after_its_report(demo):
    # One paid grant had a payment returned by the bank (the payments demo): it is due again.
    paid = [grant for grant in Application.objects.filter(status=S.PAID) if paid_in_full(grant)]
    closed = list(Application.objects.filter(status=S.CLOSED))
    assert paid and closed
    for grant in closed:
        assert paid_in_full(grant)
        assert grant.monitoring_reports.get().status == MonitoringStatus.ACCEPTED
    for grant in [*paid, *closed]:
        assert grant.fund.paid_pence >= grant.paid_pence
