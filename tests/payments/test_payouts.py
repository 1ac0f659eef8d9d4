"""Paying groups: a run prepared by one person and approved by another, each tranche paid once,
by Stripe transfer or BACS file, whatever is lost, retried or done twice at once; money that comes
back puts the tranche back in line for a later run.

Security matrix rows 32 (a reversal told before we knew the transfer), 34 (lost answer on transfer
create), 35 (double payout), and the two-person rule.
"""

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

import pytest

from core.workflow import TransitionRefused
from grants.enums import ApplicationStatus, LedgerKind, TrancheStatus
from payments.enums import PaymentStatus as P
from payments.enums import RunStatus as R
from payments.models import Payment, PaymentRun
from payments.services import runs
from payments.stripe_api import stripe_client
from payments.tasks import send_transfer
from tests.factories.grants import grants_officer
from tests.payments.builders import (
    award_ready_to_pay,
    bacs_fund,
    bank_details_confirmed,
    figures_agree_with_ledger,
    finance_officer,
    grants_and_finance_officer,
    payment_entries,
    run_approved,
    run_prepared,
    stripe_account_ready,
    stripe_fund,
    the_payment,
)

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time; the race being tested is PostgreSQL's",
)
SENT, RETURNED = LedgerKind.PAYMENT_SENT, LedgerKind.PAYMENT_RETURNED


@pytest.fixture(autouse=True)
def _council_bank_account(settings):
    settings.BACS_ORIGINATOR_NAME = "Brackenford BC"
    settings.BACS_ORIGINATOR_SORT_CODE = "40-11-62"
    settings.BACS_ORIGINATOR_ACCOUNT = "31926819"
    settings.BACS_SERVICE_USER_NUMBER = "123456"


@pytest.fixture
def finance_team():
    """Two people in the finance team: one prepares runs, the other approves them."""
    return finance_officer(full_name="Pat Preparer"), finance_officer(full_name="Alex Approver")


@pytest.fixture
def stripe_award(fake_stripe):
    """A £500 award from a fund that pays through Stripe, to a group that can be paid."""
    fund = stripe_fund()
    application = award_ready_to_pay(fund, amount_pence=50000)
    stripe_account_ready(fake_stripe, application)
    return fund, application


def transfer_requests(fake_stripe) -> list:
    return [r for r in fake_stripe.requests if (r.method, r.path) == ("POST", "/v1/transfers")]


def paid_once(application, *, transfers: dict | None = None) -> bool:
    """The award's tranche is paid, by one sent payment, entered once in the ledger; for a
    Stripe payment, by the one transfer Stripe holds, under that transfer's id."""
    tranche = application.tranches.get()
    payment = Payment.objects.get(application=application, status=P.SENT)
    (entry,) = payment_entries(application, SENT)
    paid = tranche.status == TrancheStatus.PAID and entry.amount_pence == payment.amount_pence
    if transfers is not None:
        paid = paid and list(transfers) == [payment.stripe_transfer_id] == [entry.external_id]
    return paid


# ----- Stripe transfers -------------------------------------------------------------------------


def test_an_approved_stripe_run_pays_each_group_once(
    fake_stripe, stripe_award, finance_team, django_capture_on_commit_callbacks, deliver
):
    fund, application = stripe_award
    preparer, approver = finance_team

    run = run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )

    payment = the_payment(application)
    (transfer,) = fake_stripe.transfers.values()
    account = application.organisation.stripe_account
    assert (transfer["amount"], transfer["destination"]) == (50000, account.stripe_account_id)
    assert transfer["metadata"] == {"payment": str(payment.pk), "run": run.reference}
    (request,) = transfer_requests(fake_stripe)
    assert request.idempotency_key == f"seedbed-payment-{payment.pk}-transfer"
    assert (payment.status, payment.stripe_transfer_id) == (P.SENT, transfer["id"])
    assert payment.bank_masked == f"Stripe {account.stripe_account_id}"
    assert paid_once(application, transfers=fake_stripe.transfers)
    assert run.status == R.COMPLETED
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PAID
    fund.refresh_from_db()
    assert fund.paid_pence == 50000
    assert figures_agree_with_ledger(fund)

    # Stripe's own word that the transfer was made changes nothing more.
    deliver(fake_stripe.event("transfer.created", transfer))
    assert paid_once(application, transfers=fake_stripe.transfers)


