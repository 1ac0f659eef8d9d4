"""Row 1: password guessing and credential stuffing are slowed down, logged, and never lock the
owner out for good."""

from django.test import Client

import pytest

from core.models import AuditEntry
from core.models.audit import AuditAction
from tests.factories import UserFactory
from tests.factories.core import TEST_PASSWORD
from tests.security.pages import error_summary, is_signed_in

pytestmark = pytest.mark.django_db

WRONG = "not the right password"
WRONG_DETAILS = "The email address and/or password you specified are not correct."
THROTTLED = "Too many failed login attempts. Try again later."
ATTACKER_IP = "198.51.100.7"
OWNER_IP = "203.0.113.20"


def _try(client, email, password, ip=ATTACKER_IP):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_guessing_one_persons_password_is_stopped_after_five_tries(client):
    owner = UserFactory()
    messages = [error_summary(_try(client, owner.email, WRONG)) for _ in range(20)]

    assert messages[:5] == [[WRONG_DETAILS]] * 5
    assert messages[5:] == [[THROTTLED]] * 15
    # While throttled, even the right password does not get in from the guessing address.
    assert error_summary(_try(client, owner.email, TEST_PASSWORD)) == [THROTTLED]
    assert not is_signed_in(client)


def test_throttled_guessing_is_recorded_as_a_security_event_without_the_address_typed(
    client, captured_logs
):
    owner = UserFactory()
    for _ in range(7):
        _try(client, owner.email, WRONG)

    log = captured_logs.getvalue()
    assert log.count(f"sign-in failed ip={ATTACKER_IP}") == 5
    assert f"sign-in throttled ip={ATTACKER_IP}" in log
    assert owner.email not in log
    events = AuditEntry.objects.filter(action=AuditAction.SECURITY)
    assert events.count() == 2
    assert {event.detail["ip"] for event in events} == {ATTACKER_IP}


def test_the_owner_can_sign_in_again_once_the_cool_off_has_passed(client, clock):
    owner = UserFactory()
    for _ in range(20):
        _try(client, owner.email, WRONG)
    assert error_summary(_try(client, owner.email, TEST_PASSWORD)) == [THROTTLED]

    clock.shift(5 * 60 + 1)

    response = _try(client, owner.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert is_signed_in(client)


def test_one_password_tried_against_many_accounts_is_stopped_after_ten(client):
    people = UserFactory.create_batch(20)
    messages = [error_summary(_try(client, person.email, WRONG)) for person in people]

    assert messages[:10] == [[WRONG_DETAILS]] * 10
    assert messages[10:] == [[THROTTLED]] * 10


def test_stuffing_from_one_address_does_not_lock_out_the_owner_elsewhere(client):
    people = UserFactory.create_batch(20)
    for person in people:
        _try(client, person.email, WRONG)

    own_browser = Client()
    response = _try(own_browser, people[-1].email, TEST_PASSWORD, ip=OWNER_IP)
    assert response.status_code == 302
    assert is_signed_in(own_browser)


def test_behind_the_load_balancer_one_visitors_guessing_does_not_throttle_everyone(
    client, settings, production_settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = production_settings["ALLAUTH_TRUSTED_PROXY_COUNT"]
    load_balancer = "10.0.0.2"
    people = UserFactory.create_batch(11)
    for person in people[:10]:
        client.post(
            "/accounts/login/",
            {"login": person.email, "password": WRONG},
            REMOTE_ADDR=load_balancer,
            HTTP_X_FORWARDED_FOR=ATTACKER_IP,
        )

    own_browser = Client()
    response = own_browser.post(
        "/accounts/login/",
        {"login": people[10].email, "password": TEST_PASSWORD},
        REMOTE_ADDR=load_balancer,
        HTTP_X_FORWARDED_FOR=f"{ATTACKER_IP}, {OWNER_IP}",  # a forged entry, then the real one
    )
    assert response.status_code == 302
    assert is_signed_in(own_browser)


def test_a_flood_of_sign_in_requests_is_answered_with_too_many_requests(client):
    statuses = [_try(client, f"nobody{n}@example.test", WRONG).status_code for n in range(31)]

    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
