import datetime as dt
import io
import json
import logging
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
import time_machine

from core.enums import DocumentKind
from core.models import InboxMessage, Organisation, PrivateDocument, User
from core.services import document_store
from tests.factories import OrganisationMembershipFactory

# Ten seconds into a 30-second authenticator window, so a code stays valid while a test runs.
START = dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    """A stopped clock the test moves on by hand (`clock.shift(seconds)`)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def captured_logs():
    """What our logging configuration writes, exactly as it would reach the server's log: each
    configured stream handler (with its filters and formatter) writes into a buffer instead."""
    buffer = io.StringIO()
    loggers = [logging.getLogger(), *map(logging.getLogger, list(logging.root.manager.loggerDict))]
    handlers = {
        handler
        for logger in loggers
        for handler in getattr(logger, "handlers", [])
        if type(handler) is logging.StreamHandler
    }
    assert handlers, "no log handler is configured"
    previous = {handler: handler.setStream(buffer) for handler in handlers}
    yield buffer
    for handler, stream in previous.items():
        handler.setStream(stream)


@pytest.fixture
def applicant():
    """Someone who runs a community group and applies for funding: no staff role, no MFA."""
    return OrganisationMembershipFactory().user


@dataclass
class GroupRecords:
    owner: User
    organisation: Organisation
    document: PrivateDocument
    message: InboxMessage

    @property
    def ids(self) -> dict[str, int]:
        """Which id to put in which address, for sweeps over every URL pattern."""
        return {
            "organisations/": self.organisation.pk,
            "files/": self.document.pk,
            "messages/": self.message.pk,
        }


@pytest.fixture
def group_records() -> GroupRecords:
    """A group's owner with one of everything private: the group, a document, an inbox message."""
    membership = OrganisationMembershipFactory(organisation__name="Hidden Hollow Group")
    owner = membership.user
    document = document_store(
        organisation=membership.organisation,
        kind=DocumentKind.GOVERNING_DOCUMENT,
        uploaded=SimpleUploadedFile("rules.pdf", b"%PDF-1.4\nGroup rules\n%%EOF\n"),
        by=owner,
    )
    message = InboxMessage.objects.create(
        recipient=owner, kind="decision", subject="Your application", body="Good news."
    )
    return GroupRecords(owner, membership.organisation, document, message)


def production_env(**overrides: str) -> dict[str, str]:
    """The environment a council's server would have. Nothing is contacted: settings only need
    the database and broker addresses to be of the right kind."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
        and not key.startswith(("DJANGO_", "SECURE_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL="postgres://root@127.0.0.1:5432/postgres",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="grants.example.gov.uk",
        FIELD_ENCRYPTION_SALT=secrets.token_urlsafe(32),
        GRANTS_FUNDER_ORG_ID="GB-LAE-BRK",
    )
    env.update(overrides)
    return env


def run_with_production_settings(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def production_settings() -> dict:
    """Selected settings as production loads them, read in a separate process."""
    names = [
        "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_DOMAIN",
        "SESSION_COOKIE_PATH",
        "CSRF_COOKIE_NAME",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_SAMESITE",
        "CSRF_COOKIE_DOMAIN",
        "CSRF_COOKIE_PATH",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "DEBUG",
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "STORAGES",
        "MEDIA_ROOT",
        "STATIC_ROOT",
    ]
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}, default=str))"
    )
    result = run_with_production_settings("-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
