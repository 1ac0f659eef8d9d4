"""Row 2: nobody can find out whether an email address has an account, from what a page says or
from how long it takes."""

import statistics
import time

from django.core.cache import cache
from django.test import Client

import pytest

from tests.factories import UserFactory
from tests.factories.core import TEST_PASSWORD
from tests.security.pages import banners, error_summary, main_text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and unguessable passphrase"
TRIES = 10
# Generous, so a loaded two-core machine does not fail the test: a skipped password hash (the
# leak that matters) makes one kind of request several times slower than the other.
THRESHOLD_SECONDS = 0.05
THRESHOLD_RATIO = 0.5


@pytest.fixture
def real_password_hashing(settings):
    """The production hasher, so "no such account" cannot answer faster by skipping the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.ScryptPasswordHasher"]


def _what_a_person_sees(response) -> tuple:
    return (
        response.status_code,
        response.get("Location"),
        error_summary(response),
        main_text(response),
    )


def _post(path, data, n):
    # A new browser each time, from its own address, so rate limits do not join in.
    return Client().post(path, data, REMOTE_ADDR=f"192.0.2.{n}")


FLOWS = {
    "sign in": ("/accounts/login/", lambda email: {"login": email, "password": "wrong guess"}),
    "password reset": ("/accounts/password/reset/", lambda email: {"email": email}),
    "registration": (
        "/accounts/signup/",
        lambda email: {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    ),
}


@pytest.mark.parametrize("flow", FLOWS)
def test_a_page_says_the_same_for_an_address_with_or_without_an_account(flow):
    path, form = FLOWS[flow]
    member = UserFactory()

    known = _post(path, form(member.email), 1)
    unknown = _post(path, form("nobody@example.test"), 2)

    assert _what_a_person_sees(known) == _what_a_person_sees(unknown)
    assert known.status_code in (200, 302)


@pytest.mark.parametrize("flow", FLOWS)
def test_a_page_takes_as_long_for_an_address_with_or_without_an_account(
    flow, real_password_hashing
):
    path, form = FLOWS[flow]
    member = UserFactory()
    known, unknown = [], []
    for n in range(TRIES):
        # Alternate, so a slow patch of the machine slows both kinds of request alike.
        for email, times in ((member.email, known), (f"nobody{n}@example.test", unknown)):
            cache.clear()  # rate limits would answer early; this measures the work itself
            started = time.perf_counter()
            _post(path, form(email), n)
            times.append(time.perf_counter() - started)

    typical_known, typical_unknown = statistics.median(known), statistics.median(unknown)
    difference = abs(typical_known - typical_unknown)
    assert difference < max(
        THRESHOLD_SECONDS, THRESHOLD_RATIO * max(typical_known, typical_unknown)
    ), f"{flow}: {typical_known:.3f}s with an account, {typical_unknown:.3f}s without"


def test_adding_an_address_that_belongs_to_someone_else_looks_like_adding_a_free_one(
    client, sign_in, applicant
):
    someone_else = UserFactory()
    sign_in(applicant)
    client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})

    taken = client.post("/accounts/email/", {"action_add": "", "email": someone_else.email})
    taken_banner = banners(client.get(taken["Location"]))
    free = client.post("/accounts/email/", {"action_add": "", "email": "free@example.test"})
    free_banner = banners(client.get(free["Location"]))

    assert (taken.status_code, taken["Location"]) == (free.status_code, free["Location"])
    assert f"Confirmation email sent to {someone_else.email}." in taken_banner
    assert "Confirmation email sent to free@example.test." in free_banner
