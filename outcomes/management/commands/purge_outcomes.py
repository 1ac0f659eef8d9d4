import datetime

from django.core.management.base import BaseCommand, CommandError

from outcomes.services.privacy import families_purge_expired


class Command(BaseCommand):
    help = "Delete family records whose retention period has ended (those under a legal hold are kept)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", help="YYYY-MM-DD: pretend it is this day (for checking a schedule)"
        )

    def handle(self, *args, today: str | None, **options) -> None:
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"{today!r} is not a date: use YYYY-MM-DD.") from None
        report = families_purge_expired(today=day)
        self.stdout.write(
            f"Deleted {report.deleted} family records; kept {report.held} under a legal hold."
        )
