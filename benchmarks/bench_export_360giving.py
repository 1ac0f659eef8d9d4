"""How long `manage.py export_360giving` takes over 20,000 awarded grants on PostgreSQL, and how much
memory it needs while it streams them.

Creates a throwaway database (seedbed_bench_360g_<pid>), migrates it, writes five funds (four
localities and a borough-wide one), 6,000 groups (a third registered charities, a third companies,
the rest unregistered) and 20,000 awarded grants with `bulk_create`, then runs the export to a file
several times and prints the median time, the CPU time, the peak of memory allocated during one
export (tracemalloc) and the process's peak resident size. The database is dropped at the end.

    .venv/bin/python benchmarks/bench_export_360giving.py
    .venv/bin/python benchmarks/bench_export_360giving.py --grants 50000 --repeat 3 --keep-db

Needs PostgreSQL (127.0.0.1:5432, or BENCH_PG_* below). Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from throwaway_db import create_database, database_url, release_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 5.0
LOCALITIES = ["Ashby Vale", "Millbrook", "Riverside", "Stonebridge"]
ORGANISATIONS = 6000
BATCH = 2000


def setup_django(db_name: str) -> None:
    os.environ["DATABASE_URL"] = database_url(db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for name in ("CELERY_BROKER_URL", "REDIS_URL", "DB_CONN_MAX_AGE"):
        os.environ.pop(name, None)
    import django

    django.setup()


def build(grants: int, seed: int) -> dict[str, int]:
    """Write `grants` awarded applications, spread over five funds and 6,000 groups."""
    from django.db import transaction

    from core.enums import LegalForm
    from core.models import Locality, Organisation
    from grants.enums import AWARDED_STATES, DecisionRoute
    from grants.models import Application, Fund

    rng = random.Random(seed)
    with transaction.atomic():
        localities = [
            Locality.objects.create(name=name, slug=name.lower().replace(" ", "-"))
            for name in LOCALITIES
        ]
        funds = [
            Fund.objects.create(
                name=f"{locality.name} Community Fund",
                slug=f"{locality.slug}-2026",
                locality=locality,
                financial_year=2026,
                summary="Small grants for groups that bring people together.",
                route=DecisionRoute.BOARD,
                is_rolling=True,
            )
            for locality in localities
        ]
        funds.append(
            Fund.objects.create(
                name="Brackenford Together",
                slug="together-2026",
                financial_year=2026,
                summary="Rapid help for groups anywhere in the borough.",
                route=DecisionRoute.RAPID,
                delegated_limit_pence=200000,
                is_rolling=True,
            )
        )
        organisations = []
        for n in range(1, ORGANISATIONS + 1):
            kind = n % 3
            organisations.append(
                Organisation(
                    name=f"Community Group {n}",
                    legal_form=(
                        LegalForm.CHARITY
                        if kind == 0
                        else LegalForm.CIC
                        if kind == 1
                        else LegalForm.UNINCORPORATED
                    ),
                    charity_number=f"1{n:06d}" if kind == 0 else "",
                    company_number=f"{n:08d}" if kind == 1 else "",
                    postcode=f"BF{n % 9 + 1} {n % 10}AB",
                )
            )
        organisations = Organisation.objects.bulk_create(organisations, batch_size=BATCH)
        start = datetime.datetime(2024, 4, 1, 9, 0, tzinfo=datetime.UTC)
        states = list(AWARDED_STATES)
        applications = []
        for n in range(1, grants + 1):
            decided = start + datetime.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            planned_start = decided.date() + datetime.timedelta(days=rng.randrange(14, 60))
            applications.append(
                Application(
                    reference=f"{24 + n % 2}-{n:06d}",
                    fund=funds[n % len(funds)],
                    organisation=organisations[rng.randrange(len(organisations))],
                    title=f"Community activity {n}",
                    summary="Weekly sessions for families, with a play corner and a hot meal.",
                    amount_requested_pence=rng.randrange(10000, 500000),
                    amount_awarded_pence=rng.randrange(10000, 500000),
                    status=states[n % len(states)],
                    submitted_at=decided - datetime.timedelta(days=20),
                    decided_at=decided,
                    planned_start_on=planned_start,
                    planned_end_on=planned_start + datetime.timedelta(days=rng.randrange(30, 365)),
                )
            )
            if len(applications) >= BATCH:
                Application.objects.bulk_create(applications)
                applications = []
        if applications:
            Application.objects.bulk_create(applications)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"funds": len(funds), "organisations": len(organisations), "grants": grants}


def _process_cpu(pid: int) -> float:
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


def measure(repeat: int, target: Path) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def export() -> None:
        call_command("export_360giving", output=str(target), stderr=io.StringIO())

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()

    export()  # warm up, as a running server would be
    wall, cpu = [], []
    for _ in range(repeat):
        started_cpu = time.process_time() + _process_cpu(backend)
        started = time.perf_counter()
        export()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() + _process_cpu(backend) - started_cpu)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    export()
    traced_seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    with CaptureQueriesContext(connection) as captured:
        export()
    package = json.loads(target.read_text(encoding="utf-8"))
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_bytes": peak,
        "traced_seconds": traced_seconds,
        "rss_kib": (rss_before, rss_after),
        "queries": len(captured.captured_queries),
        "grants_written": len(package["grants"]),
        "file_bytes": target.stat().st_size,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep-db", action="store_true", help="leave the database for a look afterwards"
    )
    args = parser.parse_args()

    db_name = f"seedbed_bench_360g_{os.getpid()}"
    create_database(db_name)
    print(f"database {db_name}", flush=True)
    try:
        setup_django(db_name)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
        settings.DEBUG = False  # measure without the debug cursor's query log, as in production
        started = time.perf_counter()
        built = build(args.grants, args.seed)
        print(
            "built "
            + ", ".join(f"{n:,} {name}" for name, n in built.items())
            + f" in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        with tempfile.TemporaryDirectory() as folder:
            results = measure(args.repeat, Path(folder) / "360giving.json")
        wall, cpu = results["wall"], results["cpu"]
        median = statistics.median(wall)
        print(f"\nexport_360giving, {results['grants_written']:,} grants, {args.repeat} runs")
        print(f"  wall time      median {median:.2f} s  (min {min(wall):.2f}, max {max(wall):.2f})")
        print(
            f"  CPU time       median {statistics.median(cpu):.2f} s  (this process + its database backend)"
        )
        print(
            f"  peak allocated {results['peak_bytes'] / 2**20:.1f} MiB during one export "
            f"(tracemalloc; that run took {results['traced_seconds']:.2f} s)"
        )
        before, after = results["rss_kib"]
        print(f"  peak RSS       {after / 1024:.0f} MiB (was {before / 1024:.0f} MiB before it)")
        print(f"  output         {results['file_bytes'] / 2**20:.1f} MiB")
        print(f"  queries        {results['queries']}")
        verdict = "within" if median < GOAL_SECONDS else "OVER"
        print(f"\nmedian {median:.2f} s: {verdict} the {GOAL_SECONDS:.0f} s goal")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        connections.close_all()
        return 0 if median < GOAL_SECONDS else 1
    finally:
        release_database(db_name, keep=args.keep_db)


if __name__ == "__main__":
    sys.exit(main())
