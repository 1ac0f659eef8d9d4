from pathlib import Path

from django.core.management.base import BaseCommand

from outcomes.services.frameworks import frameworks_load


class Command(BaseCommand):
    help = (
        "Load the shipped outcomes frameworks, triage scale and codebook (or the JSON files given). "
        "Safe to run again: a framework whose domains changed gets a new version."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args, files: list[Path], **options) -> None:
        summary = frameworks_load(files or None)
        for name in summary.created:
            self.stdout.write(f"Added {name}")
        for name in summary.new_versions:
            self.stdout.write(f"New version of {name}")
        for name in summary.unchanged:
            self.stdout.write(f"{name} is up to date")
