import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grants import open_data


class Command(BaseCommand):
    help = (
        "Write every awarded grant as 360Giving open data: the JSON data package, or with "
        "--format csv the flat form. Streams, so memory stays flat however many grants there are."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            required=True,
            help="The file to write, replaced only once it is complete; - for standard output.",
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, output: str, format: str, **options) -> None:
        chunks = open_data.csv_chunks() if format == "csv" else open_data.package_chunks()
        if output == "-":
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            self.stdout.flush()
            return
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"There is no folder {target.parent} to write {target.name} in.")
        # Written beside the target and renamed over it, so readers never see half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                for chunk in chunks:
                    file.write(chunk)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"Wrote {target}")
