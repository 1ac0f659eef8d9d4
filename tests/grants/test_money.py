"""A fund can never commit more than it holds, and its figures always agree with its ledger."""

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import IntegrityError, connection, transaction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.workflow import TransitionRefused
from grants import ledger
from grants.enums import ApplicationStatus, LedgerKind
from grants.models import Application, Fund, LedgerEntry
from grants.services.decisions import award_make
from tests.factories.grants import (
    ApplicationFactory,
    FundFactory,
    application_in,
    grants_officer,
)

S = ApplicationStatus
on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite runs one writer at a time; the row locks being tested are PostgreSQL's",
)


@pytest.mark.django_db
def test_an_award_the_fund_cannot_cover_is_refused_and_changes_nothing():
    fund = FundFactory(rapid=True, budget=60000)
    first = application_in(S.OFFICER_DECISION, fund=fund, amount_requested_pence=50000)
    second = application_in(S.OFFICER_DECISION, fund=fund, amount_requested_pence=50000)
    officer = grants_officer(locality=fund.locality)
    award_make(application=first, by=officer)

    with pytest.raises(
        TransitionRefused, match=re.escape("has £100.00 left, not enough for £500.00")
    ):
        award_make(application=second, by=officer)

    second.refresh_from_db()
    fund.refresh_from_db()
    assert second.status == S.OFFICER_DECISION
    assert fund.committed_pence == 50000
    assert LedgerEntry.objects.filter(application=second).count() == 0


@pytest.mark.django_db
def test_the_database_refuses_over_commitment_even_without_the_service():
    fund = FundFactory(budget=1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(committed_pence=1001)


@pytest.mark.django_db
def test_the_ledger_cannot_be_changed_or_deleted():
    fund = FundFactory(budget=1000)
    entry = fund.ledger.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        fund.ledger.all().delete()
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE grants_ledgerentry SET amount_pence = 1 WHERE id = %s", [entry.pk])


@pytest.mark.django_db
def test_an_officer_cannot_award_beyond_their_delegated_limit():
    fund = FundFactory(rapid=True, delegated_limit_pence=100000, maximum_award_pence=500000)
    application = ApplicationFactory(fund=fund, amount_requested_pence=90000)
    application = application_in(S.OFFICER_DECISION, application=application)
    officer = grants_officer(locality=fund.locality)
    with pytest.raises(TransitionRefused, match=re.escape("Officers may award up to £1,000.00")):
        award_make(application=application, by=officer, amount_pence=150000)
    application.refresh_from_db()
    assert application.status == S.OFFICER_DECISION


@pytest.mark.django_db
def test_an_award_inside_a_transaction_that_fails_sends_nothing(django_capture_on_commit_callbacks):
    fund = FundFactory(rapid=True)
    application = application_in(S.OFFICER_DECISION, fund=fund)
    officer = grants_officer(locality=fund.locality)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        award_make(application=application, by=officer)
        raise RuntimeError("the database went away")

    assert callbacks == []
    application.refresh_from_db()
    fund.refresh_from_db()
    assert application.status == S.OFFICER_DECISION
    assert fund.committed_pence == 0


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    budget=st.integers(min_value=10000, max_value=200000),
    requests=st.lists(st.integers(min_value=10000, max_value=60000), min_size=1, max_size=6),
)
def test_whatever_is_awarded_the_figures_agree_with_the_ledger(budget, requests):
    fund = FundFactory(rapid=True, budget=budget, delegated_limit_pence=100000)
    officer = grants_officer(locality=fund.locality)
    awarded = 0
    for amount in requests:
        application = application_in(
            S.OFFICER_DECISION,
            application=ApplicationFactory(fund=fund, amount_requested_pence=amount),
            officer=officer,
        )
        try:
            award_make(application=application, by=officer)
            awarded += amount
        except TransitionRefused:
            assert amount > budget - awarded
    fund.refresh_from_db()
    assert fund.committed_pence == awarded <= fund.budget_pence
    assert ledger.totals_from_ledger(fund) == ledger.FundTotals(
        budget_pence=fund.budget_pence,
        committed_pence=fund.committed_pence,
        paid_pence=fund.paid_pence,
    )


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_awards_against_room_for_ten_commit_exactly_ten():
    """Security matrix row 39: twenty officers press Award at once on a fund with room for ten."""
    fund = FundFactory(rapid=True, budget=10 * 10000, minimum_award_pence=10000)
    officer = grants_officer(locality=fund.locality)
    applications = [
        application_in(
            S.OFFICER_DECISION,
            application=ApplicationFactory(fund=fund, amount_requested_pence=10000),
            officer=officer,
        )
        for _ in range(20)
    ]
    all_ready = threading.Barrier(20)

    def award(application_id: int) -> bool:
        try:
            application = Application.objects.get(pk=application_id)
            all_ready.wait(timeout=20)
            award_make(application=application, by=officer)
            return True
        except TransitionRefused:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(award, [a.pk for a in applications]))

    fund.refresh_from_db()
    assert results.count(True) == 10
    assert Application.objects.filter(status=S.AWARDED).count() == 10
    assert fund.committed_pence == 10 * 10000 == fund.budget_pence
    assert LedgerEntry.objects.filter(fund=fund, kind=LedgerKind.AWARD_COMMITTED).count() == 10


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_one_application_at_once_one_wins_and_the_other_is_told():
    """Security matrix row 40: one approves, one declines, from pages loaded at the same moment."""
    from grants.services.decisions import decline_make

    fund = FundFactory(rapid=True)
    application = application_in(S.OFFICER_DECISION, fund=fund)
    first, second = grants_officer(locality=fund.locality), grants_officer(locality=fund.locality)
    both_ready = threading.Barrier(2)

    def act(which: str) -> str:
        try:
            stale = Application.objects.get(pk=application.pk)
            both_ready.wait(timeout=10)
            if which == "award":
                award_make(application=stale, by=first)
            else:
                decline_make(application=stale, by=second, reason="other", feedback="Sorry.")
            return "done"
        except TransitionRefused as refused:
            return refused.message
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(act, ["award", "decline"]))

    assert results.count("done") == 1
    application.refresh_from_db()
    fund.refresh_from_db()
    if application.status == S.AWARDED:
        assert fund.committed_pence == application.amount_awarded_pence
    else:
        assert application.status == S.DECLINED
        assert fund.committed_pence == 0
