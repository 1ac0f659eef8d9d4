"""Compare the ledger with Stripe for a period; print and store every difference. It never
corrects anything: that is a person's decision, recorded as a new ledger entry."""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.money import format_pence
from payments.services.reconciliation import reconcile
from payments.stripe_api import stripe_configured


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date like 2026-04-30.") from None


class Command(BaseCommand):
    help = "Compare the ledger with Stripe's balance transactions between two dates (inclusive)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, type=_date)
        parser.add_argument("--to", dest="date_to", required=True, type=_date)

    def handle(self, *args, date_from: datetime.date, date_to: datetime.date, **options) -> None:
        if date_to < date_from:
            raise CommandError("--to must be on or after --from.")
        if not stripe_configured():
            raise CommandError("Set STRIPE_SECRET_KEY to compare the ledger with Stripe.")
        result = reconcile(date_from=date_from, date_to=date_to)
        if result.failed:
            raise CommandError(f"Stripe could not be read: {result.failed}")
        items = list(result.items.all())
        self.stdout.write(
            f"Reconciliation {result.pk}: {date_from} to {date_to}. "
            f"{result.stripe_items} Stripe item(s), {result.ledger_items} ledger entr(ies), "
            f"{result.matched_items} matched. Stripe fees {format_pence(result.fees_pence)}; "
            f"paid out to the council's bank {format_pence(result.payouts_to_council_pence)}."
        )
        if not items:
            self.stdout.write(self.style.SUCCESS("Clean: the ledger and Stripe agree."))
            return
        self.stdout.write(self.style.WARNING(f"{len(items)} difference(s):"))
        for item in items:
            self.stdout.write(f"  [{item.get_kind_display()}] {item.description}")
