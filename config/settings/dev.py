"""A laptop: SQLite unless DATABASE_URL says otherwise, tasks run eagerly, emails printed to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = ["*"]
MAILERS = {
    "default": {"BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
# The demo's staff users share one authenticator secret (printed by `make demo`); allauth refuses
# this bypass code unless DEBUG is on, so it can never reach production.
MFA_TOTP_INSECURE_BYPASS_CODE = env("MFA_DEMO_BYPASS_CODE", "") or None
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# runserver is one process: its own memory is shared by every request.
REMEMBER_ACCESS = True
