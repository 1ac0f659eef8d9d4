from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outcomes.models import Framework
from outcomes.services.imports import ImportRejected, outcome_import, triage_import


class Command(BaseCommand):
    help = (
        "Import existing records from spreadsheets (CSV). --triage has one row per triaged issue: "
        "episode_ref,checkpoint,recorded_on,locality,issue,level. --outcomes has one row per closed "
        "episode: episode_ref,closed_on,outcome. Each file is all or nothing, and importing it again "
        "changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--triage", type=Path, help="triage CSV")
        parser.add_argument("--outcomes", type=Path, help="case outcomes CSV")
        parser.add_argument(
            "--framework",
            default="early-help-triage",
            help="the framework (slug) the imported episodes are recorded against",
        )

    def handle(
        self, *args, triage: Path | None, outcomes: Path | None, framework: str, **options
    ) -> None:
        if not triage and not outcomes:
            raise CommandError("Give --triage FILE.csv, --outcomes FILE.csv, or both.")
        chosen = Framework.objects.filter(slug=framework).first()
        if triage and chosen is None:
            raise CommandError(
                f"There is no framework {framework!r}. Run `manage.py load_frameworks` first, or name one "
                f"of: {', '.join(Framework.objects.values_list('slug', flat=True)) or 'none yet'}."
            )
        for path, importer in ((triage, "triage"), (outcomes, "outcomes")):
            if not path:
                continue
            if not path.exists():
                raise CommandError(f"{path} does not exist.")
            try:
                with path.open(encoding="utf-8-sig", newline="") as handle:
                    if importer == "triage":
                        report = triage_import(handle, framework=chosen, source=path.name)
                    else:
                        report = outcome_import(handle, source=path.name)
            except ImportRejected as rejected:
                lines = "\n".join(f"  - {problem}" for problem in rejected.problems[:50])
                more = len(rejected.problems) - 50
                if more > 0:
                    lines += f"\n  … and {more} more"
                raise CommandError(
                    f"{path.name} was not imported; nothing was changed:\n{lines}"
                ) from None
            except UnicodeDecodeError:
                raise CommandError(
                    f"{path.name} is not a UTF-8 CSV file. Save it as 'CSV UTF-8' and try again."
                ) from None
            self.stdout.write(f"{path.name}: {report.summary()}.")
