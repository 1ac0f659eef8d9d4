"""The grants pages under load: the officer's list of applications, the applicant's dashboard,
sending an application, and a rush of 500 groups sending theirs at once.

Builds the same server as run.py (a throwaway PostgreSQL database with the demo borough, production
settings over plain HTTP, gunicorn with 2 sync workers on 127.0.0.1) and then:

1. writes applications with `bulk_create` (spread over the officer's funds, every status and 400
   groups, with references) until the demo officer (Ashby Vale and Millbrook) sees 1,000, measures
   `/admin/grant-applications/` (60 a page) with wrk, then tops them up to 10,000 and measures it
   again; a quarter as many again go to the other localities' funds, which the officer must not
   see. The SQL queries of one request are counted at both sizes (Django's test client in this
   process, against the same database) and must be the same;
2. measures the demo applicant's dashboard `/applications/` with wrk;
3. makes complete drafts in Ashby Vale's board fund, whose round is open (with `application_start`
   and `draft_save`, for groups of one new applicant each), loads each draft's check-answers page
   for its CSRF token, then sends them one at a time (POST `/applications/<pk>/submit/`) and times
   each request;
4. the rush: 500 more applicants, each with their own group and draft, send at once from a pool of
   50 threads. Every request must be answered with the redirect to its confirmation, exactly 500
   applications must be submitted afterwards, and all within 60 seconds.

Signed-in requests carry a session made directly in the session store, as a completed sign-in
leaves it (with the two-step sign-in flag for the officer). The confirmation e-mails are queued on
the Redis broker, as in production (no worker runs); the ones this run queued are removed at the
end, and the database is dropped, also on Ctrl-C. It prints a table with each target and whether it
was met, and writes the figures as JSON to benchmarks/results/grants-<date>.json. The exit status
is 1 if something went wrong (an error, a wrong count, different query counts at the two sizes),
not for missing a speed target, which depends on the machine.

    .venv/bin/python benchmarks/bench_grants.py
    .venv/bin/python benchmarks/bench_grants.py --duration 5 --drafts 50 --rush 200 --keep-db

Needs what run.py needs: PostgreSQL (BENCH_PG_*), Redis (BENCH_REDIS_URL), the built front-end and
wrk. Every request goes to 127.0.0.1. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from run import (
    WORKERS,
    BenchError,
    CpuMeter,
    Measurement,
    bench_environment,
    free_port,
    machine,
    manage,
    measure,
    start_gunicorn,
    stop_gunicorn,
    versions,
    wait_until_healthy,
)
from throwaway_db import PG_HOST, PG_PORT, create_database, database_url, drop_database

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"

OFFICER = "officer@demo.seedbed.test"
APPLICANT = "applicant@demo.seedbed.test"
OFFICER_LIST = "/admin/grant-applications/"
DASHBOARD = "/applications/"
PER_PAGE = 60  # ApplicationViewSet.list_per_page

GOAL_LIST_RPS = 200
GOAL_DASHBOARD_RPS = 300
GOAL_SUBMIT_P50_MS = 25
GOAL_RUSH_SECONDS = 60

LIST_ORGANISATIONS = 400
BATCH = 2000
AMOUNT = 250_000  # £2,500: above the short-form limit, so the full form and a budget are needed
ANSWERS = {
    "need": "Families here tell us they feel on their own, especially in winter.",
    "difference": "Parents meet each other and find out about the family hub.",
    "people": 30,
    "safeguarding": "yes",
}
BUDGET = [("Venue hire", AMOUNT // 2), ("Materials and refreshments", AMOUNT - AMOUNT // 2)]

# How often each status turns up among the generated applications, roughly as in a busy year.
# Only sent applications: officers never see a group's drafts.
STATUS_WEIGHTS = {
    "submitted": 14,
    "screening": 10,
    "info_requested": 4,
    "board_review": 8,
    "officer_decision": 4,
    "awarded": 5,
    "declined": 10,
    "agreement_issued": 4,
    "agreement_accepted": 4,
    "paid": 6,
    "monitoring": 6,
    "closed": 9,
    "withdrawn": 4,
}

# wrk: a signed-in visitor's cookie on every request, and the 95th percentile at the end.
WRK_SCRIPT = """
wrk.headers["Cookie"] = "{cookie}"
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
end
"""


# --- Django, in this process, on the benchmark's database -----------------------------------------


def setup_django(env: dict[str, str]) -> None:
    """Django with exactly the environment gunicorn gets, so both see the same settings."""
    for name in list(os.environ):
        if name not in env:
            del os.environ[name]
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_session(user, *, mfa: bool) -> str:
    """A session as a completed sign-in leaves it: the user, their backend and password hash, the
    time-out middleware's clock and, for staff, the flag that two-step sign-in was passed."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from core.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT, SESSION_MFA_OK

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    now = time.time()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SESSION_LOGIN_AT] = now
    session[SESSION_LAST_SEEN] = now
    if mfa:
        session[SESSION_MFA_OK] = True
    session.create()
    return session.session_key


