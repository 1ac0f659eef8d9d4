"""Tasks queued through the database, so that a change and the work it needs are saved together.

`transaction.on_commit(lambda: task.delay(...))` loses the task when the broker is down at commit:
the change is saved, `.delay()` raises, the person sees an error page and the email or PDF never
comes. `enqueue_after_commit` instead writes an `OutboxTask` row inside the caller's transaction,
so the task exists exactly when the change does (a rolled-back change queues nothing), publishes
it once the transaction commits and marks it dispatched. If the broker refuses, the row stays
pending, a warning is logged and the request carries on; `core.tasks.dispatch_pending_tasks` (every
minute) and `manage.py dispatch_pending_tasks` publish it again later.

Publishing again can deliver a task twice: the broker may have taken a message whose row was never
marked (the process died between the two, or the reply was lost). That is safe because every task
queued this way checks state before acting (an email already sent, a PDF already made, an export
no longer queued), and any new one must do the same.

Arguments are stored as JSON, so they must be plain values: numbers, strings, booleans, None, and
lists or dicts of those, as the tasks' JSON serializer needs anyway.
"""

import datetime
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from celery import Task, current_app

from core.models import OutboxTask

logger = logging.getLogger("seedbed.tasks")

#: A pending row younger than this is left to the request that made it, which is still sending it.
PENDING_GRACE = datetime.timedelta(seconds=30)
#: Rows published per dispatcher run, so that one run stays short after a long outage.
DISPATCH_BATCH = 500
#: After a refusal, this process leaves new tasks to the dispatcher for this many seconds instead of
#: trying the broker for each: a page that queues several tasks waits for a dead broker once.
REFUSAL_MEMORY_SECONDS = 10.0

# time.monotonic() until which the broker is taken to be down (this process only).
_refused_until = 0.0


def enqueue_after_commit(task: Task, *args: Any, **kwargs: Any) -> OutboxTask:
    """Queue `task(*args, **kwargs)` once the current transaction commits, and keep it until the
    broker has it. Outside a transaction it is published at once."""
    row = OutboxTask.objects.create(task_name=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: _dispatch_after_commit(task, row))
    return row


def _dispatch_after_commit(task: Task, row: OutboxTask) -> None:
    if task.app.conf.task_always_eager:
        # Laptops and the test suite: the task runs here and now, as `.delay()` did, and its
        # errors reach the caller as they did. Marked first: running it is the dispatch.
        OutboxTask.objects.filter(pk=row.pk).update(
            dispatched_at=timezone.now(), attempts=1, args=[], kwargs={}
        )
        task.apply_async(row.args, row.kwargs)
        return
    if time.monotonic() < _refused_until:
        logger.warning(
            "Left %s (outbox task %s) for the dispatcher: the broker refused a task moments ago.",
            task.name,
            row.pk,
        )
        return
    try:
        with transaction.atomic():
            # Locked so that a dispatcher run at this moment skips the row rather than sending it
            # too; gone from the pending rows if that run already sent it.
            locked = (
                OutboxTask.objects.select_for_update(skip_locked=True)
                .filter(pk=row.pk, dispatched_at__isnull=True)
                .first()
            )
            if locked is not None:
                _send(task, locked)
    except Exception as exc:  # the change is saved; the dispatcher will send the task
        logger.warning(
            "Could not record the dispatch of outbox task %s (%s): %s",
            row.pk,
            task.name,
            type(exc).__name__,
        )


def _publish(task: Task, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Hand one message to the broker, or raise at once."""
    app = task.app
    if app.conf.task_always_eager:
        task.apply_async(args, kwargs)
        return
    with app.producer_or_acquire() as producer:
        # Connect without kombu's own retries: when the broker refuses, kombu would sleep and try
        # again for `broker_connection_timeout` seconds while the person waits for the page. The
        # transport options in settings bound a broker that does not answer at all.
        producer.connection.ensure_connection(max_retries=0)
        task.apply_async(args, kwargs, producer=producer, retry=False)


def _send(task: Task, row: OutboxTask) -> bool:
    """Publish a locked, pending row and record the outcome. False if the broker refused."""
    global _refused_until
    row.attempts += 1
    try:
        _publish(task, row.args, row.kwargs)
    except Exception as exc:  # whatever stopped the publish, the row waits for the next run
        _refused_until = time.monotonic() + REFUSAL_MEMORY_SECONDS
        row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        row.save(update_fields=["attempts", "last_error"])
        logger.warning(
            "Could not queue %s (outbox task %s, attempt %s); it will be sent again later: %s",
            task.name,
            row.pk,
            row.attempts,
            row.last_error,
        )
        return False
    row.dispatched_at = timezone.now()
    row.last_error = ""
    # Once the broker has the message the row needs no arguments, and they can hold personal data
    # (an email's address and text): only the task's name and times are kept.
    row.args, row.kwargs = [], {}
    row.save(update_fields=["attempts", "dispatched_at", "last_error", "args", "kwargs"])
    return True


@dataclass(frozen=True)
class DispatchRun:
    sent: int
    failed: int
    #: Rows still waiting after the run, however old.
    pending: int


def outbox_dispatch_pending(
    *, older_than: datetime.timedelta = PENDING_GRACE, limit: int = DISPATCH_BATCH
) -> DispatchRun:
    """Publish pending rows older than `older_than`, oldest first, up to `limit` of them."""
    cutoff = timezone.now() - older_than
    sent = failed = 0
    with transaction.atomic():
        # SKIP LOCKED: two dispatchers (the beat task and an operator's command, or a request still
        # sending its own row) never publish the same row at once; each takes the rows no one holds.
        rows = (
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True, created_at__lte=cutoff)
            .order_by("created_at", "pk")[:limit]
        )
        for row in rows:
            task = current_app.tasks.get(row.task_name)
            if task is None:
                row.attempts += 1
                row.last_error = "No such task: it was renamed or removed."
                row.save(update_fields=["attempts", "last_error"])
                logger.error("Outbox task %s names an unknown task %s", row.pk, row.task_name)
                failed += 1
                continue
            if _send(task, row):
                sent += 1
            else:
                # The broker is down: the other rows wait for the next run rather than each
                # waiting for it in turn.
                failed += 1
                break
    pending = OutboxTask.objects.filter(dispatched_at__isnull=True).count()
    return DispatchRun(sent=sent, failed=failed, pending=pending)


def outbox_delete_dispatched(*, days: int | None = None) -> int:
    """Delete rows dispatched more than `days` ago. Pending rows are never deleted."""
    if days is None:
        days = outbox_retention_days()
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted, _ = OutboxTask.objects.filter(dispatched_at__lt=cutoff).delete()
    return deleted


def outbox_retention_days() -> int:
    return int(getattr(settings, "OUTBOX_RETENTION_DAYS", 7))
