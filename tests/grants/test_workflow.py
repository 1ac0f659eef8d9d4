"""The application's state machine, driven through the services as people would drive it."""

import pytest

from grants import ledger
from grants.enums import ApplicationStatus
from grants.models import Application
from tests.factories.grants import FundFactory, application_in

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.mark.parametrize(
    "status",
    [
        S.SUBMITTED,
        S.SCREENING,
        S.INFO_REQUESTED,
        S.OFFICER_DECISION,
        S.AWARDED,
        S.DECLINED,
        S.AGREEMENT_ISSUED,
        S.AGREEMENT_ACCEPTED,
        S.PAID,
        S.MONITORING,
        S.CLOSED,
        S.WITHDRAWN,
    ],
)
def test_an_application_can_reach_every_state_through_the_services(
    status, django_capture_on_commit_callbacks
):
    fund = FundFactory(rapid=True)
    application = application_in(status, fund=fund)
    assert Application.objects.get(pk=application.pk).status == status


def test_a_closed_grant_leaves_the_ledger_balanced():
    fund = FundFactory(rapid=True, budget=200000)
    application = application_in(S.CLOSED, fund=fund)
    fund.refresh_from_db()
    assert fund.paid_pence == application.amount_awarded_pence == fund.committed_pence
    assert ledger.totals_from_ledger(fund).committed_pence == fund.committed_pence
    assert ledger.outstanding_commitment_pence(application) == 0


def test_reloading_a_status_never_unprotects_it_for_other_threads():
    """django-fsm's own reload switches the shared field's protection off for a moment, which
    another thread can trip over; ours leaves it on (seen once under twenty concurrent awards)."""
    from unittest import mock

    from django.db import models

    application = application_in(S.SUBMITTED, fund=FundFactory(rapid=True))
    field = Application._meta.get_field("status")
    protected_during_reload = []
    reload = models.Model.refresh_from_db

    def watching(self, *args, **kwargs):
        protected_during_reload.append(field.protected)
        return reload(self, *args, **kwargs)

    Application.objects.filter(pk=application.pk).update(status=S.SCREENING)
    with mock.patch.object(models.Model, "refresh_from_db", watching):
        application.refresh_from_db()
    assert protected_during_reload and all(protected_during_reload)
    assert application.status == S.SCREENING
    assert field.protected