@dataclass
class Demo:
    officer: object
    applicant: object
    officer_funds: list  # the funds the officer looks after: their localities' and borough-wide
    other_funds: list  # the other localities' funds
    board_fund: object  # Ashby Vale's, whose round is open

    def officer_sees(self) -> int:
        from grants.viewsets import application_policy

        return application_policy.scope(self.officer).count()


def demo() -> Demo:
    from core.models import User
    from grants.enums import DecisionRoute
    from grants.models import Fund
    from grants.permissions import funds_for_officer

    officer = User.objects.get(email=OFFICER)
    officer_funds = list(funds_for_officer(officer).order_by("pk"))
    board_fund = Fund.objects.get(locality__slug="ashby-vale", route=DecisionRoute.BOARD)
    if not board_fund.is_open():
        raise BenchError(f"{board_fund.name} has no open round in the demo data")
    return Demo(
        officer=officer,
        applicant=User.objects.get(email=APPLICANT),
        officer_funds=officer_funds,
        other_funds=list(Fund.objects.exclude(pk__in=[f.pk for f in officer_funds])),
        board_fund=board_fund,
    )


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would after a load like this


def list_organisations(count: int) -> list:
    from core.access import records_changed
    from core.enums import LegalForm
    from core.models import Organisation

    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bench Community Group {n}",
                legal_form=LegalForm.UNINCORPORATED,
                postcode=f"BF{n % 9 + 1} {n % 10}AB",
            )
            for n in range(1, count + 1)
        ],
        batch_size=BATCH,
    )
    records_changed(Organisation)  # written without signals
    return organisations


