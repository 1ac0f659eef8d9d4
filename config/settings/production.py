"""A council's servers. Refuses to start without a real secret key, database and broker."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, SECRET_KEY, env, env_bool

_INSECURE_MARKERS = ("insecure", "dev-only", "change-me", "test-only")
if len(SECRET_KEY) < 50 or any(marker in SECRET_KEY for marker in _INSECURE_MARKERS):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
if not CELERY_BROKER_URL or CELERY_BROKER_URL.startswith("memory"):
    raise ImproperlyConfigured(
        "REDIS_URL (or CELERY_BROKER_URL) must point at a real broker in production."
    )
if not env("FIELD_ENCRYPTION_SALT"):
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_SALT must be set (a random value) to encrypt groups' bank details."
    )

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DB_CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the load balancer every request arrives from its address: sign-in rate limits must count
# the visitor's address, which each proxy appends to X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "1"))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
CELERY_TASK_ALWAYS_EAGER = False
