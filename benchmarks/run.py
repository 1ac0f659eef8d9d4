"""Throughput and latency of Seedbed's public pages under production settings.

Creates a throwaway PostgreSQL database, migrates it, loads the demo borough, collects static files,
starts gunicorn (2 sync workers) on a free loopback port and measures each page with wrk, each beside
a bare Django view measured just before it, so the ratio page/bare shows what the page itself costs.

    make bench                       # or: .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --duration 5 --connections 16 --keep-db

Needs PostgreSQL (127.0.0.1:5432 as root, or the BENCH_PG_* variables below), Redis (BENCH_REDIS_URL,
default database 13 on 127.0.0.1), the built front-end (make assets) and wrk (apt-get install wrk).
Every request goes to 127.0.0.1. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from throwaway_db import PG_HOST, PG_PORT, create_database, database_url, drop_database, pg_admin

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")

BARE = ("bare Django view", "/bench/bare/")
PAGES = [
    ("home page", "/"),
    ("standard page", "/accessibility-statement/"),
    ("sign-in page", "/accounts/login/"),
]

WORKERS = 2
STARTUP_TIMEOUT = 60  # seconds for gunicorn to answer /healthz
COMMAND_TIMEOUT = 900  # seconds for migrate, seed_demo or collectstatic


@dataclass
class Measurement:
    name: str
    path: str
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors, timeouts and non-2xx/3xx responses
    # CPU time spent per request by the gunicorn workers and by their PostgreSQL backends (Linux only).
    # Unlike req/s, these hardly change when other work shares the machine.
    app_cpu_ms: float | None = None
    db_cpu_ms: float | None = None


class BenchError(Exception):
    pass


# --- PostgreSQL ---------------------------------------------------------------------------------


# --- Environment and setup ----------------------------------------------------------------------


def bench_environment(db_name: str) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(64)),
            "FIELD_ENCRYPTION_SALT": secrets.token_urlsafe(32),
            "DATABASE_URL": database_url(db_name),
            "REDIS_URL": REDIS_URL,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # Settings read from the caller's shell must not change what is measured.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DB_CONN_MAX_AGE"):
        env.pop(name, None)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    print(f"  manage.py {' '.join(args)}", flush=True)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the workers go with it
    )
    process._bench_log = log  # type: ignore[attr-defined]
    return process


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass
    process._bench_log.close()  # type: ignore[attr-defined]


def fetch(url: str, timeout: float = 5) -> tuple[int, bytes]:
    # Redirects are not followed: a page that redirects is a setup error, not a result.
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_healthy(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            status, body = fetch(f"{base}/healthz", timeout=2)
            if status == 200:
                return
            last = f"{status} {body[:300]!r}"
        except OSError as error:
            last = str(error)
        time.sleep(0.25)
    raise BenchError(f"/healthz did not answer 200 within {STARTUP_TIMEOUT}s: {last}")


FAMILY_LINK_SCRIPT = """
import datetime
from django.utils import timezone
from outcomes.enums import CheckpointKind, EpisodeStatus
from outcomes.models import CheckpointLink, Episode
from outcomes.services.links import link_token
episode = Episode.objects.filter(status=EpisodeStatus.OPEN).order_by("pk").first()
link = CheckpointLink.objects.create(
    episode=episode, kind=CheckpointKind.REVIEW,
    expires_at=timezone.now() + datetime.timedelta(days=14),
)
print("/my-story/" + link_token(link) + "/")
"""


def family_story_path(env: dict[str, str]) -> str:
    """A family's self-report start page, through a real signed link made in the demo data."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", FAMILY_LINK_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("/my-story/")]
    if result.returncode != 0 or not lines:
        raise BenchError(f"could not make a family link:\n{result.stderr[-2000:]}")
    return lines[-1]


def check_pages(base: str) -> None:
    for name, path in [BARE, *PAGES]:
        status, body = fetch(base + path)
        if status != 200:
            raise BenchError(f"{name} ({path}) answered {status}, not 200: {body[:300]!r}")


# --- CPU accounting (Linux /proc) -----------------------------------------------------------------

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds; 0 if it has gone or cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