def add_list_applications(count: int, funds: list, organisations: list, rng: random.Random) -> int:
    """`count` applications in `funds`, each in a status it could really be in, with what that
    status needs (a reference once sent; an amount awarded; a reason for a decline)."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat, LPad
    from django.utils import timezone

    from core.access import records_changed
    from grants.enums import AWARDED_STATES, DecisionRoute, DeclineReason
    from grants.models import Application

    if count <= 0:
        return 0
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    rounds = {fund.pk: fund.round_open_at() for fund in funds}
    snapshots = {fund.pk: list(fund.application_form.raw_data) for fund in funds}
    now = timezone.now()
    first_pk = None
    batch = []
    for n in range(count):
        fund = funds[n % len(funds)]
        status = rng.choices(statuses, weights)[0]
        if status == "board_review" and fund.route == DecisionRoute.RAPID:
            status = "officer_decision"
        elif status == "officer_decision" and fund.route == DecisionRoute.BOARD:
            status = "board_review"
        amount = rng.randrange(10_000, fund.maximum_award_pence + 1, 500)
        sent = status != "draft"
        submitted = now - datetime.timedelta(minutes=rng.randrange(1, 300 * 24 * 60))
        decided = status in (*AWARDED_STATES, "declined")
        batch.append(
            Application(
                fund=fund,
                organisation=organisations[rng.randrange(len(organisations))],
                round=rounds[fund.pk],
                title=f"Community activity {rng.randrange(1, 100_000)}",
                summary="Weekly sessions for families, with a play corner and a hot meal.",
                amount_requested_pence=amount,
                is_short_form=fund.short_form_applies(amount),
                answers=ANSWERS if sent else {},
                form_snapshot=snapshots[fund.pk],
                status=status,
                info_requested_from="screening" if status == "info_requested" else "",
                info_request="Could you send your latest bank statement?"
                if status == "info_requested"
                else "",
                submitted_at=submitted if sent else None,
                decision_due_on=(submitted + datetime.timedelta(days=30)).date() if sent else None,
                decided_at=submitted + datetime.timedelta(days=20) if decided else None,
                amount_awarded_pence=amount if status in AWARDED_STATES else None,
                decline_reason=DeclineReason.LOW_SCORE if status == "declined" else "",
            )
        )
        if len(batch) >= BATCH or n == count - 1:
            created = Application.objects.bulk_create(batch)
            first_pk = created[0].pk if first_pk is None else first_pk
            batch = []
    # References as application_submit makes them: the fund's year and the application's id.
    new = Application.objects.filter(pk__gte=first_pk).exclude(status="draft")
    for year in {fund.financial_year for fund in funds}:
        new.filter(fund__financial_year=year).update(
            reference=Concat(
                Value(f"{year % 100:02d}-"), LPad(Cast("id", CharField()), 6, Value("0"))
            )
        )
    # Written without signals: pages that show applications must not go on showing the old ones.
    records_changed(Application)
    return count


def grow_list(target: int, world: Demo, organisations: list, rng: random.Random) -> dict:
    """Add applications until the officer sees `target`, and a quarter as many again elsewhere."""
    from grants.models import Application

    wanted = target - world.officer_sees()
    if wanted < 0:
        raise BenchError(f"the officer already sees more than {target:,} applications")
    add_list_applications(wanted, world.officer_funds, organisations, rng)
    add_list_applications(wanted // 4, world.other_funds, organisations, rng)
    vacuum_analyze()
    seen = world.officer_sees()
    if seen != target:
        raise BenchError(f"the officer sees {seen:,} applications, not {target:,}")
    return {"officer_sees": seen, "in_database": Application.objects.count()}


@dataclass
class Applicant:
    email: str
    session: str
    application: int
    csrf_cookie: str = ""
    csrf_token: str = ""


def make_applicants(prefix: str, count: int, fund) -> list[Applicant]:
    """`count` people, each the owner of their own new group, each with a complete draft in `fund`,
    made with the same services the question pages use, and each signed in."""
    from django.contrib.auth.hashers import make_password

    from allauth.account.models import EmailAddress

    from core.access import records_changed
    from core.enums import LegalForm, OrganisationRole, Role
    from core.models import Organisation, OrganisationMembership, User
    from core.roles import role_group
    from grants.services.applications import (
        application_start,
        draft_save,
        problems_before_submission,
    )

    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}-{n:04d}@bench.seedbed.test",
                full_name=f"Bench Applicant {prefix} {n}",
                password=make_password(None),  # unusable: they never sign in with a password
            )
            for n in range(1, count + 1)
        ]
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    applicant_role = role_group(Role.APPLICANT)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=applicant_role.pk) for user in users
    )
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bench {prefix} group {n}",
                legal_form=LegalForm.UNINCORPORATED,
                postcode="BF1 2AB",
            )
            for n in range(1, count + 1)
        ]
    )
    if fund.locality_id:
        Organisation.localities.through.objects.bulk_create(
            Organisation.localities.through(organisation_id=org.pk, locality_id=fund.locality_id)
            for org in organisations
        )
    OrganisationMembership.objects.bulk_create(
        OrganisationMembership(organisation=org, user=user, role=OrganisationRole.OWNER)
        for org, user in zip(organisations, users, strict=True)
    )
    records_changed(Organisation)  # written without signals
    records_changed(OrganisationMembership)
    applicants = []
    for n, (user, organisation) in enumerate(zip(users, organisations, strict=True)):
        application = application_start(fund=fund, organisation=organisation, by=user)
        draft_save(
            application=application,
            by=user,
            fields={
                "title": f"Stay and play mornings {n + 1}",
                "summary": "A weekly stay and play for parents and toddlers in the church hall.",
                "amount_requested_pence": AMOUNT,
                "contact_phone": "01632 960000",
            },
            answers=ANSWERS,
            budget=BUDGET,
        )
        if n == 0 and (problems := problems_before_submission(application)):
            raise BenchError(f"the drafts are not complete: {problems}")
        applicants.append(Applicant(user.email, make_session(user, mfa=False), application.pk))
    return applicants


def count_queries(path: str, session: str, *, method: str = "get", warm_path: str = "") -> dict:
    """The SQL queries of one request through the whole middleware stack, after two GETs of
    `warm_path` (by default `path`) so that per-process caches and the signed-in session are as a
    running worker has them, and the most repeated query shape (to spot one query per row)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    for _ in range(2):
        client.get(warm_path or path)
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path)
    shapes = Counter(
        re.sub(r"\b\d+\b", "?", re.sub(r"'[^']*'", "?", query["sql"]))
        for query in captured.captured_queries
        if not query["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"))
    )
    shape, repeats = shapes.most_common(1)[0] if shapes else ("", 0)
    return {
        "status": response.status_code,
        "queries": len(captured.captured_queries),
        "most_repeated": repeats,
        "most_repeated_sql": shape[:300],
        "sql": [query["sql"] for query in captured.captured_queries],
    }


