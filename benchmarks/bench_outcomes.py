"""How long the outcomes report takes over 200,000 checkpoints on PostgreSQL, and how many queries it runs.

Creates a throwaway database (seedbed_bench_outcomes_<pid>), migrates it, writes the records with
COPY (families, episodes, checkpoints and triaged issues, spread over two years, four localities and
six providers), then times `outcomes_report()` (the triage table and the case-outcome split, with
distance travelled) several times and prints the median. The database is dropped at the end.

    .venv/bin/python benchmarks/bench_outcomes.py
    .venv/bin/python benchmarks/bench_outcomes.py --checkpoints 50000 --repeat 9 --explain --keep-db

Needs PostgreSQL (127.0.0.1:5432, or BENCH_PG_* below). Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

from throwaway_db import create_database, database_url, release_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


GOAL_SECONDS = 0.5
PERIOD = (datetime.date(2024, 4, 1), datetime.date(2026, 3, 31))
LOCALITIES = ["Ashby Vale", "Millbrook", "Riverside", "Stonebridge"]
CLOSED_SHARE = 0.8  # of episodes, so there are about 1.8 checkpoints per episode


def setup_django(db_name: str) -> None:
    os.environ["DATABASE_URL"] = database_url(db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for name in ("CELERY_BROKER_URL", "REDIS_URL", "DB_CONN_MAX_AGE"):
        os.environ.pop(name, None)
    import django

    django.setup()


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def build(checkpoints: int, seed: int) -> dict[str, int]:
    """Write about `checkpoints` submitted assessments and closures with their issues."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from core.models import Locality, Organisation
    from outcomes.demo import ISSUES
    from outcomes.enums import CaseOutcome, CheckpointKind, CheckpointStatus, EpisodeStatus
    from outcomes.models import Checkpoint, Episode, FamilyRecord, Framework, TriagedIssue

    call_command("load_frameworks", stdout=io.StringIO())
    framework = Framework.objects.get(slug="early-help-triage")
    version = framework.current_version
    levels = list(framework.triage_scale.levels.order_by("order").values_list("pk", flat=True))
    localities = [
        Locality.objects.create(name=name, slug=name.lower().replace(" ", "-")).pk
        for name in LOCALITIES
    ]
    providers = [
        Organisation.objects.create(
            name=f"Provider {n}", legal_form="cic", company_number=f"0{n}000001"
        ).pk
        for n in range(1, 7)
    ]
    rng = random.Random(seed)
    outcomes = [choice.value for choice in CaseOutcome]
    outcome_weights = [53, 3, 3, 15, 12, 14]
    episodes = round(checkpoints / (1 + CLOSED_SHARE))
    start, end = PERIOD
    span = (end - start).days
    now = datetime.datetime.now(datetime.UTC)

    family_rows, episode_rows, checkpoint_rows, issue_rows = [], [], [], []
    checkpoint_id = issue_id = 0
    for n in range(1, episodes + 1):
        locality = localities[n % len(localities)]
        provider = providers[n % len(providers)]
        family_rows.append(
            (n, f"BENCH-{n:07d}", locality, provider, "", "support_only", None, False, now)
        )
        started = start + datetime.timedelta(days=rng.randrange(span))
        closed = None
        if rng.random() < CLOSED_SHARE:
            closed = started + datetime.timedelta(days=rng.randrange(30, 200))
        outcome = rng.choices(outcomes, outcome_weights)[0] if closed else ""
        status = EpisodeStatus.CLOSED if closed else EpisodeStatus.OPEN
        episode_rows.append(
            (
                n,
                n,
                f"EB-{n:07d}",
                version.pk,
                provider,
                f"Team {n % 3 + 1}",
                started,
                closed,
                outcome,
                status,
            )
        )
        for kind, recorded in (
            (CheckpointKind.ASSESSMENT, started),
            (CheckpointKind.CLOSURE, closed),
        ):
            if recorded is None:
                continue
            checkpoint_id += 1
            checkpoint_rows.append(
                (checkpoint_id, n, kind, recorded, False, None, CheckpointStatus.SUBMITTED, now)
            )
            # Fewer and lighter issues at closure, as families need less help by then.
            count = rng.randint(1, 4) if kind == CheckpointKind.ASSESSMENT else rng.randint(0, 2)
            for issue in rng.sample(ISSUES, count):
                issue_id += 1
                weights = (1, 2, 3, 3) if kind == CheckpointKind.ASSESSMENT else (4, 3, 1, 1)
                issue_rows.append((issue_id, checkpoint_id, issue, rng.choices(levels, weights)[0]))

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor, for COPY
        _copy(
            raw,
            table(FamilyRecord),
            [
                "id",
                "reference",
                "locality_id",
                "supporting_organisation_id",
                "supporting_team",
                "consent_scope",
                "consent_recorded_at",
                "legal_hold",
                "created_at",
            ],
            family_rows,
        )
        _copy(
            raw,
            table(Episode),
            [
                "id",
                "family_id",
                "reference",
                "framework_version_id",
                "provider_id",
                "team",
                "started_on",
                "closed_on",
                "outcome",
                "status",
            ],
            episode_rows,
        )
        _copy(
            raw,
            table(Checkpoint),
            [
                "id",
                "episode_id",
                "kind",
                "recorded_on",
                "self_reported",
                "assisted_by_id",
                "status",
                "submitted_at",
            ],
            checkpoint_rows,
        )
        _copy(raw, table(TriagedIssue), ["id", "checkpoint_id", "issue", "level_id"], issue_rows)
        for model in (FamilyRecord, Episode, Checkpoint, TriagedIssue):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table(model)}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would, so index-only scans can be chosen
    return {
        "families": len(family_rows),
        "episodes": len(episode_rows),
        "checkpoints": len(checkpoint_rows),
        "triaged issues": len(issue_rows),
    }


