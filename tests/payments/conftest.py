import pytest

from tests.payments.fake_stripe import FakeStripe


@pytest.fixture(scope="session")
def _fake_stripe_server():
    """One fake Stripe server per test process; each test gets it emptied."""
    fake = FakeStripe()
    yield fake
    fake.stop()


@pytest.fixture
def fake_stripe(settings, _fake_stripe_server):
    """Point Seedbed's Stripe client at the fake, with no retries and a short timeout."""
    fake = _fake_stripe_server
    fake.reset()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_fake"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT_SECONDS = 1.0
    yield fake
    fake.reset()


@pytest.fixture
def deliver(client, fake_stripe, django_capture_on_commit_callbacks):
    """Post an event to the webhook endpoint, signed as Stripe signs it, and let the worker run
    whatever the delivery queued (as it would once the request's transaction commits)."""
    from django.urls import reverse

    from tests.payments.webhooks import TEST_WEBHOOK_SECRET, signed_delivery

    def post(event: dict, *, secret: str = TEST_WEBHOOK_SECRET, timestamp=None, client=client):
        body, header = signed_delivery(event, secret=secret, timestamp=timestamp)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("payments:stripe-webhook"),
                data=body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header,
            )

    return post


@pytest.fixture
def worker_retries(monkeypatch):
    """Tasks still run in the test, but one that fails is retried as a worker retries it (at
    once, without the back-off wait) instead of its first error reaching the test, and one that
    runs out of retries fails quietly, as on a worker."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
