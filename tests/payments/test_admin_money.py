"""Money in the staff admin: payment runs prepared by one officer and approved by another, the
finance dashboard, reconciliations, match pledges, bank details and gifts."""

import datetime

from django.db import reset_queries
from django.test import Client
from django.utils import timezone

import pytest

from core.enums import Role
from core.models import AuditEntry, OutboxTask
from core.models.audit import AuditAction
from grants import ledger
from grants.enums import ApplicationStatus, LedgerKind, PayoutMethod, SourceKind, TrancheStatus
from grants.models import Application, LedgerEntry
from payments.enums import ContributionStatus, PaymentStatus, RunStatus
from payments.models import (
    ConnectedAccount,
    Contribution,
    Payment,
    PaymentRun,
    Reconciliation,
    StripeEvent,
)
from payments.selectors_admin import _raised
from payments.services import accounts, runs
from tests.factories.core import UserFactory
from tests.factories.grants import FundFactory, FundingSourceFactory, application_in, grants_officer

pytestmark = pytest.mark.django_db
S = ApplicationStatus

SORT_CODE = "401162"
ACCOUNT_NUMBER = "31926819"


def finance_officer(**kwargs):
    return UserFactory(with_mfa=True, roles=(Role.FINANCE_OFFICER,), staff=True, **kwargs)


def bank_details(application: Application, *, confirmed_by=None, account_number=ACCOUNT_NUMBER):
    details = accounts.bank_details_save(
        application.organisation,
        by=application.created_by,
        account_name="Riverside Cafe Collective",
        sort_code=SORT_CODE,
        account_number=account_number,
    )
    if confirmed_by is not None:
        accounts.bank_details_confirm(details, by=confirmed_by, note="Rang the treasurer.")
    return details


def payable(fund, officer) -> Application:
    """An accepted award with one payment due today, to a group whose bank details are confirmed."""
    application = application_in(S.AGREEMENT_ACCEPTED, fund=fund, officer=officer)
    bank_details(application, confirmed_by=officer)
    return application


def prepared_run(fund, officer, *, count: int = 1) -> PaymentRun:
    for _ in range(count):
        payable(fund, officer)
    run, _held = runs.run_prepare(fund=fund, by=officer, pay_on=timezone.localdate())
    return run


def act(client, run, action, **data):
    run.refresh_from_db()
    return client.post(
        f"/admin/payment-runs/act/{run.pk}/{action}/", {"expected_status": run.status, **data}
    )


