"""The staff admin for the outcomes set-up: administrators keep frameworks, scales and codebooks up
to date; providers never reach these screens; and nobody deletes a framework records depend on."""

import pytest

from core.enums import Role
from outcomes.models import Code, Codebook, Framework, FrameworkVersion, TriageScale
from outcomes.services.frameworks import frameworks_load
from outcomes.viewsets import framework_policy, framework_version_policy, triage_scale_policy
from tests.factories import UserFactory
from tests.factories.core import force_login_past_two_step

pytestmark = pytest.mark.django_db


def staff(client, *roles, superuser=False):
    """A signed-in person who has passed two-step sign-in (see RequireMFAMiddleware)."""
    user = UserFactory(with_mfa=True, roles=roles, is_superuser=superuser)
    force_login_past_two_step(client, user)
    return user


def test_an_administrator_lists_frameworks_with_their_current_version(client):
    frameworks_load()
    framework = Framework.objects.first()
    assert framework is not None and framework.current_version is not None
    staff(client, Role.ADMINISTRATOR)

    response = client.get("/admin/outcome-frameworks/")

    assert response.status_code == 200
    page = response.content.decode()
    assert framework.name in page
    assert "Current version" in page
    assert "Outcomes set-up" in page


def test_an_administrator_sees_every_set_up_screen(client):
    frameworks_load()
    staff(client, Role.ADMINISTRATOR)
    for url in (
        "/admin/outcome-framework-versions/",
        "/admin/outcome-framework-domains/",
        f"/admin/outcome-framework-domains/?version={FrameworkVersion.objects.first().pk}",
        "/admin/triage-scales/",
        "/admin/triage-levels/",
        "/admin/codebooks/",
        "/admin/codes/",
        "/admin/outcome-frameworks/new/",
        f"/admin/outcome-frameworks/edit/{Framework.objects.first().pk}/",
    ):
        assert client.get(url).status_code == 200, url


def test_an_administrator_adds_a_code_with_keywords(client):
    codebook = Codebook.objects.create(name="Family life")
    staff(client, Role.ADMINISTRATOR)

    response = client.post(
        "/admin/codes/new/",
        {
            "codebook": codebook.pk,
            "key": "housing-worry",
            "label": "Worry about housing",
            "description": "The family talks about losing their home.",
            "keywords": "eviction\nrent arrears\nBailiff",
        },
    )

    assert response.status_code == 302
    code = Code.objects.get(codebook=codebook, key="housing-worry")
    assert code.keyword_list == ["eviction", "rent arrears", "bailiff"]


def test_a_grants_officer_may_keep_codebooks_but_not_frameworks(client):
    frameworks_load()
    staff(client, Role.GRANTS_OFFICER)

    assert client.get("/admin/codes/").status_code == 200
    assert client.get("/admin/codebooks/new/").status_code == 200
    assert client.get("/admin/outcome-frameworks/").status_code != 200


def test_a_provider_cannot_reach_the_set_up_screens(client):
    frameworks_load()
    framework = Framework.objects.first()
    staff(client, Role.PROVIDER)
    for url in (
        "/admin/outcome-frameworks/",
        "/admin/outcome-frameworks/new/",
        f"/admin/outcome-frameworks/edit/{framework.pk}/",
        "/admin/outcome-framework-domains/",
        "/admin/triage-scales/",
        "/admin/codes/",
        "/admin/codes/new/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert response.status_code != 302 or "/admin/" not in response["Location"].split("?")[0]

    response = client.post(
        "/admin/codes/new/", {"codebook": "", "key": "x", "label": "x", "keywords": "x"}
    )
    assert response.status_code in (302, 403)
    assert not Code.objects.filter(key="x").exists()


def test_nobody_can_delete_a_framework_its_versions_or_a_triage_scale(client):
    frameworks_load()
    framework = Framework.objects.first()
    superuser = staff(client, Role.ADMINISTRATOR, superuser=True)

    for policy in (framework_policy, framework_version_policy, triage_scale_policy):
        assert not policy.user_has_permission(superuser, "delete")
    for url in (
        f"/admin/outcome-frameworks/delete/{framework.pk}/",
        f"/admin/outcome-framework-versions/delete/{framework.current_version.pk}/",
        f"/admin/triage-scales/delete/{TriageScale.objects.first().pk}/",
    ):
        assert client.post(url).status_code == 404, url
    assert Framework.objects.filter(pk=framework.pk).exists()
    assert (
        "/delete/"
        not in client.get(f"/admin/outcome-frameworks/edit/{framework.pk}/").content.decode()
    )
