"""The test suite: PostgreSQL when DATABASE_URL is set (CI), SQLite otherwise; production-like security."""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, STORAGES, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-real-site-0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests call tasks through Celery; they run in-process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", "/tmp/seedbed-test-private")  # noqa: S108
STORAGES["private"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
}
# Production-like cookies and HSTS, so the security tests see what a council's users get.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
WAGTAILADMIN_BASE_URL = "http://testserver"
# One process per test worker, and the cache is cleared for each test.
REMEMBER_ACCESS = True
