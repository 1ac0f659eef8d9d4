"""The people, funds, gifts and awards the payment stories start from, made through the real
services so each test begins where its story begins."""

from django.urls import reverse
from django.utils import timezone

from core.enums import Role
from core.models import User
from grants import ledger
from grants.enums import ApplicationStatus, LedgerKind, PayoutMethod
from grants.models import Application, Fund, LedgerEntry
from payments.models import BankDetails, ConnectedAccount, Contribution, Payment, PaymentRun
from payments.services import accounts, runs
from tests.factories.core import OrganisationMembershipFactory, UserFactory
from tests.factories.grants import ApplicationFactory, FundFactory, application_in, grants_officer


def finance_officer(**kwargs) -> User:
    """Someone in the finance team, with exactly what the role gives finance officers."""
    return UserFactory(with_mfa=True, roles=(Role.FINANCE_OFFICER,), staff=True, **kwargs)


def grants_and_finance_officer(*, locality) -> User:
    """An officer who makes awards and also sits in the finance team."""
    from core.roles import role_group

    officer = grants_officer(locality=locality)
    officer.groups.add(role_group(Role.FINANCE_OFFICER))
    return User.objects.get(pk=officer.pk)  # without the permissions cached before


# ----- money in ------------------------------------------------------------------------------


def giving_fund(**kwargs) -> Fund:
    """A fund the public can give to online, holding £10,000 of the council's money."""
    return FundFactory(rapid=True, accepts_contributions=True, **kwargs)


def give(
    client, fund: Fund, *, pounds: str = "50", extra: dict | None = None, **posted
) -> Contribution:
    """A member of the public fills in the give page and is sent on to Stripe's Checkout.
    `extra` is anything else posted with the form, as someone editing the page might."""
    data = {"amount": "other", "other_amount": pounds, "name": "Priya Shah"}
    data |= {"email": "priya@example.test", **posted, **(extra or {})}
    response = client.post(reverse("payments:give", args=[fund.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith("https://checkout.stripe.test/")
    return Contribution.objects.get(stripe_checkout_session_id=response["Location"].split("/")[-1])


def gifts_received(fund: Fund) -> list[LedgerEntry]:
    return list(fund.ledger.filter(kind=LedgerKind.CONTRIBUTION_RECEIVED))


# ----- money out -----------------------------------------------------------------------------


def stripe_fund(**kwargs) -> Fund:
    return FundFactory(rapid=True, payout_method=PayoutMethod.STRIPE_CONNECT, **kwargs)


def bacs_fund(**kwargs) -> Fund:
    return FundFactory(rapid=True, payout_method=PayoutMethod.BACS, **kwargs)


def award_ready_to_pay(fund: Fund, *, amount_pence: int = 50000, officer=None) -> Application:
    """An award whose agreement the group has accepted: one payment, due today."""
    return application_in(
        ApplicationStatus.AGREEMENT_ACCEPTED,
        application=ApplicationFactory(fund=fund, amount_requested_pence=amount_pence),
        officer=officer,
    )


def stripe_account_ready(fake_stripe, application: Application) -> ConnectedAccount:
    """The group sets up its Stripe account on Stripe's pages and comes back able to be paid."""
    organisation = application.organisation
    member = organisation.memberships.first().user
    accounts.onboarding_link(
        organisation,
        by=member,
        return_url="https://seedbed.test/back",
        refresh_url="https://seedbed.test/again",
    )
    account = ConnectedAccount.objects.get(organisation=organisation)
    fake_stripe.enable_account(account.stripe_account_id)
    return accounts.connect_refresh(account)


def bank_details_confirmed(application: Application, *, confirmed_by: User) -> BankDetails:
    """The group enters its bank details; an officer rings them and confirms."""
    organisation = application.organisation
    member = organisation.memberships.first().user
    details = accounts.bank_details_save(
        organisation,
        by=member,
        account_name="Riverside Café Collective",
        sort_code="20-00-00",
        account_number="55779911",
    )
    return accounts.bank_details_confirm(
        details, by=confirmed_by, note="Rang the treasurer on the number we hold."
    )


def run_prepared(fund: Fund, *, preparer: User) -> PaymentRun:
    """A run of everything due today, sent for approval."""
    run, held = runs.run_prepare(fund=fund, by=preparer, pay_on=timezone.localdate())
    assert held == [], held
    return runs.run_submit(run, by=preparer)


def run_approved(fund: Fund, *, preparer: User, approver: User, after_commit) -> PaymentRun:
    """A run of everything due today, prepared by one finance officer and approved by another.
    `after_commit` is django_capture_on_commit_callbacks: what the approval queues runs once it
    commits, as a worker would run it."""
    run = run_prepared(fund, preparer=preparer)
    with after_commit(execute=True):
        runs.run_approve(run, by=approver)
    run.refresh_from_db()
    return run


def payment_entries(application: Application, kind: str) -> list[LedgerEntry]:
    return list(application.ledger_entries.filter(kind=kind))


def the_payment(application: Application) -> Payment:
    return Payment.objects.get(application=application)


def member_of(application: Application) -> User:
    return OrganisationMembershipFactory(organisation=application.organisation).user


def figures_agree_with_ledger(fund: Fund) -> bool:
    fund.refresh_from_db()
    return ledger.totals_from_ledger(fund) == ledger.FundTotals(
        budget_pence=fund.budget_pence,
        committed_pence=fund.committed_pence,
        paid_pence=fund.paid_pence,
    )
