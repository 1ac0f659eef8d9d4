"""Row 8: a stolen session cookie is not enough to change the sign-in address or switch off
two-step sign-in, and the owner hears about either change at the address they had."""

import re

from django.core import mail

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from tests.factories import UserFactory
from tests.factories.core import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_ADDRESS = "new-address@example.test"


def test_changing_the_email_address_with_only_a_session_asks_for_the_password(
    client, sign_in, applicant, django_capture_on_commit_callbacks
):
    sign_in(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/email/", {"action_add": "", "email": NEW_ADDRESS})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email=NEW_ADDRESS).exists()
    assert mail.outbox == []


def test_switching_off_two_step_sign_in_with_only_a_session_asks_for_the_password(
    client, sign_in, clock
):
    person = UserFactory(with_mfa=True)
    sign_in(person)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert Authenticator.objects.filter(user=person).exists()


def test_the_old_address_is_told_when_the_sign_in_address_changes(
    client, sign_in, applicant, django_capture_on_commit_callbacks
):
    old_address = applicant.email
    sign_in(applicant)
    client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_add": "", "email": NEW_ADDRESS})
    (confirmation,) = mail.outbox
    assert confirmation.to == [NEW_ADDRESS]
    confirm_path = re.search(r"https?://[^/]+(/accounts/confirm-email/\S+)", confirmation.body)[1]
    client.post(confirm_path)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_primary": "", "email": NEW_ADDRESS})

    applicant.refresh_from_db()
    assert applicant.email == NEW_ADDRESS
    (warning,) = [message for message in mail.outbox if message.to == [old_address]]
    assert NEW_ADDRESS in warning.body


def test_the_owner_is_told_when_two_step_sign_in_is_switched_off(
    client, sign_in, clock, django_capture_on_commit_callbacks
):
    person = UserFactory(with_mfa=True)
    sign_in(person)
    client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/deactivate/")

    assert not Authenticator.objects.filter(user=person).exists()
    (warning,) = mail.outbox
    assert warning.to == [person.email]
    assert "deactivated" in warning.subject.lower()
