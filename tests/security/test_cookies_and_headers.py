"""Rows 10 and 54: cookies a browser keeps to this host over HTTPS only, and the security headers on
every page, for every kind of visitor."""

import re

from django.conf import settings
from django.test import Client

import pytest

from core.enums import Role
from tests.factories import UserFactory
from tests.security.sweep import every_get_path

pytestmark = pytest.mark.django_db

ONE_YEAR = 60 * 60 * 24 * 365


def _assert_host_only_and_secure(cookie, *, http_only: bool) -> None:
    assert cookie.key.startswith("__Host-")
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    assert cookie["samesite"] == "Lax"
    assert bool(cookie["httponly"]) is http_only


# Row 10: cookie flags


def test_the_form_protection_cookie_is_host_only_https_only_and_same_site(client):
    response = client.get("/accounts/login/", secure=True)

    _assert_host_only_and_secure(response.cookies["__Host-csrftoken"], http_only=False)


def test_the_session_cookie_is_host_only_https_only_hidden_from_scripts_and_same_site(
    client, sign_in, applicant
):
    response = sign_in(applicant)

    _assert_host_only_and_secure(response.cookies["__Host-sessionid"], http_only=True)


def test_production_sets_its_cookies_the_way_these_tests_check(production_settings):
    cookie_settings = {
        name: value for name, value in production_settings.items() if "_COOKIE_" in name
    }

    assert cookie_settings == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": "/",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_PATH": "/",
    }
    assert {name: getattr(settings, name) for name in cookie_settings} == cookie_settings


# Row 54: security headers on every page


def _header_problems(path: str, response) -> list[str]:
    problems = []
    hsts = response.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    if not max_age or int(max_age[1]) < ONE_YEAR or "includeSubDomains" not in hsts:
        problems.append(f"{path}: Strict-Transport-Security is {hsts!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{path}: no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in {"strict-origin-when-cross-origin", "no-referrer"}:
        problems.append(f"{path}: Referrer-Policy is {response.get('Referrer-Policy')!r}")
    if response.get("Cross-Origin-Opener-Policy") != "same-origin":
        problems.append(f"{path}: Cross-Origin-Opener-Policy is missing")
    if response.get("Content-Type", "").startswith("text/html"):
        policy = {
            directive.split()[0]: directive.split()[1:]
            for directive in response.get("Content-Security-Policy", "").split(";")
            if directive.strip()
        }
        for directive in ("object-src", "base-uri", "frame-ancestors"):
            if policy.get(directive) != ["'none'"]:
                problems.append(f"{path}: CSP {directive} is {policy.get(directive)}")
    return problems


@pytest.fixture
def visitor_client(request, sign_in, clock, group_records):
    """Someone not signed in, a group's owner, or an administrator past the second step."""
    client = Client(raise_request_exception=False)
    if request.param == "owner":
        sign_in(group_records.owner, client=client)
    elif request.param == "administrator":
        administrator = UserFactory(
            with_mfa=True, staff=True, is_superuser=True, roles=(Role.ADMINISTRATOR,)
        )
        sign_in(administrator, client=client)
    return client


@pytest.mark.parametrize("visitor_client", ["anonymous", "owner", "administrator"], indirect=True)
def test_every_page_sends_the_security_headers(visitor_client, group_records):
    problems = []
    for path in every_get_path(group_records.ids):
        problems += _header_problems(path, visitor_client.get(path, secure=True))

    assert problems == []


def test_production_asks_browsers_to_use_https_for_a_year_including_subdomains(
    production_settings,
):
    assert production_settings["SECURE_HSTS_SECONDS"] >= ONE_YEAR
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["DEBUG"] is False
