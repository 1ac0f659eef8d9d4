"""Rows 5, 6 and 7: a session cannot be planted, outlives neither sign-out nor deactivation, and
ends after a spell of inactivity and after a fixed time, without losing what was saved."""

from importlib import import_module

from django.conf import settings
from django.test import Client
from django.urls import reverse

import pytest
from allauth.usersessions.models import UserSession

from core.services import user_deactivate
from tests.factories import UserFactory
from tests.factories.core import TEST_PASSWORD
from tests.security.pages import banners, error_summary, is_signed_in, sends_to_sign_in

pytestmark = pytest.mark.django_db

SIGNED_OUT = "You were signed out to keep your account safe. Anything you saved is still there."


def _session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _browser_with_cookie(session_key: str) -> Client:
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return browser


# Row 5: session fixation


def test_a_session_id_planted_before_sign_in_is_not_the_one_that_gets_signed_in(
    client, sign_in, applicant
):
    planted = import_module(settings.SESSION_ENGINE).SessionStore()
    planted["planted_by"] = "attacker"
    planted.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    sign_in(applicant)

    assert is_signed_in(client)
    assert _session_key(client) != planted.session_key
    assert not is_signed_in(_browser_with_cookie(planted.session_key))


def test_the_session_id_changes_again_when_the_code_is_accepted(client, clock, totp_code):
    person = UserFactory(with_mfa=True)
    client.post("/accounts/login/", {"login": person.email, "password": TEST_PASSWORD})
    after_password = _session_key(client)

    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})

    assert is_signed_in(client)
    assert _session_key(client) != after_password
    assert not is_signed_in(_browser_with_cookie(after_password))


# Row 6: sessions after sign-out and deactivation


def test_signing_out_tells_the_browser_to_forget_the_site_and_kills_the_old_cookie(
    client, sign_in, applicant
):
    sign_in(applicant)
    old_cookie = _session_key(client)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert {part.strip() for part in response["Clear-Site-Data"].split(",")} == {
        '"cache"',
        '"cookies"',
        '"storage"',
    }
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
    replayed = _browser_with_cookie(old_cookie).get(reverse("core:dashboard"))
    assert sends_to_sign_in(replayed)


def test_deactivating_someone_ends_every_session_they_have_open(sign_in, applicant):
    laptop, phone = Client(), Client()
    sign_in(applicant, client=laptop)
    sign_in(applicant, client=phone)
    assert UserSession.objects.filter(user=applicant).count() == 2

    user_deactivate(user=applicant, by=None, reason="Left the group")

    for browser in (laptop, phone):
        assert sends_to_sign_in(browser.get(reverse("core:dashboard")))
    assert not UserSession.objects.filter(user=applicant).exists()
    again = Client()
    sign_in(applicant, client=again)
    assert not is_signed_in(again)


def test_someone_switched_off_in_the_admin_is_signed_out_at_their_next_click(
    client, sign_in, applicant
):
    sign_in(applicant)
    type(applicant).objects.filter(pk=applicant.pk).update(is_active=False)

    assert sends_to_sign_in(client.get(reverse("core:dashboard")))


# Row 7: idle and absolute timeouts


def test_an_idle_session_asks_the_person_to_sign_in_again(client, sign_in, clock, applicant):
    sign_in(applicant)
    clock.shift(settings.SESSION_IDLE_TIMEOUT - 60)
    assert client.get(reverse("core:dashboard")).status_code == 200

    clock.shift(settings.SESSION_IDLE_TIMEOUT + 1)
    response = client.get(reverse("core:inbox"))

    assert sends_to_sign_in(response)
    assert response["Location"] == "/accounts/login/?next=%2Fmessages%2F"
    assert SIGNED_OUT in banners(client.get(response["Location"]))
    assert not is_signed_in(client)


def test_checking_the_time_left_does_not_keep_a_session_alive(client, sign_in, clock, applicant):
    sign_in(applicant)
    left = []
    for _ in range(2):
        clock.shift(settings.SESSION_IDLE_TIMEOUT // 2 - 30)
        left.append(client.get(reverse("core:session_status")).json()["seconds_left"])
    assert left == [settings.SESSION_IDLE_TIMEOUT // 2 + 30, 60]

    clock.shift(61)

    assert sends_to_sign_in(client.get(reverse("core:dashboard")))


def test_an_active_session_still_ends_at_the_absolute_limit(client, sign_in, clock, applicant):
    sign_in(applicant)
    step = settings.SESSION_IDLE_TIMEOUT - 60
    elapsed = 0
    while elapsed + step < settings.SESSION_ABSOLUTE_TIMEOUT:
        clock.shift(step)
        elapsed += step
        assert client.get(reverse("core:dashboard")).status_code == 200, elapsed

    clock.shift(step)

    assert sends_to_sign_in(client.get(reverse("core:dashboard")))
    assert not is_signed_in(client)


def test_an_applicant_finds_their_saved_answers_after_signing_in_again(
    client, sign_in, clock, applicant
):
    organisation = applicant.organisation_memberships.get().organisation
    edit_url = reverse("core:organisation_edit", args=[organisation.pk])
    sign_in(applicant)
    saved = client.post(
        edit_url,
        {
            "name": organisation.name,
            "legal_form": organisation.legal_form,
            "address": organisation.address,
            "postcode": organisation.postcode,
            "description": "Saturday breakfast club for families in the estate",
        },
    )
    assert saved.status_code == 302, error_summary(saved)

    clock.shift(settings.SESSION_IDLE_TIMEOUT + 1)
    timed_out = client.get(edit_url)
    assert sends_to_sign_in(timed_out)

    back = client.post(timed_out["Location"], {"login": applicant.email, "password": TEST_PASSWORD})
    assert back["Location"] == edit_url
    assert "Saturday breakfast club for families in the estate" in client.get(edit_url).text
