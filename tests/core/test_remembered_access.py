"""What a signed-in person may do is remembered between requests (core.access), and so are the
admin's sidebar (core.admin_sidebar) and the frame around the officers' list of applications
(core.admin_frame). Whatever is remembered, a change to someone's roles, seats or records shows on
their very next page, and nobody ever sees what was remembered for someone else."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

import wagtail

import pytest

from core.admin_frame import RememberedFrameMixin
from core.enums import Role
from core.models import LocalityStaff, RolePolicy, User
from core.roles import role_group
from grants.enums import ApplicationStatus
from tests.factories import BoardMembershipFactory, LocalityFactory, UserFactory
from tests.factories.core import force_login_past_two_step
from tests.factories.grants import FundFactory, application_in, grants_officer

pytestmark = pytest.mark.django_db
S = ApplicationStatus

TWO_STEP_SET_UP = "/accounts/2fa/totp/activate/"


def applications_list() -> str:
    return reverse("grant-applications:index")


def signed_in(client, user):
    """Signed in as a member of staff who has passed two-step sign-in (RequireMFAMiddleware)."""
    force_login_past_two_step(client, user)
    return user


def editor(**kwargs) -> User:
    """Staff who may use the admin (for the public website) but not the grants screens."""
    return UserFactory(with_mfa=True, staff=True, roles=(Role.EDITOR,), **kwargs)


def permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def choices(page, name: str) -> list[str]:
    """The labels a filter's drop-down offers, as the person sees them."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page.text, re.S)
    assert select, f"no {name} filter on the page"
    labels = re.findall(r"<option[^>]*>(.*?)</option>", select.group(1), re.S)
    return [label.strip() for label in labels if label.strip() not in ("", "---------")]


def page_csrf_token(page) -> str:
    """The token the admin's scripts send with their requests, as the page gives it."""
    return json.loads(
        re.search(
            r'<script id="wagtail-config" type="application/json">(.*?)</script>', page.text
        ).group(1)
    )["CSRF_TOKEN"]


