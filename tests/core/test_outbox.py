"""The task outbox: a change and the tasks it needs are saved together, a broker that is down fails
no request and loses no task, and a task redelivered after its worker died acts once (security
matrix rows 42, 43 and 44)."""

import datetime
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote

from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

import pytest
import redis
from kombu import pools
from kombu.exceptions import OperationalError
from kombu.utils.collections import eqhash

from config.celery import app as celery_app
from core import outbox
from core.enums import Role
from core.models import InboxMessage, OutboxTask
from core.outbox import DispatchRun, enqueue_after_commit, outbox_dispatch_pending
from core.tasks import delete_dispatched_tasks, dispatch_pending_tasks, send_inbox_email
from grants.enums import ApplicationStatus
from grants.models import GrantAgreement
from grants.services.awards import agreement_issue
from grants.services.decisions import award_make
from tests.factories import UserFactory
from tests.factories.core import force_login_past_two_step
from tests.factories.grants import ApplicationFactory, FundFactory, application_in, grants_officer

S = ApplicationStatus
ROOT = Path(settings.BASE_DIR)
SEND_INBOX_EMAIL = "core.tasks.send_inbox_email"
MAKE_AGREEMENT_PDF = "grants.tasks.make_agreement_pdf"
ACCEPTANCE = {"name": "Priya Shah", "role": "Treasurer", "declaration": "on"}

on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite runs one writer at a time; the row locks being tested are PostgreSQL's",
)
# CI_REDIS_URL says this machine runs real Redis. These tests start their own redis-server on a
# spare port, so that they can stop it without touching anyone else's broker.
with_real_broker = pytest.mark.skipif(
    not (
        os.environ.get("CI_REDIS_URL")
        and shutil.which("redis-server")
        and os.environ.get("DATABASE_URL", "").startswith("postgres")
    ),
    reason="needs PostgreSQL, a real Redis (CI_REDIS_URL) and redis-server to run a private one",
)


@pytest.fixture(autouse=True)
def _broker_presumed_up():
    """Each test starts with no memory of an earlier test's broker refusing."""
    outbox._refused_until = 0.0
    yield
    outbox._refused_until = 0.0


# Helpers -------------------------------------------------------------------------------------------


def _real_task(name: str):
    """The registered task itself (what the dispatcher looks up by name), not the import's proxy."""
    return celery_app.tasks[name]


@contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """This process publishes tasks to the broker at `url`, as a web process does in production,
    instead of running them in-process. The app's connection pools are set aside and put back."""
    conf = celery_app.conf
    saved_settings = (conf.task_always_eager, conf.broker_url)
    saved_pools = (celery_app._pool, celery_app.amqp._producer_pool)
    conf.task_always_eager = False
    conf.broker_url = url
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        # kombu keeps its pools in registries keyed by the broker's address: close and forget the
        # ones made here, so a later test on the same address starts with fresh connections.
        made = [
            pool
            for pool in (celery_app.amqp._producer_pool, celery_app._pool)
            if pool is not None and all(pool is not kept for kept in saved_pools)
        ]
        key = eqhash(celery_app.connection_for_write())
        for group in (pools.producers, pools.connections):
            if any(dict.get(group, key) is pool for pool in made):
                dict.pop(group, key)
        for pool in made:
            pool.force_close_all()
        conf.task_always_eager, conf.broker_url = saved_settings
        celery_app._pool, celery_app.amqp._producer_pool = saved_pools


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], Any], *, seconds: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"gave up after {seconds} s waiting for {what}\n{tail}")


