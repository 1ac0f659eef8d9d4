from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from celery import shared_task

from core.models import InboxMessage


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_inbox_email(self, message_id: int) -> bool:
    """Email an inbox message once: a retry or a duplicate delivery finds it already sent."""
    message = InboxMessage.objects.select_related("recipient").filter(pk=message_id).first()
    if message is None or message.emailed_at is not None or not message.recipient.is_active:
        return False
    email = EmailMultiAlternatives(
        message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient.email]
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    claimed = InboxMessage.objects.filter(pk=message_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        email.send()
    except OSError:
        InboxMessage.objects.filter(pk=message_id).update(emailed_at=None)
        raise
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_plain_email(to: str, subject: str, body: str, html: str | None = None) -> None:
    email = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    if html:
        email.attach_alternative(html, "text/html")
    email.send()


@shared_task
def ping() -> str:
    """Used by /healthz to prove a worker answers."""
    return "pong"


@shared_task
def dispatch_pending_tasks() -> dict[str, int]:
    """Every minute: queue again the tasks the broker refused when they were first sent."""
    from core.outbox import outbox_dispatch_pending

    run = outbox_dispatch_pending()
    return {"sent": run.sent, "failed": run.failed, "pending": run.pending}


@shared_task
def delete_dispatched_tasks() -> int:
    """Nightly: forget queued tasks sent more than OUTBOX_RETENTION_DAYS ago (they hold email
    addresses and message text as their arguments)."""
    from core.outbox import outbox_delete_dispatched

    return outbox_delete_dispatched()
