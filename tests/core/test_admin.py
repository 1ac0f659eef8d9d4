"""The staff admin for the shared records: who sees which localities, organisations and audit
entries, and what the pages show them."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from core.audit import audit_record
from core.enums import BoardRole, DocumentKind, LegalForm, Role
from core.models import (
    AdvisoryBoard,
    AuditEntry,
    BoardMembership,
    Locality,
    LocalityStaff,
    RolePolicy,
)
from core.models.audit import AuditAction
from core.roles import DEFAULT_ROLES, _permission
from core.services import document_store
from core.viewsets import audit_trail_policy, organisation_policy
from tests.factories import (
    AdvisoryBoardFactory,
    BoardMembershipFactory,
    LocalityFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)
from tests.factories.core import force_login_past_two_step

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def staff(client, *roles, placed_in=(), superuser=False):
    """A signed-in member of staff who has passed two-step sign-in (see RequireMFAMiddleware)."""
    user = UserFactory(with_mfa=True, roles=roles, is_superuser=superuser)
    for locality in placed_in:
        LocalityStaff.objects.create(user=user, locality=locality)
    force_login_past_two_step(client, user)
    return user


@pytest.fixture
def two_localities():
    ashby = LocalityFactory(name="Ashby Vale", slug="ashby-vale")
    mill = LocalityFactory(name="Millbrook", slug="millbrook")
    return ashby, mill


@pytest.fixture
def organisations(two_localities):
    ashby, mill = two_localities
    return (
        OrganisationFactory(name="Ashby Baby Bank", localities=[ashby]),
        OrganisationFactory(name="Millbrook Toddler Stay and Play", localities=[mill]),
    )


def _organisation_form(organisation, **changes):
    data = {
        "name": organisation.name,
        "legal_form": organisation.legal_form,
        "charity_number": organisation.charity_number,
        "company_number": organisation.company_number,
        "address": organisation.address,
        "postcode": organisation.postcode,
        "website": organisation.website,
        "description": organisation.description,
        "localities": [locality.pk for locality in organisation.localities.all()],
    }
    data.update(changes)
    return data


# Administrators and superusers


def test_an_administrator_signs_in_and_sets_up_a_locality(client, sign_in):
    administrator = UserFactory(with_mfa=True, roles=(Role.ADMINISTRATOR,))
    assert sign_in(administrator).status_code == 302

    response = client.post(
        "/admin/localities/new/",
        {"name": "Riverside", "slug": "riverside", "description": "The river wards."},
    )

    assert response.status_code == 302
    riverside = Locality.objects.get(slug="riverside")
    listing = client.get("/admin/localities/")
    assert listing.status_code == 200
    assert "Riverside" in listing.text
    created = AuditEntry.objects.for_object(riverside).get()
    assert (created.action, created.actor_id) == (AuditAction.CREATE, administrator.pk)


def test_an_administrator_renames_a_locality(client, two_localities):
    ashby, _ = two_localities
    staff(client, Role.ADMINISTRATOR)

    page = client.get(f"/admin/localities/edit/{ashby.pk}/")
    assert page.status_code == 200
    response = client.post(
        f"/admin/localities/edit/{ashby.pk}/",
        {"name": "Ashby and the Vale", "slug": "ashby-vale", "description": ""},
    )

    assert response.status_code == 302
    ashby.refresh_from_db()
    assert ashby.name == "Ashby and the Vale"
    change = AuditEntry.objects.for_object(ashby).get(action=AuditAction.UPDATE)
    assert change.detail["changed"] == ["description", "name"]
    assert "Ashby and the Vale" not in str(change.detail)  # which fields, never their contents


def test_a_superuser_lists_and_edits_any_organisation(client, organisations):
    _, mill_group = organisations
    staff(client, superuser=True)

    listing = client.get("/admin/organisations/")
    assert listing.status_code == 200
    assert "Ashby Baby Bank" in listing.text and "Millbrook Toddler" in listing.text

    response = client.post(
        f"/admin/organisations/edit/{mill_group.pk}/",
        _organisation_form(mill_group, name="Millbrook Stay and Play"),
    )
    assert response.status_code == 302
    mill_group.refresh_from_db()
    assert mill_group.name == "Millbrook Stay and Play"


def test_the_organisation_list_shows_legal_form_org_id_and_localities(client, two_localities):
    ashby, _ = two_localities
    charity = OrganisationFactory(name="Vale Young Carers", charity=True, localities=[ashby])
    staff(client, Role.ADMINISTRATOR)

    listing = client.get("/admin/organisations/")

    assert "Registered charity (trust or association)" in listing.text
    assert charity.org_id == "GB-CHC-1123456"
    assert "GB-CHC-1123456" in listing.text
    assert "Ashby Vale" in listing.text


def test_organisations_can_be_searched_and_filtered(client, two_localities):
    ashby, mill = two_localities
    OrganisationFactory(name="Vale Young Carers", charity=True, localities=[ashby])
    OrganisationFactory(
        name="Canal Side Boxing Club", cic=True, postcode="BF4 5GH", localities=[mill]
    )
    staff(client, Role.ADMINISTRATOR)

    def names(query):
        text = client.get(f"/admin/organisations/{query}").text
        return {name for name in ("Vale Young Carers", "Canal Side Boxing Club") if name in text}

    assert names("?q=1123456") == {"Vale Young Carers"}  # charity number
    assert names("?q=01234567") == {"Canal Side Boxing Club"}  # company number
    assert names("?q=BF4") == {"Canal Side Boxing Club"}  # postcode
    assert names(f"?legal_form={LegalForm.CHARITY}") == {"Vale Young Carers"}
    assert names(f"?localities={mill.pk}") == {"Canal Side Boxing Club"}


def test_the_organisation_list_stays_at_a_fixed_number_of_queries(client, two_localities):
    staff(client, Role.ADMINISTRATOR)

    def queries_for_list():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/organisations/").status_code == 200
        return len(queries)

    OrganisationFactory.create_batch(2, localities=two_localities)
    queries_for_list()  # the first request of a session does a little more
    few = queries_for_list()
    OrganisationFactory.create_batch(15, localities=two_localities)
    assert queries_for_list() == few


# Localities scope what staff see


def test_a_grants_officer_sees_only_their_localitys_organisations(client, organisations):
    ashby, _ = Locality.objects.order_by("name")
    staff(client, Role.GRANTS_OFFICER, placed_in=[ashby])

    listing = client.get("/admin/organisations/")

    assert listing.status_code == 200
    assert "Ashby Baby Bank" in listing.text
    assert "Millbrook Toddler" not in listing.text


@pytest.mark.parametrize("page", ["edit", "inspect", "history", "delete"])
def test_another_localitys_organisation_is_not_found_and_the_attempt_is_audited(
    client, organisations, page
):
    ashby, _ = Locality.objects.order_by("name")
    _, mill_group = organisations
    officer = staff(client, Role.GRANTS_OFFICER, placed_in=[ashby])

    response = client.get(f"/admin/organisations/{page}/{mill_group.pk}/")

    assert response.status_code in (403, 404)
    assert "Millbrook Toddler" not in response.text
    refused = AuditEntry.objects.for_object(mill_group).get()
    assert (refused.action, refused.actor_id) == (AuditAction.DENIED, officer.pk)


def test_a_grants_officer_cannot_change_another_localitys_organisation(client, organisations):
    ashby, _ = Locality.objects.order_by("name")
    ashby_bank, mill_group = organisations
    staff(client, Role.GRANTS_OFFICER, placed_in=[ashby])

    response = client.post(
        f"/admin/organisations/edit/{mill_group.pk}/",
        _organisation_form(mill_group, name="Taken over"),
    )

    assert response.status_code == 404
    mill_group.refresh_from_db()
    assert mill_group.name == "Millbrook Toddler Stay and Play"
    # Their own locality's organisation they can change.
    response = client.post(
        f"/admin/organisations/edit/{ashby_bank.pk}/",
        _organisation_form(ashby_bank, description="Nappies and baby clothes."),
    )
    assert response.status_code == 302


def test_an_officer_editing_a_shared_organisation_keeps_its_other_localities(
    client, two_localities
):
    ashby, mill = two_localities
    shared = OrganisationFactory(name="Shared Group", localities=[ashby, mill])
    staff(client, Role.GRANTS_OFFICER, placed_in=[ashby])

    edit = client.get(f"/admin/organisations/edit/{shared.pk}/")
    assert f'value="{mill.pk}"' not in edit.text  # Millbrook is not theirs to offer

    response = client.post(
        f"/admin/organisations/edit/{shared.pk}/",
        _organisation_form(shared, localities=[ashby.pk]),
    )

    assert response.status_code == 302
    assert set(shared.localities.all()) == {ashby, mill}


def test_staff_with_borough_wide_access_see_every_locality(client, organisations):
    user = staff(client, Role.ADMINISTRATOR)
    assert user.has_perm("core.view_all_localities")
    unplaced = OrganisationFactory(name="Not Yet Placed Group")

    listing = client.get("/admin/organisations/")

    for organisation in (*organisations, unplaced):
        assert organisation.name in listing.text


def test_a_grants_officer_sees_their_localities_read_only(client, two_localities):
    ashby, mill = two_localities
    staff(client, Role.GRANTS_OFFICER, placed_in=[ashby])

    listing = client.get("/admin/localities/")
    assert "Ashby Vale" in listing.text and "Millbrook" not in listing.text
    assert client.get(f"/admin/localities/inspect/{ashby.pk}/").status_code == 200
    assert client.get(f"/admin/localities/inspect/{mill.pk}/").status_code == 404
    # No change permission: Wagtail refuses and sends them back to the dashboard.
    assert client.get(f"/admin/localities/edit/{ashby.pk}/").status_code == 302
    assert client.get("/admin/localities/new/").status_code == 302


def test_people_without_a_staff_role_cannot_reach_the_admin(client, organisations):
    applicant = OrganisationMembershipFactory(organisation=organisations[0]).user
    client.force_login(applicant)

    response = client.get("/admin/organisations/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# The organisation's page


def test_viewing_an_organisation_in_the_admin_is_recorded(client, organisations):
    ashby_bank, _ = organisations
    officer = staff(client, Role.GRANTS_OFFICER, placed_in=ashby_bank.localities.all())

    assert client.get(f"/admin/organisations/edit/{ashby_bank.pk}/").status_code == 200

    viewed = AuditEntry.objects.for_object(ashby_bank).get()
    assert (viewed.action, viewed.actor_id) == (AuditAction.VIEW, officer.pk)


def test_the_organisation_page_shows_its_members_documents_and_history(client, organisations):
    ashby_bank, _ = organisations
    owner = OrganisationMembershipFactory(organisation=ashby_bank, user__full_name="Sam Owner").user
    document = document_store(
        organisation=ashby_bank,
        kind=DocumentKind.GOVERNING_DOCUMENT,
        uploaded=SimpleUploadedFile("Our constitution.pdf", PDF_BYTES),
        by=owner,
    )
    audit_record(
        actor=owner,
        action=AuditAction.TRANSITION,
        obj=ashby_bank,
        from_state="draft",
        to_state="submitted",
        reason="Ready for the board",
    )
    staff(client, Role.GRANTS_OFFICER, placed_in=ashby_bank.localities.all())

    page = client.get(f"/admin/organisations/edit/{ashby_bank.pk}/")

    assert page.status_code == 200
    assert "Sam Owner" in page.text
    assert "Our constitution.pdf" in page.text
    assert f'href="/files/{document.pk}/download/"' in page.text
    assert "Ready for the board" in page.text and "draft → submitted" in page.text
    assert client.get(f"/files/{document.pk}/download/").status_code == 200


def test_the_organisation_history_page_lists_its_audit_entries(client, organisations):
    ashby_bank, mill_group = organisations
    audit_record(actor=None, action=AuditAction.TRANSITION, obj=ashby_bank, reason="Kitemarked")
    audit_record(actor=None, action=AuditAction.TRANSITION, obj=mill_group, reason="Suspended")
    staff(client, Role.ADMINISTRATOR)

    history = client.get(f"/admin/organisations/history/{ashby_bank.pk}/")

    assert history.status_code == 200
    assert "Kitemarked" in history.text
    assert "Suspended" not in history.text


def test_a_commissioner_reads_an_organisation_without_being_able_to_change_it(
    client, organisations
):
    ashby_bank, _ = organisations
    commissioner = staff(client, Role.COMMISSIONER, placed_in=ashby_bank.localities.all())

    page = client.get(f"/admin/organisations/inspect/{ashby_bank.pk}/")

    assert page.status_code == 200
    assert "Ashby Baby Bank" in page.text and "360G-" in page.text
    assert client.get(f"/admin/organisations/edit/{ashby_bank.pk}/").status_code == 302
    viewed = AuditEntry.objects.for_object(ashby_bank).get()
    assert (viewed.action, viewed.actor_id) == (AuditAction.VIEW, commissioner.pk)


# Boards and staff placements


def test_a_locality_page_shows_its_board_members_and_staff(client, two_localities):
    ashby, _ = two_localities
    board = AdvisoryBoardFactory(locality=ashby, name="Ashby Vale Community Matters board")
    BoardMembershipFactory(board=board, role=BoardRole.CHAIR, user__full_name="Jo Chair")
    LocalityStaff.objects.create(
        locality=ashby, user=UserFactory(full_name="Priya Officer", roles=(Role.GRANTS_OFFICER,))
    )
    staff(client, Role.ADMINISTRATOR)

    page = client.get(f"/admin/localities/edit/{ashby.pk}/")

    assert page.status_code == 200
    assert "Ashby Vale Community Matters board" in page.text
    assert "Jo Chair" in page.text and "Chair" in page.text
    assert "Priya Officer" in page.text


def test_an_administrator_sets_up_a_board_adds_a_member_and_places_an_officer(
    client, two_localities
):
    ashby, _ = two_localities
    staff(client, Role.ADMINISTRATOR)
    parent = UserFactory(full_name="Lena Parent")
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))

    assert f"?locality={ashby.pk}" in client.get(f"/admin/localities/edit/{ashby.pk}/").text
    response = client.post(
        "/admin/advisory-boards/new/",
        {"locality": ashby.pk, "name": "Ashby Vale board", "quorum": 4},
    )
    assert response.status_code == 302
    board = AdvisoryBoard.objects.get(locality=ashby)
    assert board.quorum == 4

    response = client.post(
        "/admin/board-members/new/",
        {"board": board.pk, "user": parent.pk, "role": BoardRole.PARENT, "joined_on": "2026-01-05"},
    )
    assert response.status_code == 302
    assert BoardMembership.objects.get(board=board).user == parent

    response = client.post(
        "/admin/staff-placements/new/", {"locality": ashby.pk, "user": officer.pk}
    )
    assert response.status_code == 302
    assert LocalityStaff.objects.filter(locality=ashby, user=officer).exists()


def test_a_board_member_cannot_leave_before_they_joined(client):
    board = AdvisoryBoardFactory()
    staff(client, Role.ADMINISTRATOR)

    response = client.post(
        "/admin/board-members/new/",
        {
            "board": board.pk,
            "user": UserFactory().pk,
            "role": BoardRole.COMMUNITY,
            "joined_on": "2026-03-01",
            "left_on": "2026-02-01",
        },
    )

    assert response.status_code == 200
    assert "on or after the date they joined" in response.text
    assert not BoardMembership.objects.exists()


# Role policies


def test_an_administrator_decides_which_roles_need_two_step_sign_in(client):
    staff(client, Role.ADMINISTRATOR)
    funder = RolePolicy.objects.get(slug=Role.FUNDER)
    assert funder.requires_mfa is False

    response = client.post(
        f"/admin/role-policies/edit/{funder.pk}/",
        {"description": funder.description, "requires_mfa": "on", "slug": "renamed"},
    )

    assert response.status_code == 302
    funder.refresh_from_db()
    assert funder.requires_mfa is True
    assert funder.slug == Role.FUNDER  # the slug names the role in code; it is not editable
    assert AuditEntry.objects.for_object(funder).get().detail["changed"] == ["requires_mfa"]


def test_a_grants_officer_cannot_change_role_policies(client):
    staff(client, Role.GRANTS_OFFICER)
    funder = RolePolicy.objects.get(slug=Role.FUNDER)

    response = client.post(f"/admin/role-policies/edit/{funder.pk}/", {"requires_mfa": "on"})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    funder.refresh_from_db()
    assert funder.requires_mfa is False


def test_every_permission_the_default_roles_grant_exists():
    missing = [
        name
        for definition in DEFAULT_ROLES
        for name in definition.permissions
        if _permission(name) is None
    ]
    assert missing == []


# The audit trail


def test_nobody_can_add_change_or_delete_audit_entries_through_the_admin(client):
    entry = audit_record(actor=None, action=AuditAction.SECURITY, reason="original")
    superuser = staff(client, superuser=True)

    for action in ("add", "change", "delete"):
        assert not audit_trail_policy.user_has_permission(superuser, action)
    assert audit_trail_policy.user_has_permission(superuser, "view")
    for url in (
        "/admin/audit-trail/new/",
        f"/admin/audit-trail/edit/{entry.pk}/",
        f"/admin/audit-trail/delete/{entry.pk}/",
        f"/admin/audit-trail/copy/{entry.pk}/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "rewritten"}).status_code == 404

    listing = client.get("/admin/audit-trail/")
    page = client.get(f"/admin/audit-trail/inspect/{entry.pk}/")
    assert listing.status_code == 200 and page.status_code == 200
    assert "original" in page.text
    assert "/admin/audit-trail/edit/" not in listing.text + page.text
    assert "/admin/audit-trail/delete/" not in listing.text + page.text
    entry.refresh_from_db()
    assert entry.reason == "original"


def test_the_audit_trail_can_be_filtered_by_action_and_actor(client, organisations):
    ashby_bank, _ = organisations
    priya = UserFactory()
    audit_record(actor=priya, action=AuditAction.TRANSITION, obj=ashby_bank, reason="by Priya")
    audit_record(actor=None, action=AuditAction.SECURITY, reason="a security event")
    staff(client, Role.ADMINISTRATOR)

    by_actor = client.get(f"/admin/audit-trail/?actor_id={priya.pk}").text
    assert "by Priya" in by_actor and "a security event" not in by_actor
    by_action = client.get(f"/admin/audit-trail/?action={AuditAction.SECURITY}").text
    assert "a security event" in by_action and "by Priya" not in by_action


def test_a_placed_officer_reads_only_their_localitys_part_of_the_audit_trail(client, organisations):
    ashby_bank, mill_group = organisations
    audit_record(actor=None, action=AuditAction.TRANSITION, obj=ashby_bank, reason="Ashby award")
    audit_record(actor=None, action=AuditAction.TRANSITION, obj=mill_group, reason="Mill award")
    officer = staff(client, Role.GRANTS_OFFICER, placed_in=ashby_bank.localities.all())

    listing = client.get("/admin/audit-trail/").text

    assert "Ashby award" in listing and "Mill award" not in listing
    assert set(organisation_policy.scope(officer)) == {ashby_bank}