# --- HTTP, for the pages wrk cannot do --------------------------------------------------------------


def http_request(port: int, method: str, path: str, headers: dict, body: str | None = None):
    """One request on a new connection (gunicorn's sync workers close each one anyway)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def fetch_csrf(port: int, applicant: Applicant) -> None:
    """Open the check-answers page, as the person does before pressing "Accept and send"."""
    from django.conf import settings

    path = f"/applications/{applicant.application}/check/"
    cookie = f"{settings.SESSION_COOKIE_NAME}={applicant.session}"
    status, headers, body = http_request(port, "GET", path, {"Cookie": cookie})
    if status != 200:
        raise BenchError(f"{path} answered {status}, not 200: {body[:300]!r}")
    cookies = SimpleCookie()
    for line in headers.get_all("Set-Cookie") or []:
        cookies.load(line)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if settings.CSRF_COOKIE_NAME not in cookies or not token:
        raise BenchError(f"{path} gave no CSRF cookie or form token")
    applicant.csrf_cookie = cookies[settings.CSRF_COOKIE_NAME].value
    applicant.csrf_token = token.group(1).decode()


def submit(port: int, applicant: Applicant) -> tuple[float, str | None]:
    """POST the check-answers form: the request's time in ms, and what went wrong, if anything."""
    from django.conf import settings

    check = f"/applications/{applicant.application}/check/"
    path = f"/applications/{applicant.application}/submit/"
    origin = f"http://127.0.0.1:{port}"
    headers = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={applicant.session}; "
        f"{settings.CSRF_COOKIE_NAME}={applicant.csrf_cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": origin,  # as a browser sends with a form; CSRF checks it against the host
        "Referer": origin + check,
    }
    body = urlencode({"csrfmiddlewaretoken": applicant.csrf_token})
    started = time.perf_counter()
    try:
        status, response_headers, content = http_request(port, "POST", path, headers, body)
    except OSError as error:
        return (time.perf_counter() - started) * 1000, f"{type(error).__name__}: {error}"
    elapsed = (time.perf_counter() - started) * 1000
    expected = f"/applications/{applicant.application}/sent/"
    if status != 302 or response_headers.get("Location") != expected:
        return elapsed, f"{status} {response_headers.get('Location')} {content[:200]!r}"
    return elapsed, None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


def latency_summary(times: list[float]) -> dict:
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "max_ms": round(max(times), 2),
    }


# --- The broker ---------------------------------------------------------------------------------


class Broker:
    """The Redis broker the confirmation e-mails are queued on. Taken before anything is queued,
    so that every task this run queues (seed_demo's as well as the submissions') is removed at the
    end: no worker runs, and they would otherwise stay in Redis."""

    KEYS = ("_kombu.binding.{queue}", "_kombu.binding_permanent.{queue}")

    def __init__(self, url: str, queue: str = "celery") -> None:
        import redis

        self.url = url
        self.queue = queue
        self.client = redis.Redis.from_url(url)
        self.existed = {
            key: bool(self.client.exists(key))
            for key in (queue, *(key.format(queue=queue) for key in self.KEYS))
        }
        self.at_start = self.client.llen(queue)

    def length(self) -> int:
        return self.client.llen(self.queue)

    @staticmethod
    def describe() -> str:
        from django.conf import settings

        from config.celery import app

        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            return "eager: Celery tasks, the confirmation e-mail among them, run inside the request"
        where = settings.CELERY_BROKER_URL.rsplit("@", 1)[-1]
        return (
            f"queued on the Redis broker ({where}, queue {app.conf.task_default_queue!r}), "
            "not sent: no worker runs"
        )

    def clean(self) -> int:
        added = self.length() - self.at_start
        for key, existed in self.existed.items():
            if not existed:
                self.client.delete(key)
        if self.existed[self.queue] and added > 0:
            self.client.lpop(self.queue, added)  # kombu pushes on the left, workers pop the right
        return max(added, 0)


