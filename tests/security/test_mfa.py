"""Rows 3 and 4: trusted roles see nothing until the second step is done; authenticator codes are
single use and cannot be guessed."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

import pytest
from allauth.mfa.models import Authenticator

from core.enums import DocumentKind, Role
from core.services import document_store
from tests.factories import BoardMembershipFactory, OrganisationMembershipFactory, UserFactory
from tests.factories.core import TEST_PASSWORD
from tests.security.pages import error_summary, is_signed_in

pytestmark = pytest.mark.django_db

INCORRECT = "Incorrect code."
THROTTLED = "Too many failed login attempts. Try again later."
PEOPLE_WHO_NEED_MFA = {
    "staff member": lambda: UserFactory(staff=True, roles=(Role.GRANTS_OFFICER,)),
    "board member": lambda: BoardMembershipFactory(user=UserFactory()).user,
    "grants officer": lambda: UserFactory(roles=(Role.GRANTS_OFFICER,)),
}


RECORD_PAGES = {"organisation", "document"}


def _protected_urls(person) -> dict[str, str]:
    """Pages with something to hide: the person's own group, its document and their inbox, the
    Wagtail admin and the outcome records."""
    membership = OrganisationMembershipFactory(
        user=person, organisation__name="Hidden Hollow Group"
    )
    document = document_store(
        organisation=membership.organisation,
        kind=DocumentKind.GOVERNING_DOCUMENT,
        uploaded=SimpleUploadedFile("constitution.pdf", b"%PDF-1.4\nSecret constitution\n%%EOF\n"),
        by=person,
    )
    return {
        "admin": "/admin/",
        "dashboard": reverse("core:dashboard"),
        "organisation": reverse("core:organisation_detail", args=[membership.organisation.pk]),
        "document": reverse("core:document_download", args=[document.pk]),
        "inbox": reverse("core:inbox"),
        "outcome records": reverse("outcomes:families_list"),
    }


def _password_only(client, person):
    return client.post("/accounts/login/", {"login": person.email, "password": TEST_PASSWORD})


def test_a_staff_member_who_has_only_typed_their_password_sees_no_protected_data(client):
    person = UserFactory(with_mfa=True, staff=True, roles=(Role.GRANTS_OFFICER,))
    urls = _protected_urls(person)

    response = _password_only(client, person)
    assert response["Location"] == "/accounts/2fa/authenticate/"

    for name, url in urls.items():
        response = client.get(url)
        if name in RECORD_PAGES:  # not found for anyone not signed in, like any other id
            assert response.status_code == 404, name
            assert b"Hidden Hollow" not in response.content and b"%PDF" not in response.content
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith("/accounts/login/"), name
            assert response.content == b"", name
    assert not is_signed_in(client)


@pytest.mark.parametrize("kind", PEOPLE_WHO_NEED_MFA)
def test_someone_whose_role_needs_mfa_must_set_it_up_before_seeing_anything(client, kind):
    person = PEOPLE_WHO_NEED_MFA[kind]()
    urls = _protected_urls(person)

    assert _password_only(client, person).status_code == 302

    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"] == "/accounts/2fa/totp/activate/", name
        assert response.content == b"", name
    told_why = client.get(response["Location"], follow=True)
    assert "Your role needs two-step sign-in" in told_why.text


def test_after_the_code_the_staff_member_sees_their_work(client, sign_in, clock):
    person = UserFactory(with_mfa=True, staff=True, roles=(Role.GRANTS_OFFICER,))
    urls = _protected_urls(person)

    sign_in(person)

    response = client.get(urls["organisation"])
    assert response.status_code == 200
    assert "Hidden Hollow Group" in response.text
    assert client.get(urls["admin"]).status_code == 200


def test_a_staff_member_cannot_switch_off_their_only_authenticator(client, sign_in, clock):
    person = UserFactory(with_mfa=True, staff=True, roles=(Role.GRANTS_OFFICER,))
    sign_in(person)
    assert client.get("/dashboard/").status_code == 200
    client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert "You cannot deactivate two-factor authentication." in error_summary(response)
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()


def test_someone_without_a_trusted_role_may_switch_off_their_authenticator(client, sign_in, clock):
    person = UserFactory(with_mfa=True)
    sign_in(person)
    client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person).exists()


def test_a_code_that_has_been_used_is_refused_the_second_time(clock, sign_in, totp_code):
    person = UserFactory(with_mfa=True, staff=True)
    code = totp_code()
    first, second = Client(), Client()

    assert sign_in(person, client=first, code=code).status_code == 302
    clock.shift(5)
    replay = sign_in(person, client=second, code=code)

    assert is_signed_in(first)
    assert error_summary(replay) == [INCORRECT]
    assert not is_signed_in(second)


def test_guessing_codes_is_stopped_after_five_wrong_ones(client, clock, totp_code):
    person = UserFactory(with_mfa=True, staff=True)
    _password_only(client, person)

    right = int(totp_code())
    answers = [
        error_summary(
            client.post("/accounts/2fa/authenticate/", {"code": f"{(right + n) % 10**6:06d}"})
        )
        for n in range(1, 11)
    ]
    assert answers[:5] == [[INCORRECT]] * 5
    assert answers[5:] == [[THROTTLED]] * 5

    # Even the right code is refused while guessing is throttled...
    assert error_summary(client.post("/accounts/2fa/authenticate/", {"code": totp_code()})) == [
        THROTTLED
    ]
    assert not is_signed_in(client)

    # ...and accepted once the cool-off has passed.
    clock.shift(5 * 60)
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302
    assert is_signed_in(client)
