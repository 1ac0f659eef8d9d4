"""The demo borough's money: gifts from two funders, a philanthropist and a local person, a match
pledge partly drawn down, a completed BACS payment run with one payment the bank returned, and a
stored reconciliation with one difference to look at. Reached through the same services people
use; Stripe's side is played by the answers its webhooks would bring."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.models import Organisation, User
from grants import ledger
from grants.demo import S, _application, _walk
from grants.enums import DecisionRoute, SourceKind
from grants.models import Fund, FundingSource
from payments.enums import ReconciliationKind
from payments.models import Contribution, PaymentRun, Reconciliation, ReconciliationItem
from payments.services import accounts, contributions, runs


def _gift(fund: Fund, amount: int, name: str, email: str, source: FundingSource | None) -> None:
    """A gift as Stripe would bring it: the Checkout session is opened, then paid."""
    contribution = contributions.contribution_start(
        fund=fund, amount_pence=amount, name=name, email=email, source=source
    )
    session_id = f"cs_demo_{contribution.pk:04d}"
    contribution.open_checkout(session_id=session_id)
    contribution.save()
    contributions.contribution_sync(
        {
            "id": session_id,
            "status": "complete",
            "payment_status": "paid",
            "amount_total": amount,
            "currency": "gbp",
            "payment_intent": f"pi_demo_{contribution.pk:04d}",
            "metadata": {"contribution": str(contribution.pk)},
        }
    )


def _confirmed_bank_details(organisation: Organisation, finance: User, index: int) -> None:
    volunteer = organisation.memberships.select_related("user").first().user
    details = accounts.bank_details_save(
        organisation,
        by=volunteer,
        account_name=organisation.name,
        sort_code=f"40-11-{60 + index:02d}",
        account_number=f"{31926810 + index * 7:08d}",
    )
    accounts.bank_details_confirm(
        details, by=finance, note=f"Telephoned the treasurer of {organisation.name}."
    )


@transaction.atomic
def seed_payments() -> None:
    if PaymentRun.objects.exists() or Contribution.objects.exists():
        return
    officer = User.objects.get(email="officer@demo.seedbed.test")
    finance = User.objects.get(email="finance@demo.seedbed.test")
    funder_user = User.objects.get(email="funder@demo.seedbed.test")
    Fund.objects.update(accepts_contributions=True)
    rapid = Fund.objects.get(route=DecisionRoute.RAPID)
    ashby = Fund.objects.get(slug="ashby-vale-community-matters-fund")

    trust = FundingSource.objects.get(name="Harrowgate Family Trust")
    trust.user = funder_user
    trust.save(update_fields=["user"])
    lottery = FundingSource.objects.get(name="Brackenford Community Lottery")
    philanthropist = FundingSource.objects.create(
        name="Dr Amara Okafor", kind=SourceKind.PHILANTHROPIST
    )
    _gift(rapid, 500_000, "Harrowgate Family Trust", "grants@harrowgate.example", trust)
    _gift(ashby, 250_000, "Brackenford Community Lottery", "fund@bclottery.example", lottery)
    _gift(ashby, 100_000, "Dr Amara Okafor", "amara@okafor.example", philanthropist)
    _gift(ashby, 2_500, "Sam Patel", "sam.patel@example.com", None)

    ledger.pledge_match(
        fund=ashby,
        source=trust,
        amount_pence=500_000,
        by=officer,
        memo="Harrowgate Family Trust will match local giving up to £5,000",
    )
    ledger.draw_match(
        fund=ashby,
        source=trust,
        amount_pence=102_500,
        by=officer,
        memo="Matching the first gifts from local people",
    )

    # Three awards paid by one BACS run, prepared by the grants officer and approved by finance.
    organisations = list(Organisation.objects.order_by("pk"))[:3]
    for index, organisation in enumerate(organisations):
        application, volunteer = _application(
            rapid, organisation, 20 + index, 40_000 + index * 15_000
        )
        _walk(application, volunteer, officer, S.AGREEMENT_ACCEPTED)
        _confirmed_bank_details(organisation, finance, index)
    run, _held = runs.run_prepare(fund=rapid, by=officer, pay_on=timezone.localdate())
    runs.run_submit(run, by=officer)
    runs.run_approve(run, by=finance)
    runs.bacs_submitted(run, by=finance)
    returned = run.payments.order_by("pk").last()
    runs.payment_return(
        returned, by=finance, reason="Returned by the bank: account closed (ARUCS code 0)"
    )

    today = timezone.localdate()
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    reconciliation = Reconciliation.objects.create(
        period_from=last_month_end.replace(day=1),
        period_to=last_month_end,
        ran_by=finance,
        stripe_items=5,
        ledger_items=4,
        matched_items=4,
        fees_pence=14_230,
        payouts_to_council_pence=838_270,
    )
    ReconciliationItem.objects.create(
        reconciliation=reconciliation,
        kind=ReconciliationKind.MISSING_FROM_LEDGER,
        stripe_reference="pi_demo_unmatched",
        stripe_pence=2_000,
        description="Stripe has £20.00 for pi_demo_unmatched; our ledger has nothing.",
    )