class CpuMeter:
    """Reads the CPU time used so far by the gunicorn workers and by their database backends."""

    def __init__(self, gunicorn_pid: int, db_name: str):
        self.gunicorn_pid = gunicorn_pid
        self.db_name = db_name
        self.available = os.path.exists(f"/proc/{gunicorn_pid}/stat") and PG_HOST in (
            "127.0.0.1",
            "localhost",
        )

    def _backend_pids(self) -> list[int]:
        with pg_admin() as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.db_name],
            ).fetchall()
        return [row[0] for row in rows]

    def read(self) -> dict[int, float] | None:
        if not self.available:
            return None
        app = {pid: _cpu_seconds(pid) for pid in _children(self.gunicorn_pid)}
        db = {-pid: _cpu_seconds(pid) for pid in self._backend_pids()}  # negative: database
        return {**app, **db}

    @staticmethod
    def per_request(before, after, requests: int) -> tuple[float | None, float | None]:
        if before is None or after is None or not requests:
            return None, None
        app = sum(after[p] - before.get(p, 0.0) for p in after if p > 0)
        db = sum(after[p] - before.get(p, 0.0) for p in after if p < 0)
        return round(app * 1000 / requests, 3), round(db * 1000 / requests, 3)


# --- wrk ----------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not match:
        raise BenchError(f"cannot read wrk latency {value!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str, name: str, path: str) -> Measurement:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)(?:\.0+)?%\s+(\S+)", output, re.MULTILINE))
    if not rps or not total or "50" not in percentiles:
        raise BenchError(f"cannot read wrk's output:\n{output}")
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    # wrk prints 50/75/90/99; p95 comes from the Lua summary below when present.
    p95 = re.search(r"^p95_us\s+([\d.]+)", output, re.MULTILINE)
    return Measurement(
        name=name,
        path=path,
        requests_per_second=float(rps.group(1)),
        p50_ms=_ms(percentiles["50"]),
        p95_ms=float(p95.group(1)) / 1000 if p95 else float("nan"),
        p99_ms=_ms(percentiles["99"]) if "99" in percentiles else float("nan"),
        requests=int(total.group(1)),
        errors=errors,
    )


