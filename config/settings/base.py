"""Settings shared by every environment.

Production-safe by default: everything that differs between a laptop and a council's servers is read from
the environment, and the environment-specific modules (dev, test, production) only adjust what they must.
"""

import os
from pathlib import Path

from django.utils.csp import CSP

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Ours first, so our templates override the libraries'.
    "core",
    "cms",
    "grants",
    "payments",
    "commissioning",
    "kitemark",
    "outcomes",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_fsm",
    "crispy_forms",
    "crispy_forms_gds",
    # Accounts and MFA
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before our middleware: the timeout and MFA redirects tell the person why with a message.
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "core.middleware.SessionTimeoutMiddleware",
    "core.middleware.RequireMFAMiddleware",
    "core.middleware.PrivacyHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cms.context_processors.site",
                "core.context_processors.seedbed",
            ],
            "builtins": ["core.templatetags.money", "core.templatetags.dates"],
        },
    },
]

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Database: PostgreSQL in production and CI (DATABASE_URL); SQLite on a laptop with nothing set.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour, the longest a reset link should live

# django-allauth: email is the username; MFA is required for staff-facing roles (core.middleware).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_RATE_LIMITS = {
    # 10 failures a minute from one address, 5 per account in 5 minutes; both lift on their own.
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/ip",
}
ACCOUNT_ADAPTER = "core.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "core.account_forms.SeedbedLoginForm",
    "signup": "core.account_forms.SeedbedSignupForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_ADAPTER = "core.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Seedbed")
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_RATE_LIMITS = {"mfa_authenticate": "5/m/key"}
# Sessions are recorded at sign-in ("where you are signed in"); tracking every request's activity
# would write to the database on each page, which the idle time-out below does not need.
USERSESSIONS_TRACK_ACTIVITY = False

# Sessions: an idle limit and an absolute limit (core.middleware.SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_IDLE_TIMEOUT = int(env("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(env("SESSION_ABSOLUTE_TIMEOUT", str(12 * 60 * 60)))
SESSION_TIMEOUT_WARNING = 5 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "static_build"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Private uploads never sit under MEDIA_URL: they are served by a permission-checked view.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env("AWS_STORAGE_BUCKET_NAME"):
    # S3-compatible object storage; private uploads use their own bucket with no public ACL.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": env("AWS_STORAGE_BUCKET_NAME"), "default_acl": "public-read"},
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_PRIVATE_BUCKET_NAME", env("AWS_STORAGE_BUCKET_NAME")),
            "location": "private",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Uploads: limits checked by content in core.uploads; these stop oversize bodies before they are read.
UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
UPLOAD_MAX_IMAGE_PIXELS = 40_000_000

# Cache: Redis when configured (rate limits and TOTP replay protection need one shared cache).
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What a signed-in person may do is remembered between requests (core.access) only in a cache that
# every process shares: in a cache of each process's own, a role taken away through one process
# would still be remembered by the others.
REMEMBER_ACCESS = bool(REDIS_URL)
# Sessions live in the database and, with a shared cache, are read through it: one query fewer on
# every signed-in page. Ending a session (signing out, "sign out everywhere", deactivating an
# account) goes through the session store, which removes it from both.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# Celery: Redis broker; with no broker configured tasks run eagerly, in the request.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = not CELERY_RESULT_BACKEND
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks are published from web requests after commit (core.outbox): a broker that is down must
# not hold the page. Give up connecting after 2 s, and waiting on a silent connection after 5 s;
# the outbox keeps the task and sends it again. (Both stay above the worker's 1 s BRPOP.)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BEAT_SCHEDULE: dict = {
    "purge-expired-family-records": {
        "task": "outcomes.tasks.purge_expired_family_records",
        "schedule": 24 * 60 * 60,
    },
    "send-monitoring-reminders": {
        "task": "grants.tasks.send_monitoring_reminders",
        "schedule": 24 * 60 * 60,
    },
    "delete-old-report-exports": {
        "task": "outcomes.tasks.delete_old_report_exports",
        "schedule": 24 * 60 * 60,
    },
    "delete-old-application-exports": {
        "task": "grants.tasks.delete_old_application_exports",
        "schedule": 24 * 60 * 60,
    },
    "reconcile-stripe-yesterday": {
        "task": "payments.tasks.reconcile_yesterday",
        "schedule": 24 * 60 * 60,
    },
    # Tasks the broker refused when first sent (core.outbox). A run not started within the minute
    # is dropped: the next one does the same work.
    "dispatch-pending-tasks": {
        "task": "core.tasks.dispatch_pending_tasks",
        "schedule": 60,
        "options": {"expires": 55},
    },
    "delete-dispatched-tasks": {
        "task": "core.tasks.delete_dispatched_tasks",
        "schedule": 24 * 60 * 60,
    },
}
# Prepared downloads (committee reports, application lists) are deleted after this many days.
DOWNLOAD_RETENTION_DAYS = int(env("DOWNLOAD_RETENTION_DAYS", "7"))
# Sent tasks are kept this many days in the outbox table (for "was it sent?"), then deleted.
OUTBOX_RETENTION_DAYS = int(env("OUTBOX_RETENTION_DAYS", "7"))

