from django.core.management import call_command

import pytest

from cms.models import FamilyHubPage, SelfHelpPage, SiteSettings, StandardPage
from core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from core.enums import LegalForm, Role
from core.models import AdvisoryBoard, BoardMembership, Locality, Organisation, User
from tests.factories.core import totp_code_now

pytestmark = pytest.mark.django_db


def test_the_demo_borough_loads_once_however_often_it_is_run(capsys):
    call_command("seed_demo")
    first = (User.objects.count(), Organisation.objects.count(), FamilyHubPage.objects.count())
    call_command("seed_demo")
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        FamilyHubPage.objects.count(),
    ) == first

    assert Locality.objects.count() == 4
    assert FamilyHubPage.objects.live().count() == 12
    assert AdvisoryBoard.objects.count() == 4
    assert {m.role for m in BoardMembership.objects.all()} >= {
        "chair",
        "community",
        "parent",
        "partner",
    }
    assert Organisation.objects.count() == 30
    assert {o.legal_form for o in Organisation.objects.all()} == set(LegalForm.values)
    for organisation in Organisation.objects.all():
        organisation.full_clean()
    assert SelfHelpPage.objects.live().count() >= 6
    assert StandardPage.objects.filter(slug__in=["accessibility-statement", "privacy"]).count() == 2
    assert SiteSettings.objects.get().accessibility_page is not None
    for role in Role:
        assert User.objects.filter(groups__policy__slug=role.value).exists(), role

    printed = capsys.readouterr().out
    assert "officer@demo.seedbed.test" in printed and DEMO_PASSWORD in printed


def test_a_demo_officer_signs_in_with_the_printed_password_and_authenticator_secret(client):
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"login": "officer@demo.seedbed.test", "password": DEMO_PASSWORD}
    )
    assert response["Location"].startswith("/accounts/2fa/authenticate")
    code = totp_code_now(DEMO_TOTP_SECRET)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