def test_a_lost_answer_to_a_transfer_is_retried_with_the_same_key_and_pays_once(
    fake_stripe, stripe_award, finance_team, django_capture_on_commit_callbacks, worker_retries
):
    """Row 34: Stripe makes the transfer, then the connection drops before we hear so."""
    fund, application = stripe_award
    preparer, approver = finance_team
    fake_stripe.fail_next("POST", "/v1/transfers", "timeout_after_apply")

    run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )

    first, retry = transfer_requests(fake_stripe)
    payment = the_payment(application)
    assert first.idempotency_key == retry.idempotency_key == payment.idempotency_key
    assert first.params == retry.params
    assert len(fake_stripe.transfers) == 1
    assert payment.transfer_attempts == 2
    assert payment.status == P.SENT
    assert paid_once(application, transfers=fake_stripe.transfers)
    assert figures_agree_with_ledger(fund)


def test_stripe_down_for_a_moment_then_the_retry_pays_once(
    fake_stripe, stripe_award, finance_team, django_capture_on_commit_callbacks, worker_retries
):
    fund, application = stripe_award
    preparer, approver = finance_team
    fake_stripe.fail_next("POST", "/v1/transfers", "500", times=2)

    run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )

    assert len(transfer_requests(fake_stripe)) == 3
    assert len({r.idempotency_key for r in transfer_requests(fake_stripe)}) == 1
    assert paid_once(application, transfers=fake_stripe.transfers)


def test_a_transfer_stripe_refuses_fails_the_payment_and_the_tranche_waits_for_a_later_run(
    fake_stripe, stripe_award, finance_team, django_capture_on_commit_callbacks
):
    fund, application = stripe_award
    preparer, approver = finance_team
    # The group's account was restricted after it was last checked.
    account = application.organisation.stripe_account
    fake_stripe.accounts[account.stripe_account_id]["payouts_enabled"] = False

    run = run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )

    payment = the_payment(application)
    assert payment.status == P.FAILED
    assert "capabilities" in payment.failure_reason
    assert fake_stripe.transfers == {}
    assert payment_entries(application, SENT) == []
    assert run.status == R.COMPLETED
    assert application.tranches.get().status == TrancheStatus.SCHEDULED
    assert list(runs.tranches_due(fund, by_date=timezone.localdate())) == [
        application.tranches.get()
    ]


def test_a_reversal_told_before_we_knew_the_transfer_existed_ends_returned_and_due_again(
    fake_stripe,
    stripe_award,
    finance_team,
    django_capture_on_commit_callbacks,
    worker_retries,
    deliver,
):
    """Row 32: every answer about the transfer is lost, so our payment never learns its id;
    the council then reverses the transfer in Stripe's dashboard, and Stripe tells us."""
    fund, application = stripe_award
    preparer, approver = finance_team
    fake_stripe.fail_next(
        "POST", "/v1/transfers", "timeout_after_apply", times=1 + send_transfer.max_retries
    )
    run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )
    payment = the_payment(application)
    assert (payment.status, payment.stripe_transfer_id) == (P.SENDING, None)
    (transfer_id,) = fake_stripe.transfers

    stripe_client().v1.transfers.reversals.create(transfer_id)
    reversed_event = fake_stripe.event("transfer.reversed", fake_stripe.transfers[transfer_id])
    assert deliver(reversed_event).status_code == 200
    deliver(reversed_event)

    payment.refresh_from_db()
    assert payment.status == P.RETURNED
    assert payment.stripe_transfer_id == transfer_id
    assert application.tranches.get().status == TrancheStatus.SCHEDULED
    assert len(payment_entries(application, SENT)) == 1
    assert len(payment_entries(application, RETURNED)) == 1
    fund.refresh_from_db()
    assert fund.paid_pence == 0
    assert figures_agree_with_ledger(fund)

    # A late retry of the original send does nothing; the tranche goes in the next run.
    send_transfer.delay(payment.pk)
    assert len(fake_stripe.transfers) == 1
    assert list(runs.tranches_due(fund, by_date=timezone.localdate())) == [
        application.tranches.get()
    ]


def test_stripe_s_transfer_created_event_fills_in_a_lost_answer(
    fake_stripe,
    stripe_award,
    finance_team,
    django_capture_on_commit_callbacks,
    worker_retries,
    deliver,
):
    fund, application = stripe_award
    preparer, approver = finance_team
    fake_stripe.fail_next(
        "POST", "/v1/transfers", "timeout_after_apply", times=1 + send_transfer.max_retries
    )
    run = run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )
    assert run.status == R.APPROVED
    (transfer,) = fake_stripe.transfers.values()

    deliver(fake_stripe.event("transfer.created", transfer))
    send_transfer.delay(the_payment(application).pk)  # an officer's retry, too late to matter

    assert paid_once(application, transfers=fake_stripe.transfers)
    run.refresh_from_db()
    assert run.status == R.COMPLETED