# Email: one mailer, configured from the environment.
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": int(env("EMAIL_PORT", "25")),
            "username": env("EMAIL_HOST_USER"),
            "password": env("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "timeout": 20,
        },
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Seedbed <no-reply@seedbed.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Stripe (used by the money capability); keys only ever come from the environment.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Bank details are encrypted with a key derived from SECRET_KEY and this salt (a list rotates it:
# the first encrypts, all decrypt). Production refuses to start without one.
SALT_KEY = [key for key in env("FIELD_ENCRYPTION_SALT", "").split(",") if key] or [
    "seedbed-development-salt-not-for-production"
]
# BACS files: the council's own account, which the payments are drawn from.
BACS_ORIGINATOR_NAME = env("BACS_ORIGINATOR_NAME", "BRACKENFORD BC")
BACS_ORIGINATOR_SORT_CODE = env("BACS_ORIGINATOR_SORT_CODE", "000000")
BACS_ORIGINATOR_ACCOUNT = env("BACS_ORIGINATOR_ACCOUNT", "00000000")
BACS_SERVICE_USER_NUMBER = env("BACS_SERVICE_USER_NUMBER", "")
# Another address for Stripe's API (a test double, a staging proxy); empty means Stripe itself.
STRIPE_API_BASE = env("STRIPE_API_BASE")
STRIPE_MAX_NETWORK_RETRIES = int(env("STRIPE_MAX_NETWORK_RETRIES", "2"))
STRIPE_TIMEOUT_SECONDS = float(env("STRIPE_TIMEOUT_SECONDS", "20"))
# A webhook signed more than this many seconds ago, or ahead of our clock, is refused.
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300

# 360Giving identifiers
SEEDBED_360G_PREFIX = env("SEEDBED_360G_PREFIX", "seedbed")
SEEDBED_FUNDER_ORG_ID = env("SEEDBED_FUNDER_ORG_ID", "GB-LAE-XXX")

# 360Giving open data (grants.open_data). Grant identifiers are `<GRANTS_360G_PREFIX>-<reference>`;
# the prefix is the one 360Giving registered for the council, which unregistered groups' org-ids use too.
GRANTS_360G_PREFIX = env("GRANTS_360G_PREFIX", f"360G-{SEEDBED_360G_PREFIX}")
GRANTS_FUNDER_ORG_ID = env("GRANTS_FUNDER_ORG_ID", SEEDBED_FUNDER_ORG_ID)
GRANTS_FUNDER_NAME = env("GRANTS_FUNDER_NAME", "Brackenford Borough Council")
GRANTS_PUBLISHER_NAME = env("GRANTS_PUBLISHER_NAME", GRANTS_FUNDER_NAME)
# Where borough-wide funds' beneficiaries are: the borough's name.
GRANTS_BOROUGH_NAME = env("GRANTS_BOROUGH_NAME", "Brackenford")
# Whose bank holidays working days leave out (grants.services.dates): ENG (England and Wales),
# WLS, SCT or NIR.
BANK_HOLIDAYS_REGION = env("BANK_HOLIDAYS_REGION", "ENG")
GRANTS_OPEN_DATA_LICENCE = env(
    "GRANTS_OPEN_DATA_LICENCE",
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
)

# Security headers. Production tightens cookies and HTTPS; the policy itself is the same everywhere.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
# The Wagtail admin sets inline styles on a few widgets; it gets its own, slightly wider policy.
ADMIN_CSP = {
    **SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
}

# Wagtail
WAGTAIL_SITE_NAME = env("SEEDBED_SITE_NAME", "Seedbed")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILIMAGES_MAX_IMAGE_PIXELS = UPLOAD_MAX_IMAGE_PIXELS
# No Gravatar: it would send a hash of each staff member's email to a third party on every page.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Logging: never the request body, never personal data. core.logging strips what slips through.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logging.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "seedbed.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
