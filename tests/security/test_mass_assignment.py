"""Security matrix row 15: fields a page does not offer are ignored, however they are posted.

A group member posts every applicant and profile form with extra fields naming the things only
staff or the workflow may set (the status, the amount awarded, the fund, the group, the owner,
staff rights). The pages do their own work as usual, and nothing else in the database changes.
"""

import pytest

from core.models import NotificationPreference, Organisation, OrganisationMembership, User
from grants.enums import ApplicationStatus
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory
from tests.factories.grants import ApplicationFactory, FundFactory, application_in
from tests.security.pages import error_summary

pytestmark = pytest.mark.django_db
S = ApplicationStatus
GUARDED = [
    "status",
    "fund_id",
    "round_id",
    "organisation_id",
    "created_by_id",
    "reference",
    "amount_awarded_pence",
    "award_conditions",
    "assigned_officer_id",
    "decided_by_id",
    "decided_at",
    "submitted_at",
    "decision_due_on",
]


@pytest.fixture
def stranger_ids():
    stranger = UserFactory()
    return {
        "fund": FundFactory().pk,
        "organisation": OrganisationFactory().pk,
        "person": stranger.pk,
    }


def smuggled(ids: dict[str, int]) -> dict[str, str]:
    return {
        "status": S.AWARDED,
        "amount_awarded_pence": "9999999",
        "award_conditions": "None at all",
        "fund": str(ids["fund"]),
        "fund_id": str(ids["fund"]),
        "organisation": str(ids["organisation"]),
        "organisation_id": str(ids["organisation"]),
        "created_by": str(ids["person"]),
        "owner": str(ids["person"]),
        "assigned_officer": str(ids["person"]),
        "decided_by": str(ids["person"]),
        "reference": "CM-HACKED",
        "submitted_at": "2020-01-01T00:00:00Z",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": "1",
        "role": "owner",
        "user": str(ids["person"]),
    }


def guarded(application) -> dict:
    application.refresh_from_db()
    return {name: getattr(application, name) for name in GUARDED}


def account(user: User) -> tuple:
    user.refresh_from_db()
    return user.is_staff, user.is_superuser, sorted(user.groups.values_list("pk", flat=True))


def test_the_application_pages_save_their_answers_and_nothing_smuggled_in(client, stranger_ids):
    volunteer = UserFactory(full_name="Priya Shah")
    group = OrganisationMembershipFactory(user=volunteer).organisation
    draft = ApplicationFactory(
        fund=FundFactory(minimum_award_pence=10000, maximum_award_pence=500000),
        organisation=group,
        created_by=volunteer,
    )
    client.force_login(volunteer)
    before, person_before = guarded(draft), account(volunteer)
    extra = smuggled(stranger_ids)
    pages = {
        "about/": {"title": "Coffee mornings", "summary": "Tea and company.", "amount": "1500"},
        "questions/": {"q-difference": "Less lonely."},
        "budget/": {"lines": "1", "description_0": "Hall hire", "amount_0": "1500"},
        "contact/": {"contact_name": "Priya Shah", "contact_phone": "0121 496 0000"},
        "autosave/?page=about": {"title": "Coffee mornings on Saturdays"},
    }

    for page, answers in pages.items():
        response = client.post(f"/applications/{draft.pk}/{page}", {**extra, **answers})
        assert response.status_code in (200, 302), (page, error_summary(response))

    after = guarded(draft)
    assert after == before
    assert draft.title == "Coffee mornings on Saturdays"
    assert draft.contact_phone == "0121 496 0000"
    assert list(draft.budget_lines.values_list("description", "amount_pence")) == [
        ("Hall hire", 150000)
    ]
    assert account(volunteer) == person_before


def test_answering_an_officers_question_changes_only_the_answer(client, stranger_ids):
    application = application_in(S.INFO_REQUESTED, fund=FundFactory(rapid=True))
    client.force_login(application.created_by)
    before = guarded(application)

    client.post(
        f"/applications/{application.pk}/information/",
        {**smuggled(stranger_ids), "response": "Our constitution is attached now."},
    )

    after = guarded(application)
    assert application.info_response == "Our constitution is attached now."
    # Answering sends it back to where it was in the workflow, as the workflow says, not to
    # the status that was posted.
    assert after["status"] != S.AWARDED
    assert {k: v for k, v in after.items() if k != "status"} == {
        k: v for k, v in before.items() if k != "status"
    }


def test_the_group_forms_ignore_owners_and_staff_rights_posted_with_them(client, stranger_ids):
    owner = UserFactory()
    client.force_login(owner)
    person_before = account(owner)
    group_form = {
        "name": "Ashby Vale Allotments",
        "legal_form": "unincorporated",
        "postcode": "",
        "description": "Growing food together.",
    }

    created = client.post("/organisations/new/", {**smuggled(stranger_ids), **group_form})
    assert created.status_code == 302, created.content.decode()[:500]
    group = Organisation.objects.get(name="Ashby Vale Allotments")
    edited = client.post(
        f"/organisations/{group.pk}/edit/",
        {**smuggled(stranger_ids), **group_form, "description": "Growing food, and friends."},
    )
    assert edited.status_code == 302

    memberships = list(OrganisationMembership.objects.filter(organisation=group))
    assert [(m.user_id, m.role) for m in memberships] == [(owner.pk, memberships[0].role)]
    assert Organisation.objects.get(pk=group.pk).description == "Growing food, and friends."
    assert not OrganisationMembership.objects.filter(user_id=stranger_ids["person"]).exists()
    assert account(owner) == person_before


def test_registering_with_staff_rights_posted_makes_an_ordinary_account(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "new.volunteer@example.test",
            "password1": "a long and unguessable passphrase",
            "password2": "a long and unguessable passphrase",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": "1",
        },
    )
    person = User.objects.get(email="new.volunteer@example.test")
    assert account(person) == (False, False, [])


def test_email_preferences_change_only_the_persons_own(client, stranger_ids):
    person = UserFactory()
    client.force_login(person)

    client.post("/settings/emails/", smuggled(stranger_ids))

    assert account(person) == (False, False, [])
    assert not NotificationPreference.objects.filter(user_id=stranger_ids["person"]).exists()