# --- The measurements ---------------------------------------------------------------------------


def wrk_script(path: Path, cookie: str) -> Path:
    path.write_text(WRK_SCRIPT.format(cookie=cookie))
    return path


def check_page(port: int, path: str, session: str, must_contain: bytes, times: int) -> None:
    from django.conf import settings

    status, _, body = http_request(
        port, "GET", path, {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    )
    if status != 200:
        raise BenchError(f"{path} answered {status}, not 200: {body[:300]!r}")
    found = body.count(must_contain)
    if found < times:
        raise BenchError(f"{path} shows {found} of {must_contain!r}, expected {times}")


def page_row(result: Measurement, queries: dict, extra: dict) -> dict:
    return {**asdict(result), "queries": queries["queries"], **extra}


def submit_one_at_a_time(port: int, applicants: list[Applicant], meter: CpuMeter) -> dict:
    for applicant in applicants:
        fetch_csrf(port, applicant)
    times, errors = [], []
    before = meter.read()
    for applicant in applicants:
        elapsed, error = submit(port, applicant)
        times.append(elapsed)
        if error:
            errors.append(error)
    after = meter.read()
    app_cpu, db_cpu = CpuMeter.per_request(before, after, len(applicants))
    return {
        "requests": len(applicants),
        "errors": len(errors),
        "first_errors": errors[:5],
        **latency_summary(times),
        "app_cpu_ms": app_cpu,
        "db_cpu_ms": db_cpu,
    }


def rush(port: int, applicants: list[Applicant], threads: int, meter: CpuMeter) -> dict:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda applicant: fetch_csrf(port, applicant), applicants))
    before = meter.read()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(lambda applicant: submit(port, applicant), applicants))
    wall = time.perf_counter() - started
    after = meter.read()
    app_cpu, db_cpu = CpuMeter.per_request(before, after, len(applicants))
    times = [elapsed for elapsed, _ in results]
    errors = [error for _, error in results if error]
    return {
        "applicants": len(applicants),
        "threads": threads,
        "errors": len(errors),
        "first_errors": errors[:5],
        "wall_s": round(wall, 2),
        "throughput_per_s": round(len(applicants) / wall, 1),
        **latency_summary(times),
        "app_cpu_ms": app_cpu,
        "db_cpu_ms": db_cpu,
        "load_average_before": round(load_before, 2),
    }


def rush_outcome(applicants: list[Applicant]) -> dict:
    """What the database says afterwards: one submitted application, one reference and one
    confirmation per group, and nothing else."""
    from core.models import InboxMessage
    from grants.enums import ApplicationStatus
    from grants.models import Application

    mine = Application.objects.filter(pk__in=[a.application for a in applicants])
    submitted = mine.filter(
        status=ApplicationStatus.SUBMITTED, submitted_at__isnull=False, reference__isnull=False
    )
    confirmations = InboxMessage.objects.filter(
        recipient__email__in=[a.email for a in applicants], kind="application"
    )
    return {
        "submitted": submitted.count(),
        "still_draft": mine.filter(status=ApplicationStatus.DRAFT).count(),
        "distinct_references": submitted.values("reference").distinct().count(),
        "confirmations": confirmations.count(),
        "with_round": submitted.filter(round__isnull=False).count(),
    }


