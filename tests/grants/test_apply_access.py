"""Only a group's own members reach its application; everyone else finds nothing there."""

import pytest

from core.models import AuditEntry
from core.models.audit import AuditAction
from grants.enums import ApplicationStatus
from tests.factories import OrganisationMembershipFactory, UserFactory
from tests.factories.grants import ApplicationFactory, application_in
from tests.security.pages import main_text

pytestmark = pytest.mark.django_db
S = ApplicationStatus

PAGES = [
    ("get", ""),
    ("get", "about/"),
    ("post", "about/"),
    ("get", "questions/"),
    ("post", "questions/"),
    ("get", "budget/"),
    ("post", "budget/"),
    ("get", "contact/"),
    ("post", "contact/"),
    ("get", "check/"),
    ("post", "submit/"),
    ("get", "sent/"),
    ("post", "autosave/?page=about"),
    ("post", "resume-link/"),
    ("post", "information/"),
    ("get", "withdraw/"),
    ("post", "withdraw/"),
]


@pytest.mark.parametrize(("method", "page"), PAGES)
def test_another_groups_application_is_not_found_on_any_page(client, method, page):
    theirs = ApplicationFactory(title="Their project")
    outsider = OrganisationMembershipFactory().user  # a volunteer, but in another group
    client.force_login(outsider)

    response = getattr(client, method)(
        f"/applications/{theirs.pk}/{page}", {"title": "Mine now", "response": "Hello"}
    )

    assert response.status_code == 404
    assert "Their project" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.title == "Their project" and theirs.status == S.DRAFT
    denied = AuditEntry.objects.filter(actor_id=outsider.pk, action=AuditAction.DENIED).get()
    assert denied.object_id == str(theirs.pk)


@pytest.mark.parametrize(("method", "page"), PAGES)
def test_an_application_that_does_not_exist_is_not_found_either(client, method, page):
    client.force_login(UserFactory())
    assert getattr(client, method)(f"/applications/999999/{page}").status_code == 404


@pytest.mark.parametrize(("method", "page"), PAGES)
def test_someone_not_signed_in_finds_nothing_there_as_for_an_id_that_does_not_exist(
    client, method, page
):
    application = ApplicationFactory()
    real = getattr(client, method)(f"/applications/{application.pk}/{page}")
    missing = getattr(client, method)(f"/applications/999999/{page}")
    assert real.status_code == missing.status_code == 404
    assert "sign in and come back to this page" in main_text(real)


def test_the_applications_page_lists_only_the_persons_own_groups(client):
    mine = ApplicationFactory(title="Our allotment")
    ApplicationFactory(title="Someone else’s choir")
    client.force_login(mine.created_by)
    response = client.get("/applications/")
    body = response.content.decode()
    assert "Our allotment" in body
    assert "Someone else’s choir" not in body


def test_an_officer_who_is_not_in_the_group_does_not_see_the_applicants_pages(client):
    from tests.factories.grants import grants_officer

    application = application_in(S.SUBMITTED)
    officer = grants_officer(locality=application.fund.locality)
    client.force_login(officer)
    session = client.session
    from core.middleware import SESSION_MFA_OK

    session[SESSION_MFA_OK] = True
    session.save()
    assert client.get(f"/applications/{application.pk}/").status_code == 404