# wrk's --latency prints 50/75/90/99 only; this summary adds the 95th percentile.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
end
"""


def run_wrk(
    wrk: str,
    url: str,
    *,
    seconds: float,
    connections: int,
    threads: int,
    script: Path,
) -> str:
    result = subprocess.run(
        [
            wrk,
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={max(1, round(seconds))}s",
            "--timeout=5s",
            "--latency",
            f"--script={script}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return result.stdout


def measure(
    wrk: str,
    base: str,
    name: str,
    path: str,
    args: argparse.Namespace,
    script: Path,
    meter: CpuMeter,
) -> Measurement:
    options = {"connections": args.connections, "threads": args.threads, "script": script}
    if args.warmup > 0:
        run_wrk(wrk, base + path, seconds=args.warmup, **options)
    # The warm-up opened every database connection, so each backend is counted from here on.
    before = meter.read()
    output = run_wrk(wrk, base + path, seconds=args.duration, **options)
    after = meter.read()
    result = parse_wrk(output, name, path)
    result.app_cpu_ms, result.db_cpu_ms = CpuMeter.per_request(before, after, result.requests)
    cpu = (
        f"  CPU/req app {result.app_cpu_ms:.2f} ms, db {result.db_cpu_ms:.2f} ms"
        if result.app_cpu_ms is not None
        else ""
    )
    print(
        f"  {name:<18} {result.requests_per_second:>9,.0f} req/s  "
        f"p50 {result.p50_ms:6.2f} ms  p95 {result.p95_ms:6.2f} ms"
        + cpu
        + (f"  {result.errors} errors" if result.errors else ""),
        flush=True,
    )
    return result


# --- Report -------------------------------------------------------------------------------------


def _cpu(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(rows: list[dict]) -> str:
    header = (
        f"{'page':<14} {'path':<26} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'bare req/s':>10} {'page/bare':>9} {'CPU ms/req':>10} {'(db)':>5} {'errors':>6}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        page, bare = row["page"], row["bare"]
        lines.append(
            f"{page['name']:<14} {page['path']:<26} {page['requests_per_second']:>7,.0f}"
            f" {page['p50_ms']:>7.2f} {page['p95_ms']:>7.2f}"
            f" {bare['requests_per_second']:>10,.0f} {row['ratio']:>9.3f}"
            f" {_cpu(page['app_cpu_ms']):>10} {_cpu(page['db_cpu_ms']):>5}"
            f" {page['errors'] + bare['errors']:>6}"
        )
    bare_cpu = [row["bare"]["app_cpu_ms"] for row in rows if row["bare"]["app_cpu_ms"] is not None]
    if bare_cpu:
        lines.append(f"bare Django view: {min(bare_cpu):.2f} CPU ms/req")
    lines.append("CPU ms/req: gunicorn workers' CPU per request; (db): their PostgreSQL backends'.")
    return "\n".join(lines)


def machine() -> dict:
    info: dict = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(meminfo.readline().split()[1])
        info["memory_gb"] = round(kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return info


def versions(env: dict[str, str]) -> dict:
    code = (
        "import django, wagtail, gunicorn, psycopg, json;"
        "print(json.dumps({'django': django.__version__, 'wagtail': wagtail.__version__,"
        " 'gunicorn': gunicorn.__version__, 'psycopg': psycopg.__version__}))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    result = json.loads(found.stdout) if found.returncode == 0 else {}
    try:
        with pg_admin() as conn:
            result["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # a version is nice to have, not needed
        result["postgresql"] = f"unknown ({type(error).__name__})"
    wrk_version = subprocess.run(
        [shutil.which("wrk") or "wrk", "--version"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    result["wrk"] = (wrk_version.stdout or wrk_version.stderr).split("\n")[0].strip()
    return result


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per URL (default 10)")
    parser.add_argument(
        "--connections", type=int, default=8, help="concurrent connections (default 8)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--warmup", type=float, default=2, help="seconds of warm-up per URL (default 2; 0 for none)"
    )
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="keep the database afterwards and print its DATABASE_URL",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    if not 1 <= args.connections <= 1000:
        parser.error("--connections must be between 1 and 1000")
    if not 1 <= args.threads <= args.connections:
        parser.error("--threads must be between 1 and --connections")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60 seconds")
    return args


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if not wrk:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    try:
        import psycopg  # noqa: F401
    except ImportError:
        print("psycopg is not installed: run make install", file=sys.stderr)
        return 2

    # SIGTERM (and SIGHUP) clean up like Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)

    db_name = f"seedbed_bench_{os.getpid()}"
    env = bench_environment(db_name)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS_DIR / "gunicorn.log"
    script = RESULTS_DIR / "wrk-p95.lua"
    script.write_text(WRK_SCRIPT)
    started = datetime.datetime.now().astimezone()
    machine_info = machine()
    gunicorn = None
    db_created = False
    try:
        print(f"Database {db_name} on {PG_HOST}:{PG_PORT}", flush=True)
        try:
            create_database(db_name)
        except Exception as error:
            raise BenchError(
                f"cannot create the database (is PostgreSQL running?): {error}"
            ) from error
        db_created = True
        manage(env, "migrate", "--no-input")
        # Before seed_demo: the demo grant agreements are PDFs whose stylesheet is found through
        # the static files manifest.
        manage(env, "collectstatic", "--no-input")
        manage(env, "seed_demo")
        PAGES.append(("family self-report", family_story_path(env)))

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        print(f"gunicorn, {WORKERS} sync workers, on {base}", flush=True)
        gunicorn = start_gunicorn(env, port, log_path)
        wait_until_healthy(base, gunicorn, log_path)
        check_pages(base)

        print(
            f"wrk: {args.duration:g}s per URL after {args.warmup:g}s warm-up, "
            f"{args.connections} connections, {args.threads} threads",
            flush=True,
        )
        meter = CpuMeter(gunicorn.pid, db_name)
        rows = []
        for name, path in PAGES:
            bare = measure(wrk, base, *BARE, args, script, meter)
            page = measure(wrk, base, name, path, args, script, meter)
            ratio = page.requests_per_second / bare.requests_per_second
            rows.append({"page": asdict(page), "bare": asdict(bare), "ratio": round(ratio, 4)})

        report = {
            "date": started.date().isoformat(),
            "started_at": started.isoformat(timespec="seconds"),
            "settings": "config.settings.bench",
            "server": f"gunicorn, {WORKERS} sync workers",
            "wrk": {
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "connections": args.connections,
                "threads": args.threads,
            },
            "machine": {**machine_info, "load_average_at_end": list(os.getloadavg())},
            "versions": versions(env),
            "results": rows,
        }
        out = RESULTS_DIR / f"{report['date']}.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
        print()
        print(table(rows))
        print()
        load = machine_info["load_average_at_start"][0]
        if load > 0.5 * (os.cpu_count() or 1):
            print(
                f"Warning: the load average was {load:.1f} on {os.cpu_count()} CPUs when this began; "
                "other work was sharing the machine, so req/s are lower than an idle machine gives. "
                "Compare page/bare and CPU ms/req rather than req/s."
            )
        else:
            print(f"Load average at start: {load:.1f} on {os.cpu_count()} CPUs.")
        print(f"Written to {out.relative_to(ROOT)}")
        return 0
    except BenchError as error:
        print(f"\nbenchmark failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        # Ignore further interrupts while cleaning up, so the database is always dropped.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        if db_created:
            if args.keep_db:
                print(f"Kept the database: DATABASE_URL={database_url(db_name)}")
            else:
                print(f"Dropping database {db_name}", flush=True)
                try:
                    drop_database(db_name)
                except Exception as error:  # say so, and still exit
                    print(f"could not drop database {db_name}: {error}", file=sys.stderr)
        script.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
