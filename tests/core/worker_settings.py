"""Settings for a real Celery worker that a test starts (tests/core/test_outbox.py): the test's own
database and broker, passed in the environment, and emails written as files the test can count."""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": env("TEST_EMAIL_DIR")},
    }
}
