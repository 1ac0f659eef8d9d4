import stripe
from celery import shared_task

from payments.services import events, runs

# Stripe could not be reached or had a fault of its own: the same request, with the same
# idempotency key, is safe to send again.
TRANSIENT = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError, OSError)


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=10)
def process_stripe_event(self, event_id: int) -> bool:
    """Apply a stored webhook event. Retried with back-off; still failing, it waits on the finance
    dashboard with its error, where an officer can try it again."""
    return events.event_process(event_id)


@shared_task(bind=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=10)
def send_transfer(self, payment_id: int) -> str:
    return runs.transfer_send(payment_id).status


@shared_task
def reconcile_yesterday() -> int:
    import datetime

    from django.utils import timezone

    from payments.services.reconciliation import reconcile
    from payments.stripe_api import stripe_configured

    if not stripe_configured():
        return 0
    day = timezone.localdate() - datetime.timedelta(days=1)
    return reconcile(date_from=day, date_to=day).items.count()