def _process_cpu(pid: int) -> float:
    """CPU seconds a process has used, from /proc (the database must be on this machine)."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(call, repeat: int) -> list[float]:
    """CPU time per run, of this process and its database backend, with parallel query off so that
    all the database's work is done by that one backend. On a busy machine wall time stretches with
    the queue for the CPUs; CPU time much less, so it shows what a quiet machine would take."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        call()
        runs = []
        for _ in range(repeat):
            started = time.process_time() + _process_cpu(backend)
            call()
            runs.append(time.process_time() + _process_cpu(backend) - started)
        return runs
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")


def measure(repeat: int, explain: bool) -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.models import Locality
    from outcomes.reports import outcomes_report
    from outcomes.selectors import (
        ReportScope,
        case_outcome_split,
        default_triage_scale,
        triage_table,
    )

    whole = ReportScope(date_from=PERIOD[0], date_to=PERIOD[1])
    one_locality = ReportScope(
        date_from=PERIOD[0],
        date_to=PERIOD[1],
        locality_id=Locality.objects.get(name="Millbrook").pk,
    )
    scale = default_triage_scale(whole)

    def timed(call) -> list[float]:
        call()  # warm the caches once, as a running server would have
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            runs.append(time.perf_counter() - started)
        return runs

    results: dict[str, object] = {}
    results["CPU: outcomes_report(), one process, no parallel workers"] = cpu_seconds(
        lambda: outcomes_report(whole), repeat
    )
    for name, call in (
        ("outcomes_report(), whole borough, two years", lambda: outcomes_report(whole)),
        ("outcomes_report(), one locality", lambda: outcomes_report(one_locality)),
        ("outcomes_report(publish=True)", lambda: outcomes_report(whole, publish=True)),
        ("triage_table() alone", lambda: triage_table(whole, scale)),
        ("case_outcome_split() alone", lambda: case_outcome_split(whole)),
    ):
        runs = timed(call)
        results[name] = runs
    counts: dict[str, int] = {}
    for name, call in (
        ("outcomes_report()", lambda: outcomes_report(whole)),
        ("triage_table()", lambda: triage_table(whole, scale)),
        ("case_outcome_split()", lambda: case_outcome_split(whole)),
    ):
        with CaptureQueriesContext(connection) as captured:
            call()
        counts[name] = len(captured.captured_queries)
        if explain and name != "outcomes_report()":
            heaviest = max(captured.captured_queries, key=lambda query: float(query["time"]))
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {heaviest['sql']}")
                print(f"\n-- plan of the heaviest query in {name}")
                for (line,) in cursor.fetchall():
                    print(line)
    report = outcomes_report(whole)
    results["queries"] = counts
    results["triages"] = report["triages"]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoints", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of each figure's query"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="leave the database for a look afterwards"
    )
    args = parser.parse_args()

    db_name = f"seedbed_bench_outcomes_{os.getpid()}"
    create_database(db_name)
    print(f"database {db_name}", flush=True)
    try:
        setup_django(db_name)
        from django.core.management import call_command
        from django.db import connections

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        built = build(args.checkpoints, args.seed)
        elapsed = time.perf_counter() - started
        print(
            "built "
            + ", ".join(f"{n:,} {name}" for name, n in built.items())
            + f" in {elapsed:.1f} s"
        )

        results = measure(args.repeat, args.explain)
        queries = results.pop("queries")
        triages = results.pop("triages")
        print(
            f"\ntriages in the period: {triages['assessment']:,} at assessment, {triages['closure']:,} at closure"
        )
        print(f"\n{'figure':<56} {'median':>9} {'min':>9} {'max':>9}   ({args.repeat} runs)")
        for name, runs in results.items():
            print(
                f"{name:<56} {statistics.median(runs):>8.3f}s {min(runs):>8.3f}s {max(runs):>8.3f}s"
            )
        print("\nqueries: " + ", ".join(f"{name} {n}" for name, n in queries.items()))
        median = statistics.median(results["outcomes_report(), whole borough, two years"])
        verdict = "within" if median < GOAL_SECONDS else "OVER"
        print(f"\noutcomes_report() median {median:.3f} s: {verdict} the {GOAL_SECONDS} s goal")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        connections.close_all()
        return 0 if median < GOAL_SECONDS else 1
    finally:
        release_database(db_name, keep=args.keep_db)


if __name__ == "__main__":
    sys.exit(main())