def test_a_transfer_reversed_in_two_parts_is_entered_in_full(
    fake_stripe, stripe_award, finance_team, django_capture_on_commit_callbacks, deliver
):
    fund, application = stripe_award
    preparer, approver = finance_team
    run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )
    (transfer_id,) = fake_stripe.transfers

    for part in (20000, 30000):
        stripe_client().v1.transfers.reversals.create(transfer_id, params={"amount": part})
        deliver(fake_stripe.event("transfer.reversed", fake_stripe.transfers[transfer_id]))

    assert fake_stripe.transfers[transfer_id]["amount_reversed"] == 50000
    assert sum(e.amount_pence for e in payment_entries(application, RETURNED)) == 50000
    fund.refresh_from_db()
    assert fund.paid_pence == 0


# ----- row 35: double payout --------------------------------------------------------------------


def test_a_tranche_can_be_in_only_one_live_payment():
    """The database's own rule, whoever writes: a failed, returned or cancelled payment can be
    followed by another; a waiting, sending or sent one cannot."""
    fund = bacs_fund()
    application = award_ready_to_pay(fund)
    preparer = finance_officer()
    tranche = application.tranches.get()
    first, second = (
        PaymentRun.objects.create(
            reference=f"PR-TEST-{n}",
            fund=fund,
            method=fund.payout_method,
            pay_on=timezone.localdate(),
            prepared_by=preparer,
        )
        for n in (1, 2)
    )
    fields = {
        "tranche": tranche,
        "application": application,
        "organisation": application.organisation,
        "amount_pence": tranche.amount_pence,
    }
    for status, another_allowed in [
        (P.PENDING, False),
        (P.SENDING, False),
        (P.SENT, False),
        (P.FAILED, True),
        (P.RETURNED, True),
        (P.CANCELLED, True),
    ]:
        Payment.objects.create(run=first, status=status, **fields)
        if another_allowed:
            Payment.objects.create(run=second, **fields)
        else:
            with pytest.raises(IntegrityError), transaction.atomic():
                Payment.objects.create(run=second, **fields)
        assert Payment.objects.filter(tranche=tranche).count() == (2 if another_allowed else 1)
        Payment.objects.filter(tranche=tranche).delete()


def test_a_second_run_prepared_for_the_same_fund_takes_nothing_already_in_the_first():
    fund = bacs_fund()
    application = award_ready_to_pay(fund)
    preparer = finance_officer()
    bank_details_confirmed(application, confirmed_by=finance_officer())

    first, _ = runs.run_prepare(fund=fund, by=preparer, pay_on=timezone.localdate())
    second, held = runs.run_prepare(fund=fund, by=preparer, pay_on=timezone.localdate())

    assert first.payments.count() == 1
    assert second.payments.count() == 0
    assert held == []
    with pytest.raises(TransitionRefused):
        runs.run_submit(second, by=preparer)
    assert first.reference != second.reference


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_one_payment_at_once_make_one_transfer(
    fake_stripe, stripe_award, finance_team, django_capture_on_commit_callbacks, worker_retries
):
    fund, application = stripe_award
    preparer, approver = finance_team
    # Stripe was down when the run was approved: the payment waits to be sent.
    fake_stripe.fail_next("POST", "/v1/transfers", "500", times=1 + send_transfer.max_retries)
    run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )
    payment = the_payment(application)
    assert payment.status == P.SENDING
    both_ready = threading.Barrier(2)

    def send(_: int) -> str:
        try:
            both_ready.wait(timeout=10)
            return runs.transfer_send(payment.pk).status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(send, range(2), timeout=30))

    assert P.SENT in statuses
    assert len(fake_stripe.transfers) == 1
    assert paid_once(application, transfers=fake_stripe.transfers)
    fund.refresh_from_db()
    assert fund.paid_pence == 50000


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_prepared_for_one_fund_at_once_put_each_tranche_in_one_of_them():
    fund = bacs_fund()
    confirmer = finance_officer()
    applications = [award_ready_to_pay(fund, amount_pence=10000 + i) for i in range(4)]
    for application in applications:
        bank_details_confirmed(application, confirmed_by=confirmer)
    preparers = [finance_officer(), finance_officer()]
    both_ready = threading.Barrier(2)

    def prepare(preparer) -> int:
        try:
            both_ready.wait(timeout=10)
            run, _ = runs.run_prepare(fund=fund, by=preparer, pay_on=timezone.localdate())
            return run.pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        run_ids = list(pool.map(prepare, preparers, timeout=30))

    assert len(set(run_ids)) == 2
    live = Payment.objects.filter(run__in=run_ids, status=P.PENDING)
    assert sorted(live.values_list("application_id", flat=True)) == sorted(
        a.pk for a in applications
    )
    assert live.values("tranche").distinct().count() == 4


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_runs_prepared_at_once_for_two_funds_both_get_made():
    funds = [bacs_fund(), bacs_fund()]
    confirmer = finance_officer()
    for fund in funds:
        bank_details_confirmed(award_ready_to_pay(fund), confirmed_by=confirmer)
    both_ready = threading.Barrier(2)

    def prepare(fund) -> str:
        try:
            preparer = finance_officer()
            both_ready.wait(timeout=10)
            run, _ = runs.run_prepare(fund=fund, by=preparer, pay_on=timezone.localdate())
            return run.reference
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        references = list(pool.map(prepare, funds, timeout=30))

    assert len(set(references)) == 2
    assert Payment.objects.filter(status=P.PENDING).count() == 2