class PrivateRedis:
    """A redis-server of the test's own, on a spare port, that the test may stop and start again.
    Queued messages survive a restart (append-only file), as they would on a council's Redis."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, seconds=10, what="the private redis-server to answer")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # a clean shutdown writes the append-only file out
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis")
    try:
        yield server
    finally:
        server.stop()


def _database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'] or '', safe='')}{password}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@contextmanager
def celery_worker(
    broker: str, *, emails: Path, media: Path, log: Path, include: tuple[str, ...] = ()
) -> Iterator[subprocess.Popen]:
    """A real worker (prefork, one child, acks_late as configured) on the test's database and
    broker, writing emails as files into `emails`. Stopped, children and all, when the block ends."""
    emails.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.core.worker_settings",
        CELERY_BROKER_URL=broker,
        DATABASE_URL=_database_url(),
        TEST_EMAIL_DIR=str(emails),
        PRIVATE_MEDIA_ROOT=str(media),
    )
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=outbox-test-{os.getpid()}@localhost",
                *(f"--include={module}" for module in include),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so its children stop with it
        )
    try:
        yield worker
    finally:
        _stop(worker)


def _stop(worker: subprocess.Popen) -> None:
    """A warm shutdown of the worker; if it hangs, SIGKILL to its whole process group. Then SIGKILL
    to whatever of that group is left, so no child holds the test database."""
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    with suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)


def emails_sent(directory: Path) -> Counter:
    """Who the worker emailed, and how often: one file per email sent."""
    recipients: Counter = Counter()
    for path in directory.glob("*.log"):
        recipients.update(re.findall(r"^To: (.+)$", path.read_text(), re.MULTILINE))
    return recipients


def _pending() -> list[OutboxTask]:
    return list(OutboxTask.objects.filter(dispatched_at__isnull=True).order_by("pk"))


def _age_all(seconds: int = 60) -> None:
    OutboxTask.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=seconds))


# Row 42: nothing is queued for a change that was rolled back --------------------------------------


@pytest.mark.django_db
def test_an_award_inside_a_transaction_that_fails_queues_no_task(
    django_capture_on_commit_callbacks,
):
    """Security matrix row 42: no email and no agreement PDF for an award that never happened."""
    application = application_in(S.OFFICER_DECISION, fund=FundFactory(rapid=True))
    officer = grants_officer(locality=application.fund.locality)
    rows_before = OutboxTask.objects.count()
    mail.outbox.clear()

    with (
        mock.patch("celery.app.task.Task.apply_async") as publish,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        award_make(application=application, by=officer)
        agreement_issue(application=application, by=officer)
        assert OutboxTask.objects.count() > rows_before  # queued, but only with the change
        raise RuntimeError("the database went away")

    assert callbacks == []
    publish.assert_not_called()
    assert OutboxTask.objects.count() == rows_before
    assert mail.outbox == []
    assert not GrantAgreement.objects.filter(application=application).exists()


# The outbox with tasks run in-process (laptops, the test suite) ------------------------------------


@pytest.mark.django_db
def test_with_tasks_run_in_process_the_task_runs_on_commit_and_its_row_is_marked_sent(
    django_capture_on_commit_callbacks,
):
    message = InboxMessage.objects.create(
        recipient=UserFactory(), kind="decision", subject="Your grant", body="Good news."
    )
    with django_capture_on_commit_callbacks(execute=True):
        row = enqueue_after_commit(send_inbox_email, message.pk)
        assert mail.outbox == []

    assert len(mail.outbox) == 1
    row.refresh_from_db()
    # Sent, the row keeps only the task's name and times: its arguments can hold personal data.
    assert (row.task_name, row.args, row.kwargs) == (SEND_INBOX_EMAIL, [], {})
    assert row.dispatched_at is not None and row.attempts == 1 and row.last_error == ""


# The broker is down: the request succeeds, the row waits, the dispatcher sends it once -------------


@pytest.mark.django_db
def test_a_task_the_broker_refuses_waits_and_the_dispatcher_sends_it_exactly_once(
    django_capture_on_commit_callbacks, caplog
):
    message = InboxMessage.objects.create(
        recipient=UserFactory(), kind="decision", subject="Your grant", body="Good news."
    )
    task = _real_task(SEND_INBOX_EMAIL)
    refused = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        publishing_to("memory://"),
        mock.patch.object(task, "apply_async", side_effect=refused) as publish,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            row = enqueue_after_commit(send_inbox_email, message.pk)  # raises nothing

        row.refresh_from_db()
        assert row.dispatched_at is None and row.attempts == 1
        assert row.last_error.startswith("OperationalError: Error 111")
        assert any(
            record.name == "seedbed.tasks" and record.levelname == "WARNING"
            for record in caplog.records
        )

        publish.side_effect = None
        publish.reset_mock()
        # A row this young is still being sent by the request that made it: left alone.
        assert outbox_dispatch_pending() == DispatchRun(sent=0, failed=0, pending=1)
        publish.assert_not_called()

        _age_all()
        assert dispatch_pending_tasks() == {"sent": 1, "failed": 0, "pending": 0}
        assert dispatch_pending_tasks() == {"sent": 0, "failed": 0, "pending": 0}

    publish.assert_called_once()
    assert publish.call_args.args == ([message.pk], {})
    assert publish.call_args.kwargs["retry"] is False
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.attempts == 2 and row.last_error == ""


@pytest.mark.django_db
def test_a_broker_that_refuses_connections_fails_the_publish_at_once_not_the_request(
    django_capture_on_commit_callbacks,
):
    """Nothing listens on the port: the publish gives up at once (kombu's own retries would hold
    the request for seconds) and the row waits for the dispatcher."""
    message = InboxMessage.objects.create(
        recipient=UserFactory(), kind="decision", subject="Your grant", body="Good news."
    )
    with publishing_to(f"redis://127.0.0.1:{_free_port()}/0"):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            row = enqueue_after_commit(send_inbox_email, message.pk)
        took = time.monotonic() - started

    assert took < 1.5
    row.refresh_from_db()
    assert row.dispatched_at is None
    assert row.last_error.startswith("OperationalError")
    message.refresh_from_db()
    assert message.emailed_at is None


@pytest.mark.django_db
def test_a_page_that_queues_several_tasks_waits_for_a_refusing_broker_once(
    django_capture_on_commit_callbacks, caplog
):
    with (
        publishing_to("memory://"),
        mock.patch.object(
            _real_task(SEND_INBOX_EMAIL), "apply_async", side_effect=OperationalError("down")
        ) as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for number in range(3):
            enqueue_after_commit(send_inbox_email, number)

    publish.assert_called_once()
    assert [row.attempts for row in _pending()] == [1, 0, 0]
    assert caplog.text.count("Left core.tasks.send_inbox_email") == 2


@pytest.mark.django_db
def test_while_the_broker_is_down_the_dispatcher_stops_at_the_first_refusal():
    OutboxTask.objects.bulk_create(
        OutboxTask(task_name=SEND_INBOX_EMAIL, args=[number]) for number in range(3)
    )
    _age_all()
    with (
        publishing_to("memory://"),
        mock.patch.object(
            _real_task(SEND_INBOX_EMAIL), "apply_async", side_effect=OperationalError("down")
        ) as publish,
    ):
        run = outbox_dispatch_pending()

    assert run == DispatchRun(sent=0, failed=1, pending=3)
    publish.assert_called_once()
    assert [row.attempts for row in _pending()] == [1, 0, 0]


@pytest.mark.django_db
def test_a_row_naming_a_task_that_no_longer_exists_is_reported_and_blocks_nothing(caplog):
    OutboxTask.objects.create(task_name="core.tasks.renamed_long_ago", args=[1])
    later = OutboxTask.objects.create(task_name=SEND_INBOX_EMAIL, args=[2])
    _age_all()
    with (
        publishing_to("memory://"),
        mock.patch.object(_real_task(SEND_INBOX_EMAIL), "apply_async") as publish,
    ):
        run = outbox_dispatch_pending()

    assert run == DispatchRun(sent=1, failed=1, pending=1)
    publish.assert_called_once()
    later.refresh_from_db()
    assert later.dispatched_at is not None
    [unknown] = _pending()
    assert unknown.last_error.startswith("No such task")
    assert "core.tasks.renamed_long_ago" in caplog.text


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_the_same_moment_publish_each_task_once():
    """Two beats (or the beat and an operator's command) run together: SKIP LOCKED shares the rows
    out, so no row is published by both."""
    OutboxTask.objects.bulk_create(
        OutboxTask(task_name=SEND_INBOX_EMAIL, args=[number]) for number in range(40)
    )
    _age_all()
    published: list[int] = []
    lock = threading.Lock()
    both_ready = threading.Barrier(2)

    def slow_publish(args, kwargs, **options):
        with lock:
            published.append(args[0])
        time.sleep(0.005)

    def run(_) -> int:
        try:
            both_ready.wait(timeout=10)
            return outbox_dispatch_pending(limit=25).sent
        finally:
            connection.close()

    with (
        publishing_to("memory://"),
        mock.patch.object(_real_task(SEND_INBOX_EMAIL), "apply_async", side_effect=slow_publish),
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        sent = list(pool.map(run, range(2)))
        sent.append(outbox_dispatch_pending(limit=25).sent)  # whatever neither took

    assert sorted(published) == list(range(40))
    assert sum(sent) == 40
    assert not _pending()


# The operator's command and the nightly clean-up ---------------------------------------------------


@pytest.mark.django_db
def test_the_operators_command_sends_what_is_waiting_and_says_what_is_left():
    OutboxTask.objects.create(task_name=SEND_INBOX_EMAIL, args=[1])
    task = _real_task(SEND_INBOX_EMAIL)
    output = io.StringIO()

    with publishing_to("memory://"), mock.patch.object(task, "apply_async") as publish:
        call_command("dispatch_pending_tasks", older_than=0, stdout=output)
    assert publish.call_count == 1
    assert "Queued 1; 0 still waiting." in output.getvalue()

    OutboxTask.objects.create(task_name=SEND_INBOX_EMAIL, args=[2])
    with (
        publishing_to("memory://"),
        mock.patch.object(task, "apply_async", side_effect=OperationalError("down")),
        pytest.raises(CommandError, match="Queued 0; 1 still waiting"),
    ):
        call_command("dispatch_pending_tasks", older_than=0, stdout=io.StringIO())


@pytest.mark.django_db
def test_sent_tasks_are_forgotten_after_the_retention_period_and_waiting_ones_never(settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    now = timezone.now()
    OutboxTask.objects.create(
        task_name=SEND_INBOX_EMAIL, args=[1], dispatched_at=now - datetime.timedelta(days=8)
    )
    recent = OutboxTask.objects.create(
        task_name=SEND_INBOX_EMAIL, args=[2], dispatched_at=now - datetime.timedelta(days=1)
    )
    waiting = OutboxTask.objects.create(task_name=SEND_INBOX_EMAIL, args=[3])
    OutboxTask.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(days=30))

    assert delete_dispatched_tasks() == 1
    assert set(OutboxTask.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


def test_the_beat_runs_the_dispatcher_every_minute_and_the_clean_up_nightly():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["dispatch-pending-tasks"]["task"] == "core.tasks.dispatch_pending_tasks"
    assert schedule["dispatch-pending-tasks"]["schedule"] == 60
    assert schedule["delete-dispatched-tasks"]["task"] == "core.tasks.delete_dispatched_tasks"
    assert {"core.tasks.dispatch_pending_tasks", "core.tasks.delete_dispatched_tasks"} <= set(
        celery_app.tasks
    )


# The admin's read-only list ------------------------------------------------------------------------


def _staff(client, *roles):
    user = UserFactory(with_mfa=True, roles=roles)
    force_login_past_two_step(client, user)
    return user


@pytest.mark.django_db
def test_administrators_see_what_is_waiting_but_not_the_arguments_and_cannot_change_it(client):
    waiting = OutboxTask.objects.create(
        task_name=SEND_INBOX_EMAIL,
        args=["priya@example.org", "Reset your password"],
        attempts=3,
        last_error="OperationalError: Connection refused.",
    )
    _staff(client, Role.ADMINISTRATOR)

    listing = client.get("/admin/queued-tasks/?waiting=true")
    assert listing.status_code == 200
    assert SEND_INBOX_EMAIL in listing.text
    assert "Waiting" in listing.text and "Connection refused." in listing.text
    assert "priya@example.org" not in listing.text
    assert "/admin/queued-tasks/" in client.get("/admin/").text  # under Settings
    for url in (
        "/admin/queued-tasks/new/",
        f"/admin/queued-tasks/edit/{waiting.pk}/",
        f"/admin/queued-tasks/delete/{waiting.pk}/",
    ):
        assert client.post(url).status_code == 404


@pytest.mark.django_db
def test_a_grants_officer_cannot_see_the_queued_tasks(client):
    _staff(client, Role.GRANTS_OFFICER)
    response = client.get("/admin/queued-tasks/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


# Row 44: the real broker stops while people act, and comes back -----------------------------------


@with_real_broker
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_actions_succeed_and_every_task_runs_once_when_it_is_back(
    client, tmp_path, private_redis, _private_media, caplog
):
    """Security matrix row 44: stop Redis; a group sends an application, a treasurer accepts an
    agreement and an officer makes an award; restart Redis. Every page answered, the tasks waited
    in the outbox, and once Redis was back each email and PDF was made exactly once."""
    # Before the outage, as things are today (tasks run in-process).
    before_outage = ApplicationFactory()
    during_outage = ApplicationFactory()
    issued = application_in(S.AGREEMENT_ISSUED, fund=FundFactory(rapid=True))
    deciding = application_in(S.OFFICER_DECISION, fund=FundFactory(rapid=True))
    officer = grants_officer(locality=deciding.fund.locality)
    first_message = (InboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()) or 0
    first_row = OutboxTask.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    queue = private_redis.client()

    private_redis.start()
    with publishing_to(private_redis.url):
        client.force_login(before_outage.created_by)
        sent = client.post(f"/applications/{before_outage.pk}/submit/")
        assert sent.status_code == 302
        assert not _pending()  # the broker took it at once

        private_redis.stop()
        timings = []
        client.force_login(during_outage.created_by)
        started = time.monotonic()
        sent = client.post(f"/applications/{during_outage.pk}/submit/")
        timings.append(time.monotonic() - started)
        client.force_login(issued.created_by)
        started = time.monotonic()
        accepted = client.post(f"/applications/{issued.pk}/agreement/", ACCEPTANCE)
        timings.append(time.monotonic() - started)
        started = time.monotonic()
        award_make(application=deciding, by=officer)
        agreement_issue(application=deciding, by=officer)
        timings.append(time.monotonic() - started)

        assert (sent.status_code, accepted.status_code) == (302, 302)
        assert sent["Location"].endswith("/sent/")
        assert max(timings) < 5, timings
        waiting = _pending()
        assert Counter(row.task_name for row in waiting) == Counter(
            {SEND_INBOX_EMAIL: len(waiting) - 2, MAKE_AGREEMENT_PDF: 2}
        )
        # The first refusal is recorded; the tasks right after it were not even tried.
        assert waiting[0].last_error.startswith("OperationalError")
        assert "it will be sent again later" in caplog.text
        attempts = {row.pk: row.attempts for row in waiting}

        private_redis.start()
        assert queue.llen("celery") == 1  # what the broker took before it stopped, kept
        assert outbox_dispatch_pending(older_than=datetime.timedelta(0)) == DispatchRun(
            sent=len(waiting), failed=0, pending=0
        )
        assert queue.llen("celery") == 1 + len(waiting)

    messages = InboxMessage.objects.filter(pk__gt=first_message, email_wanted=True)
    expected = Counter(message.recipient.email for message in messages)
    assert sum(expected.values()) == len(waiting) - 2 + 1
    agreements = GrantAgreement.objects.filter(application__in=[issued, deciding])
    emails, log = tmp_path / "emails", tmp_path / "worker.log"

    def all_done() -> bool:
        return (
            not messages.filter(emailed_at__isnull=True).exists()
            and agreements.get(application=issued).accepted_pdf.name != ""
            and agreements.get(application=deciding).issued_pdf.name != ""
            and queue.llen("celery") == 0
            and queue.hlen("unacked") == 0
        )

    with celery_worker(private_redis.url, emails=emails, media=_private_media, log=log):
        wait_for(all_done, seconds=60, what="the worker to run every task", log=log)

    assert emails_sent(emails) == expected
    made = sorted(path.name for path in _private_media.rglob("*agreement*.pdf"))
    assert len([name for name in made if "accepted" in name]) == 1
    assert len([name for name in made if deciding.reference in name]) == 1
    rows = OutboxTask.objects.filter(pk__gt=first_row)
    assert not rows.filter(dispatched_at__isnull=True).exists()
    # Each waiting task was published once more, by the dispatcher, and never again.
    assert {row.pk: row.attempts - 1 for row in rows.filter(pk__in=attempts)} == attempts
    with publishing_to(private_redis.url):
        assert outbox_dispatch_pending(older_than=datetime.timedelta(0)).sent == 0


# Row 43: the worker is killed in the middle of a task ----------------------------------------------


@with_real_broker
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_is_killed_midway_is_delivered_again_and_acts_once(
    tmp_path, private_redis, _private_media
):
    """Security matrix row 43: acks_late and reject_on_worker_lost on a real Redis broker. The
    worker's child is SIGKILLed in the middle of a slow task that has already sent its email; the
    task is delivered again, finishes, and the email is still sent once."""
    from tests.core.worker_tasks import keys, slow_inbox_email

    message = InboxMessage.objects.create(
        recipient=UserFactory(), kind="decision", subject="Your grant", body="Good news."
    )
    names = keys(message.pk)
    counters = private_redis.client()
    emails, log = tmp_path / "emails", tmp_path / "worker.log"

    private_redis.start()
    with publishing_to(private_redis.url):
        slow_inbox_email.apply_async((message.pk, 60))
    with celery_worker(
        private_redis.url,
        emails=emails,
        media=_private_media,
        log=log,
        include=("tests.core.worker_tasks",),
    ):
        child = wait_for(
            lambda: counters.get(names["waiting_pid"]),
            seconds=30,
            what="the task to start",
            log=log,
        )
        os.kill(int(child), signal.SIGKILL)
        wait_for(
            lambda: counters.get(names["finished"]),
            seconds=30,
            what="the task to be delivered again and finish",
            log=log,
        )
        wait_for(lambda: counters.hlen("unacked") == 0, seconds=10, what="the ack", log=log)

    assert int(counters.get(names["deliveries"])) == 2
    assert int(counters.get(names["finished"])) == 1
    assert emails_sent(emails) == Counter({message.recipient.email: 1})
    message.refresh_from_db()
    assert message.emailed_at is not None
