import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.outbox import DISPATCH_BATCH, PENDING_GRACE, outbox_dispatch_pending


class Command(BaseCommand):
    help = (
        "Queue the tasks still waiting in the outbox (the broker was down when they were first "
        "sent). The beat does this every minute; safe to run at any time, and again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=int(PENDING_GRACE.total_seconds()),
            metavar="SECONDS",
            help="Only tasks waiting at least this long; younger ones are still being sent by "
            "the request that made them (default: %(default)s).",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=DISPATCH_BATCH,
            help="Tasks sent per database transaction (default: %(default)s).",
        )

    def handle(self, *args, **options) -> None:
        older_than = datetime.timedelta(seconds=max(options["older_than"], 0))
        sent = 0
        while True:
            run = outbox_dispatch_pending(older_than=older_than, limit=options["batch"])
            sent += run.sent
            if run.failed:
                raise CommandError(
                    f"Queued {sent}; {run.pending} still waiting. The broker refused a task: "
                    "see the warnings above, or the last error on Settings → Queued tasks."
                )
            if run.sent < options["batch"]:
                break
        self.stdout.write(self.style.SUCCESS(f"Queued {sent}; {run.pending} still waiting."))