# ----- two people for every run ----------------------------------------------------------------


def test_the_person_who_prepared_a_run_cannot_approve_it(fake_stripe, stripe_award, finance_team):
    fund, application = stripe_award
    preparer, _ = finance_team
    run = run_prepared(fund, preparer=preparer)

    with pytest.raises(TransitionRefused, match="You prepared this run") as refused:
        runs.run_approve(run, by=preparer)

    assert refused.value.status == 403
    run.refresh_from_db()
    assert run.status == R.AWAITING_APPROVAL
    assert the_payment(application).status == P.PENDING
    assert transfer_requests(fake_stripe) == []


def test_a_finance_officer_who_made_an_award_in_the_run_cannot_approve_it(fake_stripe):
    fund = stripe_fund()
    awarding = grants_and_finance_officer(locality=fund.locality)
    theirs = award_ready_to_pay(fund, officer=awarding)
    others = award_ready_to_pay(fund)
    for application in (theirs, others):
        stripe_account_ready(fake_stripe, application)
    run = run_prepared(fund, preparer=finance_officer())

    with pytest.raises(TransitionRefused, match="You made an award in this run"):
        runs.run_approve(run, by=awarding)

    run.refresh_from_db()
    assert run.status == R.AWAITING_APPROVAL
    assert run.approved_by is None


def test_someone_without_the_finance_role_cannot_approve_a_run(fake_stripe, stripe_award):
    fund, _ = stripe_award
    run = run_prepared(fund, preparer=finance_officer())

    with pytest.raises(TransitionRefused, match="Only a finance officer"):
        runs.run_approve(run, by=grants_officer(locality=fund.locality))


def test_another_finance_officer_approves_and_the_run_pays(
    fake_stripe, stripe_award, finance_team, django_capture_on_commit_callbacks
):
    fund, application = stripe_award
    preparer, approver = finance_team
    run = run_prepared(fund, preparer=preparer)

    with django_capture_on_commit_callbacks(execute=True):
        runs.run_approve(run, by=approver)

    run.refresh_from_db()
    assert run.approved_by == approver
    assert run.approved_at is not None
    assert paid_once(application, transfers=fake_stripe.transfers)


def test_a_run_cannot_be_approved_before_it_is_sent_for_approval(finance_team, fake_stripe):
    fund = stripe_fund()
    stripe_account_ready(fake_stripe, award_ready_to_pay(fund))
    preparer, approver = finance_team
    run, _ = runs.run_prepare(fund=fund, by=preparer, pay_on=timezone.localdate())

    with pytest.raises(TransitionRefused):
        runs.run_approve(run, by=approver)
    assert run.payments.get().status == P.PENDING


# ----- BACS ------------------------------------------------------------------------------------


@pytest.fixture
def bacs_awards(finance_team):
    """Two awards from a fund paid by BACS, each group's bank details confirmed by telephone."""
    fund = bacs_fund()
    applications = [
        award_ready_to_pay(fund, amount_pence=50000),
        award_ready_to_pay(fund, amount_pence=25050),
    ]
    for application in applications:
        bank_details_confirmed(application, confirmed_by=finance_team[1])
    return fund, applications


