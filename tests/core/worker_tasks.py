"""A slow task for the worker-killed test, loaded by that test's worker with `--include`.

It does real, idempotent work (emails an inbox message, once however often it is delivered), then,
on its first delivery only, waits long enough for the test to kill the process running it. Redis
counts the deliveries and the finished runs, and holds the pid to kill.
"""

import os
import time

from django.conf import settings

import redis
from celery import shared_task

from core.tasks import send_inbox_email

KEY = "seedbed-test:slow-email"


def keys(message_id: int) -> dict[str, str]:
    return {
        name: f"{KEY}:{message_id}:{name}" for name in ("deliveries", "waiting_pid", "finished")
    }


@shared_task
def slow_inbox_email(message_id: int, pause_seconds: float) -> bool:
    names = keys(message_id)
    counters = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    delivery = counters.incr(names["deliveries"])
    sent = send_inbox_email(message_id)
    if delivery == 1:
        counters.set(names["waiting_pid"], os.getpid())
        time.sleep(pause_seconds)
    counters.incr(names["finished"])
    return sent
