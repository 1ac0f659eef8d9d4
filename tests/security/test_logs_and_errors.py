"""Row 49: a mistake in a form or a fault in the code never puts a child's name, an address or a
token in the logs, and the person sees a kind page rather than the code's insides."""

from django.test import Client
from django.urls import reverse

import pytest

from tests.security.pages import error_summary

pytestmark = pytest.mark.django_db

CHILD = "Amelia Hartley-Jones"
EMAIL = "amelia.mum@example.test"
TOKEN = "Zq9XbT4pLm2Rw7Yc"
TYPED = f"Breakfast club. Referred: {CHILD}, aged 7. Mum: {EMAIL}. Link token={TOKEN}"
SECRETS = (CHILD, "Hartley", EMAIL, TOKEN)


@pytest.fixture
def signed_in(sign_in, applicant):
    browser = Client(raise_request_exception=False)
    sign_in(applicant, client=browser)
    return browser


def _new_group(**overrides):
    return {
        "name": "Estate Families Group",
        "legal_form": "unincorporated",
        "address": "1 High Street",
        "postcode": "BF1 2AB",
        "description": TYPED,
        **overrides,
    }


@pytest.fixture
def broken_save(monkeypatch):
    """A fault of the kind that quotes what was typed, as database and parsing errors do."""

    def save(*, owner, **fields):
        raise ValueError(f"could not store organisation {fields!r}")

    monkeypatch.setattr("core.views.organisation_create", save)


def test_an_unexpected_fault_shows_a_kind_page_without_the_codes_insides(signed_in, broken_save):
    response = signed_in.post(reverse("core:organisation_create"), _new_group())

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    for leak in ("Traceback", "ValueError", "could not store", "core/views.py", *SECRETS):
        assert leak not in response.text


def test_an_unexpected_fault_is_logged_for_fixing_without_what_was_typed(
    signed_in, broken_save, captured_logs
):
    signed_in.post(reverse("core:organisation_create"), _new_group())

    log = captured_logs.getvalue()
    assert "Internal Server Error: /organisations/new/" in log
    assert "ValueError" in log  # what went wrong, and where, is still there to fix
    assert "core/views.py" in log
    for secret in SECRETS:
        assert secret not in log


def test_a_form_with_mistakes_keeps_what_was_typed_out_of_the_logs(signed_in, captured_logs):
    response = signed_in.post(reverse("core:organisation_create"), _new_group(postcode="NOTACODE"))

    assert response.status_code in (200, 400)
    assert "Enter a real UK postcode" in " ".join(error_summary(response))
    for secret in SECRETS:
        assert secret not in captured_logs.getvalue()