def page_text(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return response.content.decode()


# Two people for every run


def test_a_grants_officer_prepares_a_run_and_cannot_approve_it(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    payable(fund, officer)
    waiting = application_in(S.AGREEMENT_ACCEPTED, fund=fund, officer=officer)
    bank_details(waiting)  # entered by the group, not yet confirmed
    sign_in(officer)

    assert client.get("/admin/payment-runs/prepare/").status_code == 200
    response = client.post(
        "/admin/payment-runs/prepare/",
        {"fund": fund.pk, "pay_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    run = PaymentRun.objects.get(fund=fund)
    assert run.prepared_by == officer
    assert run.payments.count() == 1

    page = client.get(response["Location"]).content.decode()
    assert "1 held back" in page
    assert "Bank details changed and not yet confirmed by an officer." in page
    assert waiting.reference in page
    assert "Send for approval" in page

    assert act(client, run, "submit").status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.AWAITING_APPROVAL

    page = client.get(f"/admin/payment-runs/inspect/{run.pk}/").content.decode()
    assert "Only a finance officer can approve a payment run." in page
    assert "Approve the run" not in page

    response = act(client, run, "approve")
    assert response.status_code == 403
    assert "Only a finance officer" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.AWAITING_APPROVAL


def test_a_finance_officer_who_made_none_of_the_awards_approves_and_sends_the_file(
    client, sign_in, settings
):
    settings.BACS_ORIGINATOR_SORT_CODE = "401162"
    settings.BACS_ORIGINATOR_ACCOUNT = "31926819"
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    run = runs.run_submit(prepared_run(fund, officer), by=officer)
    payment = run.payments.get()
    finance = finance_officer()
    sign_in(finance)

    page = client.get(f"/admin/payment-runs/inspect/{run.pk}/").content.decode()
    assert "Approve the run" in page
    assert act(client, run, "approve").status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assert run.approved_by == finance

    page = client.get(f"/admin/payment-runs/inspect/{run.pk}/").content.decode()
    assert "Download the CSV file" in page
    assert "Confirm the file was sent to the bank" in page

    response = act(client, run, "confirm_sent")
    assert response.status_code == 302
    run.refresh_from_db()
    payment.refresh_from_db()
    fund.refresh_from_db()
    assert run.status == RunStatus.COMPLETED
    assert payment.status == PaymentStatus.SENT
    assert payment.tranche.status == TrancheStatus.PAID
    assert fund.paid_pence == payment.amount_pence


def test_a_finance_officer_who_made_an_award_in_the_run_cannot_approve_it(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    run = runs.run_submit(prepared_run(fund, officer, count=2), by=officer)
    finance = finance_officer()
    Application.objects.filter(pk=run.payments.first().application_id).update(decided_by=finance)
    sign_in(finance)

    page = client.get(f"/admin/payment-runs/inspect/{run.pk}/").content.decode()
    assert "You made an award in this run, so someone else must approve it." in page
    assert "Approve the run" not in page
    response = act(client, run, "approve")
    assert response.status_code == 403
    assert "someone else must approve it" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.AWAITING_APPROVAL
    assert not run.payments.filter(status=PaymentStatus.SENDING).exists()


def test_the_finance_officer_who_prepared_a_run_cannot_approve_it(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    payable(fund, officer)
    finance = finance_officer()
    run, _ = runs.run_prepare(fund=fund, by=finance, pay_on=timezone.localdate())
    runs.run_submit(run, by=finance)
    sign_in(finance)

    page = client.get(f"/admin/payment-runs/inspect/{run.pk}/").content.decode()
    assert "You prepared this run, so someone else must approve it." in page
    act(client, run, "approve")
    run.refresh_from_db()
    assert run.status == RunStatus.AWAITING_APPROVAL


def test_a_stale_page_changes_nothing(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    run = prepared_run(fund, officer)
    sign_in(officer)

    response = client.post(
        f"/admin/payment-runs/act/{run.pk}/cancel/",
        {"expected_status": RunStatus.AWAITING_APPROVAL, "reason": "Wrong date"},
    )
    assert response.status_code == 409
    assert "changed while you were looking" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_an_officer_takes_a_payment_out_of_a_draft_and_cancels_a_run(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    run = prepared_run(fund, officer, count=2)
    first, second = run.payments.all()
    sign_in(officer)

    response = act(client, run, "take_out", payment=first.pk, reason="The group asked to wait.")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == PaymentStatus.CANCELLED

    response = act(client, run, "cancel", reason="")
    assert "Say why you are cancelling it." in client.get(response["Location"]).content.decode()
    act(client, run, "cancel", reason="Pay-on date was wrong.")
    run.refresh_from_db()
    second.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert second.status == PaymentStatus.CANCELLED


def test_a_finance_officer_records_a_bank_return(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    run = runs.run_submit(prepared_run(fund, officer), by=officer)
    finance = finance_officer()
    runs.run_approve(run, by=finance)
    runs.bacs_submitted(run, by=finance)
    payment = run.payments.get()
    sign_in(finance)

    assert "Record a return" in page_text(client, f"/admin/payment-runs/inspect/{run.pk}/")
    response = act(
        client,
        run,
        "record_return",
        payment=payment.pk,
        expected_payment_status=PaymentStatus.SENT,
        reason="Account closed",
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    fund.refresh_from_db()
    assert payment.status == PaymentStatus.RETURNED
    assert payment.failure_reason == "Account closed"
    assert fund.paid_pence == 0
    assert "Account closed" in page_text(client, "/admin/money/")


# BACS files


def test_downloads_need_the_permission_and_are_audited(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    run = runs.run_submit(prepared_run(fund, officer), by=officer)
    finance = finance_officer()

    sign_in(finance)
    response = client.get(f"/admin/payment-runs/file/{run.pk}/csv/")
    assert response.status_code == 302  # not approved yet: told so, no file
    assert not AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).exists()

    runs.run_approve(run, by=finance)
    preparer = Client()
    sign_in(officer, client=preparer)
    assert "Download the CSV file" not in page_text(
        preparer, f"/admin/payment-runs/inspect/{run.pk}/"
    )
    refused = preparer.get(f"/admin/payment-runs/file/{run.pk}/csv/")
    assert refused.status_code == 302  # the admin's own "you don't have permission" page
    assert "Content-Disposition" not in refused
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, object_id=str(run.pk)).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).exists()

    for layout, name in (("csv", "bacs.csv"), ("standard18", "standard18.txt")):
        response = client.get(f"/admin/payment-runs/file/{run.pk}/{layout}/")
        assert response.status_code == 200
        assert response["Content-Disposition"] == (f'attachment; filename="{run.reference}-{name}"')
        assert "no-store" in response["Cache-Control"]
        assert ACCOUNT_NUMBER in response.content.decode()
    downloads = AuditEntry.objects.for_object(run).filter(action=AuditAction.DOWNLOAD)
    assert sorted(entry.detail["layout"] for entry in downloads) == ["csv", "standard18"]
    assert {entry.actor_id for entry in downloads} == {finance.pk}
    assert client.get(f"/admin/payment-runs/file/{run.pk}/xml/").status_code == 404


# Out of reach is 404, however the id is changed


def test_another_localitys_runs_and_payments_are_not_found(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    run = prepared_run(fund, officer)
    theirs = run.payments.get()
    stranger_fund = FundFactory(rapid=True)
    stranger = grants_officer(locality=stranger_fund.locality)
    own_run = prepared_run(stranger_fund, stranger)
    sign_in(stranger)

    for url in (
        f"/admin/payment-runs/inspect/{run.pk}/",
        f"/admin/payment-runs/history/{run.pk}/",
        f"/admin/payment-runs/file/{run.pk}/csv/",
    ):
        assert client.get(url).status_code == 404, url
    for action in ("submit", "cancel", "approve", "take_out"):
        response = client.post(
            f"/admin/payment-runs/act/{run.pk}/{action}/",
            {"expected_status": run.status, "payment": theirs.pk, "reason": "Mine now"},
        )
        assert response.status_code == 404, action
    # Their payment through the stranger's own run: still not found.
    response = act(client, own_run, "take_out", payment=theirs.pk, reason="Mine now")
    assert response.status_code == 404
    response = act(
        client,
        own_run,
        "record_return",
        payment=theirs.pk,
        expected_payment_status=theirs.status,
        reason="Mine now",
    )
    assert response.status_code == 404

    listing = page_text(client, "/admin/payment-runs/")
    assert own_run.reference in listing and run.reference not in listing
    assert run.reference not in page_text(client, "/admin/money/")
    run.refresh_from_db()
    theirs.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert theirs.status == PaymentStatus.PENDING
    assert AuditEntry.objects.filter(
        action=AuditAction.DENIED, object_id=str(run.pk), actor_id=stranger.pk
    ).exists()
    # Preparing a run for their fund is not a choice either.
    response = client.post(
        "/admin/payment-runs/prepare/",
        {"fund": fund.pk, "pay_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert PaymentRun.objects.filter(fund=fund).count() == 1


def test_another_localitys_bank_details_match_funding_and_gifts_are_not_found(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    application = application_in(S.AGREEMENT_ACCEPTED, fund=fund, officer=officer)
    details = bank_details(application)
    Contribution.objects.create(
        fund=fund,
        contributor_name="Ada Giver",
        contributor_email="ada@example.test",
        amount_pence=500,
    )
    stranger = grants_officer(locality=FundFactory().locality)
    sign_in(stranger)

    assert "Riverside" not in page_text(client, "/admin/money/bank-details/")
    response = client.post(
        f"/admin/money/bank-details/{details.pk}/confirm/",
        {"expected_changed_at": details.changed_at.isoformat(), "note": "Trust me"},
    )
    assert response.status_code == 404
    details.refresh_from_db()
    assert not details.confirmed
    assert client.get(f"/admin/money/funds/{fund.pk}/match/").status_code == 404
    source = FundingSourceFactory(name="Brackenford Trust", kind=SourceKind.TRUST)
    response = client.post(
        f"/admin/money/funds/{fund.pk}/match/",
        {"action": "pledge", "pledge-source": source.pk, "pledge-amount": "100"},
    )
    assert response.status_code == 404
    assert not LedgerEntry.objects.filter(kind=LedgerKind.MATCH_PLEDGED).exists()
    assert "Ada Giver" not in page_text(client, "/admin/contributions/")


def test_reconciliations_and_stripe_events_are_for_borough_wide_finance_staff(client, sign_in):
    result = Reconciliation.objects.create(
        period_from=datetime.date(2026, 4, 1), period_to=datetime.date(2026, 4, 1)
    )
    event = StripeEvent.objects.create(
        event_id="evt_stuck",
        type="customer.created",
        created=timezone.now(),
        payload={},
        last_error="APIConnectionError: no answer",
    )
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    # Even given the permission, someone who sees one locality reads no reconciliation: it is
    # about every fund at once.
    from django.contrib.auth.models import Permission

    officer.user_permissions.add(
        Permission.objects.get(codename="view_reconciliation"),
        Permission.objects.get(codename="view_stripeevent"),
    )
    sign_in(officer)

    assert client.get(f"/admin/money/reconciliations/{result.pk}/").status_code == 404
    assert client.get("/admin/money/reconciliations/").status_code == 404
    assert client.get("/admin/money/reconciliations/new/").status_code == 404
    assert client.post(f"/admin/money/stripe-events/{event.pk}/retry/").status_code == 404
    assert "evt_stuck" not in page_text(client, "/admin/money/")
    assert not OutboxTask.objects.filter(task_name__endswith="process_stripe_event").exists()


# The dashboard


def test_the_dashboard_lists_every_kind_of_failure(
    client, sign_in, django_capture_on_commit_callbacks
):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    run = PaymentRun.objects.create(
        reference="PR-TEST-0001",
        fund=fund,
        method=PayoutMethod.BACS,
        pay_on=timezone.localdate(),
        prepared_by=officer,
    )
    failed_to = application_in(S.AGREEMENT_ACCEPTED, fund=fund, officer=officer)
    returned_to = application_in(S.AGREEMENT_ACCEPTED, fund=fund, officer=officer)
    for application, status, reason in (
        (failed_to, PaymentStatus.FAILED, "No such destination account"),
        (returned_to, PaymentStatus.RETURNED, "Beneficiary account closed"),
    ):
        Payment.objects.create(
            run=run,
            tranche=application.tranches.get(),
            application=application,
            organisation=application.organisation,
            amount_pence=application.amount_awarded_pence,
            status=status,
            failure_reason=reason,
        )
    Contribution.objects.create(
        fund=fund,
        contributor_name="Held Giver",
        contributor_email="held@example.test",
        amount_pence=5000,
        status=ContributionStatus.HELD,
        amount_paid_pence=500,
    )
    StripeEvent.objects.create(
        event_id="evt_stuck",
        type="customer.created",
        created=timezone.now(),
        payload={},
        last_error="APIConnectionError: no answer",
    )
    ConnectedAccount.objects.create(
        organisation=failed_to.organisation,
        stripe_account_id="acct_payout_failed",
        last_payout_failure="The bank account has been closed.",
    )
    bank_details(returned_to)
    finance = finance_officer()
    sign_in(finance)

    page = page_text(client, "/admin/money/")
    for expected in (
        "No such destination account",
        "Beneficiary account closed",
        "Held Giver",
        "evt_stuck",
        "APIConnectionError: no answer",
        "The bank account has been closed.",
        returned_to.organisation.name,
        "Bank details waiting for confirmation",
        fund.name,
    ):
        assert expected in page, expected

    event = StripeEvent.objects.get(event_id="evt_stuck")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/money/stripe-events/{event.pk}/retry/")
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.processed_at is not None  # tasks run at once in tests
    assert OutboxTask.objects.filter(task_name="payments.tasks.process_stripe_event").exists()
    assert "evt_stuck" not in page_text(client, "/admin/money/")


def test_the_dashboard_shows_each_funds_money(client, sign_in):
    fund = FundFactory(rapid=True, budget=250000)
    trust = FundingSourceFactory(name="Ashby Trust", kind=SourceKind.TRUST)
    ledger.allocate(fund=fund, source=trust, amount_pence=100000, by=None)
    ledger.record_contribution(
        fund=fund, amount_pence=2500, idempotency_key="gift-1", external_id="pi_1", memo="Gift"
    )
    sign_in(finance_officer())
    page = page_text(client, "/admin/money/")
    assert "£3,525.00" in page  # budget
    assert "£1,025.00" in page  # raised from outside: the trust and one gift
    assert "1 funder, 1 gift from the public" in page


def test_raised_from_outside_is_worked_out_the_same_way_for_many_funds():
    council = FundFactory(rapid=True, budget=100000)
    mixed = FundFactory(rapid=True, budget=100000)
    trust = FundingSourceFactory(name="Ashby Trust", kind=SourceKind.TRUST)
    lottery = FundingSourceFactory(name="Lottery", kind=SourceKind.LOTTERY)
    ledger.allocate(fund=mixed, source=trust, amount_pence=40000, by=None)
    ledger.record_contribution(
        fund=mixed, amount_pence=2500, idempotency_key="g1", external_id="pi_1", memo="Gift"
    )
    ledger.record_contribution(
        fund=mixed,
        amount_pence=7000,
        idempotency_key="g2",
        external_id="pi_2",
        memo="Gift",
        source=trust,
    )
    ledger.record_refund(
        fund=mixed, amount_pence=1000, idempotency_key="r1", external_id="pi_1", memo="Refund"
    )
    officer = grants_officer(locality=mixed.locality)
    ledger.pledge_match(fund=mixed, source=lottery, amount_pence=9000, by=officer)
    ledger.draw_match(fund=mixed, source=lottery, amount_pence=3000, by=officer)

    batch = _raised([council, mixed])
    for fund in (council, mixed):
        one = ledger.raised_from_outside(fund)
        got = batch.get(fund.pk, {"pence": 0, "funders": 0, "gifts": 0})
        assert (got["pence"], got["funders"], got["gifts"]) == (
            one.pence,
            one.funders,
            one.public_gifts,
        )
    assert batch[mixed.pk]["pence"] == 40000 + 2500 + 7000 - 1000 + 3000


def test_the_dashboard_and_the_runs_list_make_the_same_number_of_queries_however_much_there_is(
    client, sign_in, django_assert_max_num_queries
):
    def busy_fund():
        fund = FundFactory(rapid=True)
        officer = grants_officer(locality=fund.locality)
        run = runs.run_submit(prepared_run(fund, officer), by=officer)
        application = application_in(S.AGREEMENT_ACCEPTED, fund=fund, officer=officer)
        bank_details(application)
        Payment.objects.create(
            run=run,
            tranche=application.tranches.get(),
            application=application,
            organisation=application.organisation,
            amount_pence=application.amount_awarded_pence,
            status=PaymentStatus.FAILED,
            failure_reason="Refused",
        )
        Contribution.objects.create(
            fund=fund,
            contributor_name="Held",
            contributor_email="held@example.test",
            amount_pence=5000,
            status=ContributionStatus.HELD,
        )
        source = FundingSourceFactory(name="Trust", kind=SourceKind.TRUST)
        ledger.pledge_match(fund=fund, source=source, amount_pence=5000, by=officer)
        Reconciliation.objects.create(
            period_from=timezone.localdate(), period_to=timezone.localdate()
        )

    busy_fund()
    sign_in(finance_officer())
    for url, most in (("/admin/money/", 25), ("/admin/payment-runs/", 25)):
        client.get(url)
        # Setting up the data runs thousands of queries: start the count afresh, or Django's
        # bounded log of them is full and the count reads nothing.
        reset_queries()
        with django_assert_max_num_queries(most) as few:
            assert client.get(url).status_code == 200
        counted = len(few.captured_queries)
        assert counted > 5, url  # the page was counted, not an empty log
        for _ in range(3):
            busy_fund()
        client.get(url)  # new roles empty the cached facts about the person: warm them again
        reset_queries()
        with django_assert_max_num_queries(counted):
            assert client.get(url).status_code == 200


# Match pledges


def test_pledges_are_recorded_and_drawn_down_with_a_kind_error_when_exhausted(client, sign_in):
    fund = FundFactory(rapid=True, budget=100000)
    trust = FundingSourceFactory(name="Ashby Trust", kind=SourceKind.TRUST)
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)
    url = f"/admin/money/funds/{fund.pk}/match/"

    page = page_text(client, url)
    assert "Record a pledge first" in page
    response = client.post(
        url, {"action": "pledge", "pledge-source": trust.pk, "pledge-amount": "5,000"}
    )
    assert response.status_code == 302
    response = client.post(url, {"action": "draw", "draw-source": trust.pk, "draw-amount": "2000"})
    assert response.status_code == 302
    fund.refresh_from_db()
    assert fund.budget_pence == 100000 + 200000

    response = client.post(url, {"action": "draw", "draw-source": trust.pk, "draw-amount": "4000"})
    assert response.status_code == 400
    text = response.content.decode()
    assert (
        "That is more than is left. Ashby Trust has £3,000.00 of its pledge left to draw." in text
    )
    fund.refresh_from_db()
    assert fund.budget_pence == 300000

    response = client.post(url, {"action": "draw", "draw-source": trust.pk, "draw-amount": "ten"})
    assert response.status_code == 400
    assert "Enter an amount in pounds and pence" in response.content.decode()

    dashboard = page_text(client, "/admin/money/")
    assert "Ashby Trust" in dashboard
    assert "£5,000.00" in dashboard and "£2,000.00" in dashboard and "£3,000.00" in dashboard


def test_an_officer_puts_money_from_its_sources_into_a_new_funds_budget(client, sign_in):
    fund = FundFactory(rapid=True, budget=0)
    council = FundingSourceFactory(name="Brackenford Borough Council", kind=SourceKind.COUNCIL)
    lottery = FundingSourceFactory(name="Community Lottery", kind=SourceKind.LOTTERY)
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)
    url = f"/admin/money/funds/{fund.pk}/match/"
    assert url in page_text(client, f"/admin/grant-funds/inspect/{fund.pk}/")

    for source, amount in ((council, "25,000"), (lottery, "£10000.50")):
        response = client.post(
            url,
            {
                "action": "allocate",
                "allocate-source": source.pk,
                "allocate-amount": amount,
                "allocate-memo": "Cabinet, 3 March",
            },
        )
        assert response.status_code == 302

    fund.refresh_from_db()
    assert fund.budget_pence == 2_500_000 + 1_000_050
    entries = LedgerEntry.objects.filter(fund=fund, kind=LedgerKind.ALLOCATION)
    assert {(e.source_id, e.recorded_by_id, e.memo) for e in entries} == {
        (council.pk, officer.pk, "Cabinet, 3 March"),
        (lottery.pk, officer.pk, "Cabinet, 3 March"),
    }
    figures = page_text(client, f"/admin/grant-funds/inspect/{fund.pk}/")
    sources = figures[figures.index("Where the budget comes from") :]
    assert sources.index("Brackenford Borough Council") < sources.index("Community Lottery")
    assert "£25,000.00" in sources and "£10,000.50" in sources

    for amount in ("-5", "0", "lots"):
        refused = client.post(
            url, {"action": "allocate", "allocate-source": council.pk, "allocate-amount": amount}
        )
        assert refused.status_code == 400
        assert "There is a problem" in refused.text
        assert "Amount, in pounds: Enter an amount" in refused.text
    refused = client.post(url, {"action": "allocate", "allocate-amount": "500"})
    assert refused.status_code == 400
    assert 'value="500"' in refused.text  # what was typed is kept
    fund.refresh_from_db()
    assert fund.budget_pence == 3_500_050


# Bank details


def test_bank_details_are_confirmed_by_someone_else_and_never_shown_in_full(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    application = application_in(S.AGREEMENT_ACCEPTED, fund=fund, officer=officer)
    details = bank_details(application)
    sign_in(officer)

    page = page_text(client, "/admin/money/bank-details/?waiting=1")
    assert details.masked in page
    response = client.post(
        f"/admin/money/bank-details/{details.pk}/confirm/",
        {"expected_changed_at": details.changed_at.isoformat(), "note": " "},
    )
    assert "Say how you checked them" in client.get(response["Location"]).content.decode()
    details.refresh_from_db()
    assert not details.confirmed

    # The group changes them again while the page is open: the old page confirms nothing.
    stale = details.changed_at.isoformat()
    details = bank_details(application, account_number="12345678")
    response = client.post(
        f"/admin/money/bank-details/{details.pk}/confirm/",
        {"expected_changed_at": stale, "note": "Rang the treasurer"},
    )
    assert response.status_code == 409
    details.refresh_from_db()
    assert not details.confirmed

    response = client.post(
        f"/admin/money/bank-details/{details.pk}/confirm/",
        {"expected_changed_at": details.changed_at.isoformat(), "note": "Rang the treasurer"},
    )
    assert response.status_code == 302
    details.refresh_from_db()
    assert details.confirmed_by == officer
    assert details.confirmation_note == "Rang the treasurer"


def test_no_admin_page_shows_a_full_sort_code_or_account_number(client, sign_in):
    fund = FundFactory(rapid=True)
    officer = grants_officer(locality=fund.locality)
    run = runs.run_submit(prepared_run(fund, officer), by=officer)
    waiting = application_in(S.AGREEMENT_ACCEPTED, fund=fund, officer=officer)
    bank_details(waiting)
    finance = finance_officer()
    runs.run_approve(run, by=finance)
    sign_in(finance)

    for url in (
        "/admin/money/",
        "/admin/money/bank-details/",
        "/admin/money/bank-details/?waiting=1",
        "/admin/payment-runs/",
        f"/admin/payment-runs/inspect/{run.pk}/",
        f"/admin/payment-runs/history/{run.pk}/",
        "/admin/payment-runs/prepare/",
        "/admin/contributions/",
        f"/admin/money/funds/{fund.pk}/match/",
    ):
        page = page_text(client, url)
        for secret in (ACCOUNT_NUMBER, SORT_CODE, "40-11-62", "40 11 62"):
            assert secret not in page, (url, secret)
    assert "**-**-62 ****6819" in page_text(client, f"/admin/payment-runs/inspect/{run.pk}/")


# Reconciliations


def test_without_stripe_running_a_reconciliation_is_explained_kindly(client, sign_in, settings):
    settings.STRIPE_SECRET_KEY = ""
    sign_in(finance_officer())
    page = page_text(client, "/admin/money/reconciliations/new/")
    assert "Stripe isn’t set up on this site yet" in page
    response = client.post(
        "/admin/money/reconciliations/new/", {"date_from": "2026-04-01", "date_to": "2026-04-01"}
    )
    assert response.status_code == 200
    assert not Reconciliation.objects.exists()


def test_a_finance_officer_runs_a_reconciliation_and_reads_its_differences(
    client, sign_in, fake_stripe
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    noon = datetime.datetime.combine(
        yesterday, datetime.time(12), tzinfo=timezone.get_current_timezone()
    )
    fake_stripe.add_balance_transaction(
        type="adjustment", amount=-1234, created=int(noon.timestamp())
    )
    finance = finance_officer()
    sign_in(finance)

    response = client.post(
        "/admin/money/reconciliations/new/",
        {"date_from": yesterday.isoformat(), "date_to": yesterday.isoformat()},
    )
    assert response.status_code == 302
    result = Reconciliation.objects.get()
    assert response["Location"] == f"/admin/money/reconciliations/{result.pk}/"
    assert result.ran_by == finance
    page = page_text(client, response["Location"])
    assert "A Stripe item we don’t recognise (1)" in page
    assert "£12.34" in page
    listing = page_text(client, "/admin/money/reconciliations/")
    assert "1 difference" in listing

    response = client.post(
        "/admin/money/reconciliations/new/",
        {
            "date_from": yesterday.isoformat(),
            "date_to": (yesterday - datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "The end date must be the same as or after the start." in response.content.decode()


# Gifts


def test_finance_officers_list_gifts_by_fund_and_status(client, sign_in):
    fund = FundFactory(rapid=True)
    other = FundFactory(rapid=True)
    Contribution.objects.create(
        fund=fund,
        contributor_name="Ada Giver",
        contributor_email="a@example.test",
        amount_pence=2500,
        status=ContributionStatus.RECEIVED,
    )
    Contribution.objects.create(
        fund=other,
        contributor_name="Bea Giver",
        contributor_email="b@example.test",
        amount_pence=5000,
        status=ContributionStatus.HELD,
    )
    sign_in(finance_officer())

    page = page_text(client, "/admin/contributions/")
    assert "Ada Giver" in page and "Bea Giver" in page
    page = page_text(client, f"/admin/contributions/?fund={fund.pk}")
    assert "Ada Giver" in page and "Bea Giver" not in page
    page = page_text(client, "/admin/contributions/?status=held")
    assert "Bea Giver" in page and "Ada Giver" not in page
    assert "b@example.test" not in page
