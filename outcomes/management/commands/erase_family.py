from django.core.management.base import BaseCommand, CommandError

from outcomes.models import FamilyRecord
from outcomes.services.privacy import family_erase


class Command(BaseCommand):
    help = "Erase a family's identifying details and words, keeping only anonymous counts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("reference")
        parser.add_argument(
            "--reason",
            required=True,
            help="why (for the audit trail), e.g. 'erasure request 2026-11-24'",
        )

    def handle(self, *args, reference: str, reason: str, **options) -> None:
        family = FamilyRecord.objects.filter(reference=reference).first()
        if family is None:
            raise CommandError(f"There is no family record {reference!r}.")
        family_erase(family=family, by=None, reason=reason)
        self.stdout.write(
            f"Erased {reference}. Anonymous counts are kept; the words and details are gone."
        )