# --- Report -------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def summary_table(report: dict) -> str:
    pages = report["pages"]
    submit_result = report["submit"]
    rush_result = report["rush"]
    header = (
        f"{'measurement':<34} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/req':>10}"
        f" {'(db)':>6} {'queries':>7} {'errors':>6}  {'goal':<22} {'met':>3}"
    )
    lines = [header, "-" * len(header)]

    def cpu(value) -> str:
        return "-" if value is None else f"{value:.2f}"

    for row in pages:
        lines.append(
            f"{row['label']:<34} {row['requests_per_second']:>7,.0f} {row['p50_ms']:>8.1f}"
            f" {row['p95_ms']:>8.1f} {cpu(row['app_cpu_ms']):>10} {cpu(row['db_cpu_ms']):>6}"
            f" {row['queries']:>7} {row['errors']:>6}  {row['goal']:<22} {verdict(row['met']):>3}"
        )
    lines.append(
        f"{'send, one at a time (' + str(submit_result['requests']) + ')':<34} {'-':>7}"
        f" {submit_result['p50_ms']:>8.1f} {submit_result['p95_ms']:>8.1f}"
        f" {cpu(submit_result['app_cpu_ms']):>10} {cpu(submit_result['db_cpu_ms']):>6}"
        f" {submit_result['queries']:>7} {submit_result['errors']:>6}"
        f"  {'p50 < ' + str(GOAL_SUBMIT_P50_MS) + ' ms':<22} {verdict(submit_result['met']):>3}"
    )
    lines.append(
        f"{'rush: ' + str(rush_result['applicants']) + ' groups, ' + str(rush_result['threads']) + ' threads':<34}"
        f" {rush_result['throughput_per_s']:>7,.0f} {rush_result['p50_ms']:>8.1f}"
        f" {rush_result['p95_ms']:>8.1f} {cpu(rush_result['app_cpu_ms']):>10}"
        f" {cpu(rush_result['db_cpu_ms']):>6} {'':>7} {rush_result['errors']:>6}"
        f"  {'all sent in ' + str(GOAL_RUSH_SECONDS) + ' s, 0 err':<22} {verdict(rush_result['met']):>3}"
    )
    outcome = rush_result["outcome"]
    lines.append("")
    lines.append(
        f"rush: {rush_result['wall_s']:.1f} s wall time; afterwards {outcome['submitted']} submitted "
        f"(expected {rush_result['applicants']}), {outcome['still_draft']} still drafts, "
        f"{outcome['distinct_references']} distinct references, {outcome['confirmations']} "
        "confirmations in inboxes"
    )
    lines.append(
        "list queries: "
        + ", ".join(
            f"{row['applications']:,} applications {row['queries']}"
            for row in pages
            if "applications" in row
        )
        + (" (the same)" if report["list_queries_equal"] else " (NOT the same)")
    )
    lines.append(f"confirmation e-mail: {report['email']}")
    lines.append(
        "req/s for the rush is groups sent per second of wall time; its latencies include waiting "
        f"for one of the {WORKERS} workers."
    )
    lines.append("CPU ms/req: gunicorn workers' CPU per request; (db): their PostgreSQL backends'.")
    return "\n".join(lines)


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
        "--sizes",
        default="1000,10000",
        help="applications the officer sees, one list measurement each (default 1000,10000)",
    )
    parser.add_argument(
        "--drafts", type=int, default=100, help="drafts sent one at a time (default 100)"
    )
    parser.add_argument(
        "--rush", type=int, default=500, help="applicants sending at once (default 500)"
    )
    parser.add_argument(
        "--rush-threads", type=int, default=50, help="threads sending them (default 50)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of each counted request"
    )
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="keep the database afterwards and print its DATABASE_URL",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size) for size in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes is a comma-separated list of numbers")
    if not args.sizes or args.sizes != sorted(args.sizes) or args.sizes[0] < PER_PAGE:
        parser.error(f"--sizes must rise, from at least {PER_PAGE}")
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    if not 1 <= args.threads <= args.connections <= 1000:
        parser.error("need 1 <= --threads <= --connections <= 1000")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60 seconds")
    if not 1 <= args.drafts <= 10_000 or not 1 <= args.rush <= 10_000:
        parser.error("--drafts and --rush must be between 1 and 10,000")
    if not 1 <= args.rush_threads <= 500:
        parser.error("--rush-threads must be between 1 and 500")
    return args


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def print_queries(label: str, counted: dict, show: bool) -> None:
    note = ""
    if counted["most_repeated"] > 2:
        note = f"; most repeated ×{counted['most_repeated']}: {counted['most_repeated_sql'][:120]}"
    print(f"  {label}: {counted['queries']} queries{note}", flush=True)
    if show:
        for sql in counted["sql"]:
            print(f"    {sql[:400]}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if not wrk:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    try:
        import psycopg  # noqa: F401
        import redis  # noqa: F401
    except ImportError:
        print("psycopg and redis are needed: run make install", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)

    db_name = f"seedbed_bench_grants_{os.getpid()}"
    env = bench_environment(db_name)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS_DIR / "gunicorn-grants.log"
    scripts: list[Path] = []
    started = datetime.datetime.now().astimezone()
    machine_info = machine()
    rng = random.Random(args.seed)
    gunicorn = None
    broker = None
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
        try:
            broker = Broker(env["REDIS_URL"])  # bench settings: the cache's Redis is the broker
        except Exception as error:
            raise BenchError(f"cannot reach Redis at {env['REDIS_URL']}: {error}") from error
        manage(env, "migrate", "--no-input")
        # Before seed_demo: the demo grant agreements are PDFs whose stylesheet is found through
        # the static files manifest.
        manage(env, "collectstatic", "--no-input")
        manage(env, "seed_demo")
        setup_django(env)
        from django.conf import settings
        from django.db import connections

        world = demo()
        if env["REDIS_URL"] != settings.CELERY_BROKER_URL:
            raise BenchError(f"unexpected Celery broker {settings.CELERY_BROKER_URL}")
        officer_session = make_session(world.officer, mfa=True)
        applicant_session = make_session(world.applicant, mfa=False)
        organisations = list_organisations(LIST_ORGANISATIONS)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        print(f"gunicorn, {WORKERS} sync workers, on {base}", flush=True)
        gunicorn = start_gunicorn(env, port, log_path)
        wait_until_healthy(base, gunicorn, log_path)
        meter = CpuMeter(gunicorn.pid, db_name)
        print(
            f"wrk: {args.duration:g}s per URL after {args.warmup:g}s warm-up, "
            f"{args.connections} connections, {args.threads} threads",
            flush=True,
        )
        officer_script = wrk_script(
            RESULTS_DIR / "wrk-grants-officer.lua",
            f"{settings.SESSION_COOKIE_NAME}={officer_session}",
        )
        applicant_script = wrk_script(
            RESULTS_DIR / "wrk-grants-applicant.lua",
            f"{settings.SESSION_COOKIE_NAME}={applicant_session}",
        )
        scripts += [officer_script, applicant_script]

        # 1. The officer's list, at each size.
        pages = []
        for size in args.sizes:
            built = grow_list(size, world, organisations, rng)
            print(
                f"  the officer sees {built['officer_sees']:,} applications "
                f"({built['in_database']:,} in the database)",
                flush=True,
            )
            check_page(
                port, OFFICER_LIST, officer_session, b"/admin/grant-applications/inspect/", PER_PAGE
            )
            counted = count_queries(OFFICER_LIST, officer_session)
            if counted["status"] != 200:
                raise BenchError(f"{OFFICER_LIST} answered {counted['status']} in-process")
            print_queries(f"officer list at {size:,}", counted, args.show_queries)
            load = os.getloadavg()[0]
            result = measure(wrk, base, f"list {size:,}", OFFICER_LIST, args, officer_script, meter)
            pages.append(
                page_row(
                    result,
                    counted,
                    {
                        "label": f"officer list, {size:,} applications",
                        "applications": size,
                        "goal": f">= {GOAL_LIST_RPS} req/s",
                        "met": result.requests_per_second >= GOAL_LIST_RPS and not result.errors,
                        "load_average_before": round(load, 2),
                        "most_repeated_query": counted["most_repeated"],
                    },
                )
            )
        list_queries = {row["queries"] for row in pages}

        # 2. The applicant's dashboard.
        check_page(port, DASHBOARD, applicant_session, b'href="/applications/', 3)
        counted = count_queries(DASHBOARD, applicant_session)
        print_queries("applicant dashboard", counted, args.show_queries)
        load = os.getloadavg()[0]
        result = measure(wrk, base, "dashboard", DASHBOARD, args, applicant_script, meter)
        pages.append(
            page_row(
                result,
                counted,
                {
                    "label": "applicant dashboard",
                    "goal": f">= {GOAL_DASHBOARD_RPS} req/s",
                    "met": result.requests_per_second >= GOAL_DASHBOARD_RPS and not result.errors,
                    "load_average_before": round(load, 2),
                    "most_repeated_query": counted["most_repeated"],
                },
            )
        )

        # 3. Sending, one at a time. One more draft is sent in-process to count its queries.
        print(f"  making {args.drafts + 1} complete drafts in {world.board_fund.name}", flush=True)
        drafts = make_applicants("send", args.drafts + 1, world.board_fund)
        counted_draft = drafts.pop()
        queued_before = broker.length()
        submit_queries = count_queries(
            f"/applications/{counted_draft.application}/submit/",
            counted_draft.session,
            method="post",
            warm_path=f"/applications/{counted_draft.application}/check/",
        )
        if submit_queries["status"] != 302:
            raise BenchError(f"sending in-process answered {submit_queries['status']}, not 302")
        print_queries("send (POST)", submit_queries, args.show_queries)
        load = os.getloadavg()[0]
        submit_result = submit_one_at_a_time(port, drafts, meter)
        submit_result.update(
            queries=submit_queries["queries"],
            load_average_before=round(load, 2),
            met=submit_result["p50_ms"] < GOAL_SUBMIT_P50_MS and not submit_result["errors"],
        )
        print(
            f"  send, one at a time  p50 {submit_result['p50_ms']:.1f} ms  "
            f"p95 {submit_result['p95_ms']:.1f} ms  {submit_result['errors']} errors",
            flush=True,
        )

        # 4. The rush.
        print(f"  making {args.rush} applicants with complete drafts for the rush", flush=True)
        rushers = make_applicants("rush", args.rush, world.board_fund)
        connections.close_all()  # idle during the rush; the backends' CPU is counted per worker
        rush_result = rush(port, rushers, args.rush_threads, meter)
        outcome = rush_outcome(rushers)
        queued = broker.length() - queued_before  # with the one sent in-process
        rush_result["outcome"] = outcome
        rush_result["met"] = (
            rush_result["errors"] == 0
            and outcome["submitted"] == args.rush
            and outcome["still_draft"] == 0
            and outcome["distinct_references"] == args.rush
            and rush_result["wall_s"] <= GOAL_RUSH_SECONDS
        )
        print(
            f"  rush  {rush_result['wall_s']:.1f} s  p50 {rush_result['p50_ms']:.0f} ms  "
            f"p95 {rush_result['p95_ms']:.0f} ms  {rush_result['errors']} errors  "
            f"{outcome['submitted']} submitted",
            flush=True,
        )

        email = f"{broker.describe()}; {queued} confirmations queued by the submissions"
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
            "email": email,
            "pages": pages,
            "list_queries_equal": len(list_queries) == 1,
            "submit": submit_result,
            "rush": rush_result,
        }
        out = RESULTS_DIR / f"grants-{report['date']}.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
        print()
        print(summary_table(report))
        print()
        load = machine_info["load_average_at_start"][0]
        print(
            f"Load average {load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end, "
            f"on {os.cpu_count()} CPUs."
            + (
                " Other work was sharing the machine: compare CPU ms/req rather than req/s."
                if load > 0.5 * (os.cpu_count() or 1)
                else ""
            )
        )
        print(f"Written to {out.relative_to(ROOT)}")
        # Speed depends on the machine; the exit status says only whether the results are sound.
        sound = (
            report["list_queries_equal"]
            and not any(row["errors"] for row in pages)
            and not submit_result["errors"]
            and not rush_result["errors"]
            and outcome["submitted"] == args.rush
        )
        return 0 if sound else 1
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
        if broker is not None:
            try:
                removed = broker.clean()
                print(f"Removed the {removed} tasks this run queued from the broker", flush=True)
            except Exception as error:  # say so, and still drop the database
                print(f"could not clean the broker queue: {error}", file=sys.stderr)
        if "django" in sys.modules:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: S110 - the drop below forces connections closed anyway
                pass
        if db_created:
            if args.keep_db:
                print(f"Kept the database: DATABASE_URL={database_url(db_name)}")
            else:
                print(f"Dropping database {db_name}", flush=True)
                try:
                    drop_database(db_name)
                except Exception as error:
                    print(f"could not drop database {db_name}: {error}", file=sys.stderr)
        for script in scripts:
            script.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
