import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from core.models import Locality, Organisation
from grants.models import Fund
from outcomes.models import Framework
from outcomes.reports import outcomes_report
from outcomes.selectors import ReportScope


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Print the outcomes report (triage table, case outcomes, distance travelled) for a period."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--locality", help="locality name")
        parser.add_argument("--provider", help="organisation name")
        parser.add_argument("--team", default="")
        parser.add_argument("--framework", help="framework slug")
        parser.add_argument("--fund", help="fund name: help given by groups it has funded")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="suppress counts under 5, for reports that leave the organisation",
        )

    def handle(self, *args, **options) -> None:
        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        if date_to < date_from:
            raise CommandError("--to is before --from.")
        scope = ReportScope(
            date_from=date_from,
            date_to=date_to,
            locality_id=self._find(Locality, "name", options["locality"], "locality"),
            provider_id=self._find(Organisation, "name", options["provider"], "provider"),
            team=options["team"],
            framework_id=self._find(Framework, "slug", options["framework"], "framework"),
            fund_id=self._find(Fund, "name", options["fund"], "fund"),
        )
        report = outcomes_report(scope, publish=options["publish"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(
            f"Triages: {report['triages']['assessment']} at assessment, {report['triages']['closure']} at closure"
        )
        for key, row in report["levels"].items():
            a, c = row["assessment"], row["closure"]
            self.stdout.write(
                f"  {key:<8} {a['count']!s:>6} ({a['percent']}%)  {c['count']!s:>6} ({c['percent']}%)  {row['change']}"
            )
        self.stdout.write("Case outcomes:")
        for key, count in report["case_outcomes"].items():
            self.stdout.write(f"  {key:<16} {count}")

    def _find(self, model, field: str, value: str | None, label: str) -> int | None:
        if not value:
            return None
        found = (
            model.objects.filter(**{f"{field}__iexact": value}).values_list("pk", flat=True).first()
        )
        if found is None:
            raise CommandError(f"There is no {label} called {value!r}.")
        return found
