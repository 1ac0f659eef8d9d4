import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is used there safely.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test keeps its uploads in its own folder, so parallel workers never share files."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    from django.core.files.storage import storages

    storages._storages.pop("private", None)
    yield location
    storages._storages.pop("private", None)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def totp_code():
    """The current code for a test user's authenticator."""
    from tests.factories.core import totp_code_now

    return lambda offset_steps=0: totp_code_now(offset_steps=offset_steps)


@pytest.fixture
def sign_in(client, totp_code):
    """Sign in through the real pages: password, then the authenticator code if the person has one."""
    from tests.factories.core import TEST_PASSWORD

    def do(user, *, client=client, code: str | None = None):
        response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
        if response.status_code == 302 and response["Location"].startswith(
            "/accounts/2fa/authenticate"
        ):
            response = client.post("/accounts/2fa/authenticate/", {"code": code or totp_code()})
        return response

    return do


@pytest.fixture
def client_for(sign_in):
    """A browser of their own for each person, signed in through the real pages."""
    from django.test import Client

    def do(user) -> "Client":
        client = Client()
        assert sign_in(user, client=client).status_code == 302
        return client

    return do
