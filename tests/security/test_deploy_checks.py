"""Row 53: production settings pass Django's deployment checks and ours with no findings, and a
weakened setting makes them fail, so CI fails with it."""

import io

from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils.csp import CSP

import pytest

from tests.security.conftest import run_with_production_settings

DEPLOY_CHECK = ("manage.py", "check", "--deploy", "--fail-level", "WARNING")


def test_production_settings_pass_the_deployment_checks_with_no_findings():
    result = run_with_production_settings(*DEPLOY_CHECK)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_turning_off_the_https_redirect_fails_the_deployment_checks():
    result = run_with_production_settings(*DEPLOY_CHECK, SECURE_SSL_REDIRECT="off")

    assert result.returncode != 0
    assert "security.W008" in result.stderr


@pytest.mark.parametrize(
    ("environment", "complaint"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "dev-only-insecure-" + "x" * 50}, "SECRET_KEY must be set"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "DATABASE_URL must point at PostgreSQL"),
        ({"REDIS_URL": "", "CELERY_BROKER_URL": ""}, "must point at a real broker"),
        ({"REDIS_URL": "", "CELERY_BROKER_URL": "memory://"}, "must point at a real broker"),
        ({"FIELD_ENCRYPTION_SALT": ""}, "FIELD_ENCRYPTION_SALT must be set"),
    ],
    ids=["short key", "development key", "SQLite", "no broker", "in-memory broker", "no salt"],
)
def test_production_refuses_to_start_with_an_unsafe_environment(environment, complaint):
    result = run_with_production_settings(*DEPLOY_CHECK, **environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def _our_findings() -> str:
    output = io.StringIO()
    try:
        call_command("check", "--deploy", "--fail-level", "ERROR", stdout=output, stderr=output)
    except SystemCheckError as error:
        output.write(str(error))
    return output.getvalue()


@pytest.mark.parametrize(
    ("weakening", "finding"),
    [
        ({"SESSION_COOKIE_NAME": "sessionid"}, "seedbed.W001"),
        ({"CSRF_COOKIE_NAME": "csrftoken"}, "seedbed.W002"),
        ({"SECURE_CSP": {"default-src": [CSP.SELF]}}, "seedbed.W003"),
        ({"SECURE_HSTS_SECONDS": 60 * 60 * 24}, "seedbed.W005"),
        ({"MFA_TOTP_INSECURE_BYPASS_CODE": "123456"}, "seedbed.E001"),
    ],
    ids=["session cookie", "csrf cookie", "csp", "short hsts", "mfa bypass"],
)
@pytest.mark.django_db
def test_our_own_checks_catch_a_weakened_setting(settings, weakening, finding):
    assert finding not in _our_findings()

    for name, value in weakening.items():
        setattr(settings, name, value)

    assert finding in _our_findings()


@pytest.mark.django_db
def test_a_cache_that_each_process_keeps_for_itself_is_reported(settings):
    # Only the setting is read: no Redis is reached.
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x/0"}
    settings.CACHES = {"default": redis}
    assert "seedbed.W006" not in _our_findings()

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert "seedbed.W006" in _our_findings()


@pytest.mark.django_db
def test_publishing_open_data_under_the_placeholder_funder_is_reported(settings):
    settings.GRANTS_FUNDER_ORG_ID = "GB-LAE-BRK"
    assert "seedbed.W007" not in _our_findings()

    settings.GRANTS_FUNDER_ORG_ID = "GB-LAE-XXX"

    assert "seedbed.W007" in _our_findings()
