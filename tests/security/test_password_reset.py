"""Row 9: a reset link works once, for an hour at most, and never stands in for the second step."""

import re

from django.core import mail
from django.test import Client

import pytest

from tests.factories import UserFactory
from tests.security.pages import is_signed_in, main_text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a completely different passphrase"
BAD_LINK = "The password reset link was invalid"


@pytest.fixture
def reset_link(client, django_capture_on_commit_callbacks):
    def ask(person) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/password/reset/", {"email": person.email})
        (message,) = [m for m in mail.outbox if m.to == [person.email]]
        return re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", message.body)[1]

    return ask


def _use(link: str, browser: Client | None = None):
    """Open the link and choose a new password, as the person would."""
    browser = browser or Client()
    opened = browser.get(link)
    if opened.status_code != 302:
        return opened
    return browser.post(opened["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def _password_works(person, password) -> bool:
    browser = Client()
    response = browser.post("/accounts/login/", {"login": person.email, "password": password})
    return response.status_code == 302


def test_a_reset_link_works_once(reset_link, applicant):
    link = reset_link(applicant)

    first = _use(link)
    second = _use(link)

    assert first.status_code == 302
    assert first["Location"] == "/accounts/password/reset/key/done/"
    assert _password_works(applicant, NEW_PASSWORD)
    assert second.status_code == 200
    assert BAD_LINK in main_text(second)


def test_the_reset_key_leaves_the_address_bar_before_the_new_password_is_typed(
    reset_link, applicant
):
    link = reset_link(applicant)
    key = link.rstrip("/").rsplit("-", 1)[-1]

    opened = Client().get(link)

    assert opened.status_code == 302
    assert key not in opened["Location"]


@pytest.mark.parametrize(
    ("minutes", "works"), [(59, True), (61, False)], ids=["after 59 minutes", "after 61 minutes"]
)
def test_a_reset_link_stops_working_after_an_hour(reset_link, applicant, clock, minutes, works):
    link = reset_link(applicant)

    clock.shift(minutes * 60)
    response = _use(link)

    assert _password_works(applicant, NEW_PASSWORD) is works
    if not works:
        assert BAD_LINK in main_text(response)


def test_resetting_the_password_does_not_skip_the_authenticator_code(reset_link, clock):
    person = UserFactory(with_mfa=True, staff=True)
    browser = Client()

    _use(reset_link(person), browser)

    assert not is_signed_in(browser)
    response = browser.post("/accounts/login/", {"login": person.email, "password": NEW_PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not is_signed_in(browser)
    assert browser.get("/dashboard/")["Location"].startswith("/accounts/login/")