def menu(page) -> set[str]:
    """Where the sidebar's menu leads, as its JSON tells the browser."""
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
        page.text,
        re.S,
    )
    assert props, "no sidebar on the page"
    urls: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            if isinstance(value.get("url"), str):
                urls.add(value["url"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(props.group(1)))
    return urls


@pytest.fixture
def frames_made(monkeypatch):
    """One entry each time the list's frame was rendered rather than taken from memory (True if
    it could be kept)."""
    made = []
    render_frame = RememberedFrameMixin._render_frame

    def counted(view, *args, **kwargs):
        frame = render_frame(view, *args, **kwargs)
        made.append(frame is not None)
        return frame

    monkeypatch.setattr(RememberedFrameMixin, "_render_frame", counted)
    return made


@pytest.fixture
def ashby():
    """A fund in Ashby Vale with a sent application, and the officer placed there."""
    fund = FundFactory(rapid=True, name="Ashby Vale Fund", locality=LocalityFactory(name="Ashby"))
    application = application_in(S.SUBMITTED, fund=fund, title="Ashby breakfast club")
    return fund, application, grants_officer(locality=fund.locality)


@pytest.fixture
def millbrook():
    fund = FundFactory(
        rapid=True, name="Millbrook Fund", locality=LocalityFactory(name="Millbrook")
    )
    application = application_in(S.SUBMITTED, fund=fund, title="Millbrook toddler group")
    return fund, application, grants_officer(locality=fund.locality)


# Roles -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("given_from", ["the person's side", "the role's side"])
def test_a_role_given_today_takes_effect_on_the_next_page(client, ashby, given_from):
    fund, application, _ = ashby
    newcomer = signed_in(client, editor())
    LocalityStaff.objects.create(locality=fund.locality, user=newcomer)
    for _ in range(2):  # the second time, what they may do is remembered
        refused = client.get(applications_list())
        assert (refused.status_code, refused["Location"]) == (302, "/admin/")

    officers = role_group(Role.GRANTS_OFFICER)
    if given_from == "the person's side":
        newcomer.groups.add(officers)
    else:
        officers.user_set.add(newcomer)

    page = client.get(applications_list())
    assert page.status_code == 200
    assert application.reference in page.text


def test_a_role_taken_away_stops_access_on_the_next_page(client, ashby):
    _, application, officer = ashby
    signed_in(client, officer)
    for _ in range(2):
        assert application.reference in client.get(applications_list()).text

    officer.groups.remove(role_group(Role.GRANTS_OFFICER))

    refused = client.get(applications_list())
    assert refused.status_code == 302
    assert application.reference not in refused.text


def test_a_permission_taken_from_a_role_is_gone_for_all_its_members_at_once(ashby, millbrook):
    browsers = []
    for _, _, officer in (ashby, millbrook):
        browser = Client()
        signed_in(browser, officer)
        browsers.append(browser)
        for _ in range(2):
            assert browser.get(applications_list()).status_code == 200

    role_group(Role.GRANTS_OFFICER).permissions.remove(permission("grants.view_application"))

    for browser in browsers:
        assert browser.get(applications_list()).status_code == 302


# Two-step sign-in --------------------------------------------------------------------------------


def test_someone_given_a_board_seat_must_set_up_two_step_sign_in_on_their_next_page(
    client, sign_in
):
    volunteer = application_in(S.DRAFT).created_by
    sign_in(volunteer)
    for _ in range(2):  # the second time, that they need no second step is remembered
        assert client.get("/applications/").status_code == 200

    BoardMembershipFactory(user=volunteer)

    response = client.get("/applications/")
    assert response.status_code == 302
    assert response["Location"] == TWO_STEP_SET_UP


def test_a_role_whose_policy_now_needs_two_step_sign_in_asks_its_members_on_their_next_page(
    client, sign_in
):
    funder = UserFactory(roles=(Role.FUNDER,))
    sign_in(funder)
    for _ in range(2):
        assert client.get("/applications/").status_code == 200

    policy = RolePolicy.objects.get(slug=Role.FUNDER)
    policy.requires_mfa = True
    policy.save()

    response = client.get("/applications/")
    assert response.status_code == 302
    assert response["Location"] == TWO_STEP_SET_UP


# Accounts changed without signals ----------------------------------------------------------------


def test_an_account_switched_off_by_a_bulk_update_is_stopped_at_once(client, ashby):
    _, _, officer = ashby
    signed_in(client, officer)
    for _ in range(2):
        assert client.get(applications_list()).status_code == 200

    User.objects.filter(pk=officer.pk).update(is_active=False)  # as Wagtail's bulk action does

    response = client.get(applications_list())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_superuser_demoted_by_a_bulk_update_loses_the_admin_at_once(client, ashby):
    _, application, _ = ashby
    superuser = signed_in(client, UserFactory(with_mfa=True, staff=True, is_superuser=True))
    for _ in range(2):
        assert application.reference in client.get(applications_list()).text
        assert applications_list() in menu(client.get("/admin/"))

    User.objects.filter(pk=superuser.pk).update(is_superuser=False)

    # With no role, nothing in the admin is theirs any more.
    for page in (applications_list(), "/admin/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_someone_made_a_superuser_by_a_bulk_update_sees_the_whole_menu_at_once(client):
    person = signed_in(client, editor())
    for _ in range(2):
        assert applications_list() not in menu(client.get("/admin/"))

    User.objects.filter(pk=person.pk).update(is_superuser=True)

    assert applications_list() in menu(client.get("/admin/"))


# The officers' list ------------------------------------------------------------------------------


def test_officers_of_different_localities_each_see_only_their_own(ashby, millbrook, frames_made):
    FundFactory(name="Borough-wide Fund", locality=None)
    for mine, theirs in ((ashby, millbrook), (millbrook, ashby)):
        fund, application, officer = mine
        their_fund, their_application, _ = theirs
        browser = Client()
        signed_in(browser, officer)
        made_before = len(frames_made)

        for _ in range(2):  # the second page is put into the frame remembered from the first
            page = browser.get(applications_list())

            assert page.status_code == 200
            assert application.reference in page.text
            assert their_application.reference not in page.text
            assert sorted(choices(page, "fund")) == sorted([fund.name, "Borough-wide Fund"])
            assert choices(page, "locality") == [fund.locality.name]
            assert their_fund.name not in page.text
            assert their_fund.locality.name not in page.text

        assert frames_made[made_before:] == [True], "the second page was not from memory"


def test_the_remembered_list_carries_this_browsers_own_csrf_token(ashby, frames_made):
    _, _, officer = ashby
    desk, laptop = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    signed_in(desk, officer)
    signed_in(laptop, officer)
    desk_token = page_csrf_token(desk.get(applications_list()))

    for _ in range(2):  # the same person's frame, made for the desk
        page = laptop.get(applications_list())
    assert frames_made == [True]
    laptop_token = page_csrf_token(page)

    bulk = reverse("grant-applications:bulk")
    refused = laptop.post(bulk, {"csrfmiddlewaretoken": desk_token, "action": "export"})
    assert refused.status_code == 403  # another browser's token is no good here
    accepted = laptop.post(bulk, {"csrfmiddlewaretoken": laptop_token, "action": "export"})
    assert accepted.status_code == 302  # "Choose at least one application."


def test_a_new_fund_shows_in_the_fund_filter_at_once(client, ashby, frames_made):
    fund, _, officer = ashby
    signed_in(client, officer)
    for _ in range(2):
        assert choices(client.get(applications_list()), "fund") == [fund.name]
    assert frames_made == [True]  # the second list was put into the first one's frame

    FundFactory(name="Ashby Summer Fund", locality=fund.locality)

    assert sorted(choices(client.get(applications_list()), "fund")) == [
        "Ashby Summer Fund",
        fund.name,
    ]


def test_a_renamed_fund_shows_under_its_new_name_at_once(client, ashby, frames_made):
    fund, _, officer = ashby
    signed_in(client, officer)
    for _ in range(2):
        assert choices(client.get(applications_list()), "fund") == ["Ashby Vale Fund"]
    assert frames_made == [True]

    fund.name = "Ashby Vale Community Fund"
    fund.save()

    assert choices(client.get(applications_list()), "fund") == ["Ashby Vale Community Fund"]


def test_a_renamed_locality_shows_under_its_new_name_at_once(client, ashby, frames_made):
    fund, _, officer = ashby
    signed_in(client, officer)
    for _ in range(2):
        assert choices(client.get(applications_list()), "locality") == ["Ashby"]
    assert frames_made == [True]

    fund.locality.name = "Ashby Vale and Coppice"
    fund.locality.save()

    assert choices(client.get(applications_list()), "locality") == ["Ashby Vale and Coppice"]


def test_an_officer_placed_in_another_locality_sees_its_funds_and_applications_at_once(
    client, ashby, millbrook
):
    _, _, officer = ashby
    millbrook_fund, millbrook_application, _ = millbrook
    signed_in(client, officer)
    for _ in range(2):
        assert millbrook_application.reference not in client.get(applications_list()).text

    LocalityStaff.objects.create(locality=millbrook_fund.locality, user=officer)

    page = client.get(applications_list())
    assert millbrook_application.reference in page.text
    assert millbrook_fund.name in choices(page, "fund")
    assert millbrook_fund.locality.name in choices(page, "locality")


def test_a_placement_handed_to_another_officer_leaves_the_first_officer_at_once(
    client, ashby, millbrook
):
    _, _, officer = ashby
    millbrook_fund, millbrook_application, _ = millbrook
    placement = LocalityStaff.objects.create(locality=millbrook_fund.locality, user=officer)
    successor = grants_officer()
    signed_in(client, UserFactory(with_mfa=True, staff=True, roles=(Role.ADMINISTRATOR,)))
    desk = Client()
    signed_in(desk, officer)
    for _ in range(2):
        page = desk.get(applications_list())
        assert millbrook_application.reference in page.text
        assert millbrook_fund.name in choices(page, "fund")

    response = client.post(
        reverse("staff-placements:edit", args=[placement.pk]),
        {"locality": millbrook_fund.locality.pk, "user": successor.pk},
    )
    assert response.status_code == 302

    page = desk.get(applications_list())
    assert millbrook_application.reference not in page.text
    assert millbrook_fund.name not in choices(page, "fund")
    assert millbrook_fund.locality.name not in choices(page, "locality")


def test_a_message_waiting_to_be_shown_appears_on_the_list(client, ashby, frames_made):
    _, _, officer = ashby
    signed_in(client, officer)
    for _ in range(2):
        client.get(applications_list())

    # Nothing chosen: the bulk page says so on the next page the officer sees.
    client.post(reverse("grant-applications:bulk"), {"action": "export"})

    assert "Choose at least one application." in client.get(applications_list()).text
    assert "Choose at least one application." not in client.get(applications_list()).text
    assert frames_made == [True], "the list was not kept while the message was shown"


def test_the_list_asks_the_database_less_the_second_time(
    client, ashby, django_assert_max_num_queries
):
    _, _, officer = ashby
    signed_in(client, officer)

    with django_assert_max_num_queries(100) as first:
        client.get(applications_list())
    # What they may do, the sidebar and the filters' choices come from memory (16 queries, then 5).
    with django_assert_max_num_queries(len(first.captured_queries) // 2):
        client.get(applications_list())


# The sidebar -------------------------------------------------------------------------------------


def test_a_permission_given_to_a_person_adds_its_menu_item_on_their_next_page(client):
    person = signed_in(client, editor())
    for _ in range(2):
        before = menu(client.get("/admin/"))
    assert applications_list() not in before

    person.user_permissions.add(permission("grants.view_application"))

    assert menu(client.get("/admin/")) == before | {applications_list()}

    person.user_permissions.remove(permission("grants.view_application"))

    assert menu(client.get("/admin/")) == before


def test_a_permission_given_to_a_role_adds_its_menu_item_for_all_its_members(client):
    signed_in(client, editor())
    for _ in range(2):
        before = menu(client.get("/admin/"))

    role_group(Role.EDITOR).permissions.add(permission("grants.view_application"))

    assert menu(client.get("/admin/")) == before | {applications_list()}


def test_the_sidebar_of_one_person_is_never_shown_to_another(client):
    signed_in(client, UserFactory(with_mfa=True, staff=True, is_superuser=True))
    everything = menu(client.get("/admin/"))

    browser = Client()
    signed_in(browser, editor())
    for _ in range(2):
        mine = menu(browser.get("/admin/"))

    assert applications_list() in everything
    assert applications_list() not in mine


# Copies of Wagtail's templates -------------------------------------------------------------------

OURS = Path(settings.BASE_DIR) / "templates"
WAGTAILS = Path(wagtail.__file__).parent / "admin" / "templates"
TAG = re.compile(r"{%-?\s*(\w+)\b.*?-?%}", re.S)


def block(template: str, name: str) -> str:
    """The body of `{% block name %}`, nested blocks and all."""
    start = re.search(rf"{{%\s*block\s+{name}\s*%}}", template)
    assert start, f"no {name} block"
    depth = 1
    for tag in TAG.finditer(template, start.end()):
        if tag.group(1) == "block":
            depth += 1
        elif tag.group(1) == "endblock":
            depth -= 1
            if not depth:
                return template[start.end() : tag.start()]
    raise AssertionError(f"the {name} block is not closed")


def squashed(text: str) -> str:
    return " ".join(text.split())


def test_the_admins_furniture_is_wagtails_own_but_for_the_remembered_sidebar():
    ours = block((OURS / "wagtailadmin/base.html").read_text(), "furniture")
    wagtails = block((WAGTAILS / "wagtailadmin/base.html").read_text(), "furniture")

    assert ours.count("{% remembered_sidebar_props %}") == 1
    assert squashed(ours.replace("{% remembered_sidebar_props %}", "{% sidebar_props %}")) == (
        squashed(wagtails)
    ), "Wagtail's furniture block changed: copy it again into templates/wagtailadmin/base.html"


def test_the_admins_pagination_is_wagtails_own_inside_the_remembered_tag():
    ours = (OURS / "wagtailadmin/shared/pagination_nav.html").read_text()
    wagtails = (WAGTAILS / "wagtailadmin/shared/pagination_nav.html").read_text()

    remembered = re.search(r"{%\s*remembered\b.*?%}(.*){%\s*endremembered\s*%}", ours, re.S)
    assert remembered, "the pagination is no longer remembered"
    # Wagtail's, after its own {% load %} tags and its comment.
    wagtails_body = wagtails.rpartition("{% endcomment %}")[2]
    assert squashed(remembered.group(1)) == squashed(wagtails_body), (
        "Wagtail's pagination changed: copy it again into templates/wagtailadmin/shared/"
        "pagination_nav.html"
    )
    for library in re.findall(r"{%\s*load\s+(.*?)%}", wagtails):
        for name in library.split():
            assert re.search(rf"{{%\s*load\b[^%]*\b{name}\b", ours), f"{name} is not loaded"
