"""Staff sign in with a password and then an authenticator code; staff who have no authenticator
are made to set one up before they see anything else.

These journeys run under the site's real content security policy (``bypass_csp=False``), so a
script or style that the policy blocks, on our pages, allauth's or the Wagtail admin's, fails them.
"""

from urllib.parse import urlsplit

import pytest

from core.enums import Role
from tests.browser.conftest import assert_accessible, csp_violations, sign_in, totp_code_now
from tests.factories.core import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_officer_signs_in_with_an_authenticator_code_and_reaches_the_admin(new_page):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,), with_mfa=True)
    page = new_page(bypass_csp=False)

    sign_in(page, officer.email, TEST_PASSWORD)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    assert_accessible(page)

    page.get_by_label("Code").fill(totp_code_now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page)
    assert csp_violations(page) == []


def test_officer_with_a_wrong_code_is_told_and_not_let_in(new_page):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,), with_mfa=True)
    page = new_page(bypass_csp=False)

    sign_in(page, officer.email, TEST_PASSWORD)
    assert_accessible(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    assert page.title().startswith("Error: ")

    page.goto("/admin/")
    assert urlsplit(page.url).path.startswith("/accounts/"), "the admin was shown"
    assert_accessible(page)
    assert csp_violations(page) == []


def test_staff_member_without_an_authenticator_must_set_one_up_first(new_page):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,), staff=True)
    page = new_page(bypass_csp=False)

    sign_in(page, officer.email, TEST_PASSWORD)
    # Adding an authenticator is a sensitive change, so allauth asks for the password once more.
    assert "/accounts/reauthenticate/" in page.url
    assert_accessible(page)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    assert_accessible(page)

    for path in ["/admin/", "/dashboard/", "/messages/", "/"]:
        page.goto(path)
        assert page.url.endswith("/accounts/2fa/totp/activate/"), f"{path} was shown first"
        assert page.get_by_text("Your role needs two-step sign-in.").is_visible()
        assert_accessible(page)

    page.get_by_role("button", name="Activate").click()
    assert_accessible(page)
    assert page.title().startswith("Error: ")

    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code_now(secret))
    page.get_by_role("button", name="Activate").click()
    assert page.url.endswith("/accounts/2fa/recovery-codes/")
    assert page.get_by_label("Unused codes").input_value().count("\n") >= 9
    assert_accessible(page)

    page.goto("/accounts/2fa/")
    assert_accessible(page)

    page.goto("/admin/")
    assert page.url.endswith("/admin/")
    assert_accessible(page)
    assert csp_violations(page) == []