def test_a_bacs_run_from_preparation_to_the_bank_pays_each_tranche_once(
    bacs_awards, finance_team, django_capture_on_commit_callbacks
):
    fund, applications = bacs_awards
    preparer, approver = finance_team
    run = run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )
    assert run.status == R.APPROVED
    assert set(run.payments.values_list("status", flat=True)) == {P.SENDING}
    assert all(p.bank_masked == "**-**-00 ****9911" for p in run.payments.all())
    for application in applications:
        assert payment_entries(application, SENT) == []

    rows = list(csv.DictReader(io.StringIO(runs.bacs_file(run, layout="csv"), newline="")))
    assert [(r["payee_name"], r["sort_code"], r["account_number"]) for r in rows] == [
        ("Riverside Café Collective", "200000", "55779911")
    ] * 2
    assert sorted(int(r["amount_pence"]) for r in rows) == [25050, 50000]
    assert {r["run_reference"] for r in rows} == {run.reference}
    assert sorted(r["reference"] for r in rows) == sorted(f"{a.reference}-1" for a in applications)
    standard18 = runs.bacs_file(run, layout="standard18").split("\r\n")[:-1]
    credits = [line for line in standard18 if line[15:17] == "99"]
    assert len(credits) == 2
    assert all(line.startswith("20000055779911") for line in credits)
    assert all("RIVERSIDE CAFE COL" in line for line in credits)
    (contra,) = [line for line in standard18 if line[15:17] == "17"]
    assert contra.startswith("40116231926819")

    runs.bacs_submitted(run, by=approver)

    run.refresh_from_db()
    assert run.status == R.COMPLETED
    for application in applications:
        assert paid_once(application)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PAID
    fund.refresh_from_db()
    assert fund.paid_pence == 75050
    assert figures_agree_with_ledger(fund)

    with pytest.raises(TransitionRefused):
        runs.bacs_submitted(run, by=approver)
    assert fund.ledger.filter(kind=SENT).count() == 2


def test_no_bacs_file_until_the_run_is_approved(bacs_awards, finance_team):
    fund, _ = bacs_awards
    run = run_prepared(fund, preparer=finance_team[0])

    with pytest.raises(TransitionRefused, match="once a BACS run is approved"):
        runs.bacs_file(run, layout="csv")


def test_bank_details_changed_and_not_yet_confirmed_hold_the_payment_back(finance_team):
    from payments.services import accounts
    from tests.payments.builders import member_of

    fund = bacs_fund()
    application = award_ready_to_pay(fund)
    bank_details_confirmed(application, confirmed_by=finance_team[1])
    accounts.bank_details_save(
        application.organisation,
        by=member_of(application),
        account_name="Someone Else",
        sort_code="11-22-33",
        account_number="12345678",
    )

    run, held = runs.run_prepare(fund=fund, by=finance_team[0], pay_on=timezone.localdate())

    assert run.payments.count() == 0
    assert [(h.tranche, h.reason) for h in held] == [
        (application.tranches.get(), "Bank details changed and not yet confirmed by an officer.")
    ]


def test_a_returned_bacs_payment_puts_the_tranche_back_for_a_later_run(
    bacs_awards, finance_team, django_capture_on_commit_callbacks
):
    fund, (application, other) = bacs_awards
    preparer, approver = finance_team
    first_run = run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )
    runs.bacs_submitted(first_run, by=approver)
    returned = Payment.objects.get(run=first_run, application=application)

    runs.payment_return(returned, by=approver, reason="Account closed (ARUCS 0)")
    runs.payment_return(returned, by=approver, reason="Account closed (ARUCS 0)")

    returned.refresh_from_db()
    assert returned.status == P.RETURNED
    assert application.tranches.get().status == TrancheStatus.SCHEDULED
    assert len(payment_entries(application, RETURNED)) == 1
    fund.refresh_from_db()
    assert fund.paid_pence == 25050

    second_run = run_approved(
        fund, preparer=preparer, approver=approver, after_commit=django_capture_on_commit_callbacks
    )
    assert list(second_run.payments.values_list("application", flat=True)) == [application.pk]
    runs.bacs_submitted(second_run, by=approver)

    assert application.tranches.get().status == TrancheStatus.PAID
    assert len(payment_entries(application, SENT)) == 2
    assert len(payment_entries(application, RETURNED)) == 1
    assert len(payment_entries(other, SENT)) == 1
    fund.refresh_from_db()
    assert fund.paid_pence == 75050
    assert figures_agree_with_ledger(fund)
