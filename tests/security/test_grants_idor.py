"""Security matrix rows 11–13 for grants: someone else's ids find nothing.

Every grants URL that takes an id is found from the URL resolver (so a new one is swept too) and
requested, by GET and by POST, by an applicant from another group, a board member of another
locality and an anonymous visitor, with the ids of another group's application, another board's
meeting and agenda item. Signed-in people get 404 and nothing changes; anonymous visitors are sent
to sign in whether or not the id exists, so nothing can be learned either way.
"""

from django.urls import URLPattern, URLResolver, get_resolver

import pytest

from core.models import AuditEntry
from core.models.audit import AuditAction
from grants.enums import ApplicationStatus
from grants.models import Application, LedgerEntry
from grants.services import board as board_services
from tests.factories.core import BoardMembershipFactory, OrganisationMembershipFactory, UserFactory
from tests.factories.grants import (
    FundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus
MISSING_ID = 987654


def grants_routes() -> list[str]:
    """Every route under the grants namespace that takes an id, as a format string."""
    found: list[str] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern) and namespace == "grants":
                route = prefix + str(pattern.pattern)
                if "<int:" in route:
                    found.append(route)

    walk(get_resolver().url_patterns, "/", None)
    return sorted(set(found))


def path_for(route: str, ids: dict[str, int]) -> str:
    if route.startswith("/board/meetings/"):
        value = ids["meeting"]
    elif route.startswith("/board/items/"):
        value = ids["item"]
    else:
        value = ids["application"]
    return route.replace("<int:pk>", str(value))


@pytest.fixture
def victims():
    """Another group's applications in several states, and another board's meeting and item."""
    fund = FundFactory(rapid=True)
    applications = {
        status: application_in(status, fund=fund)
        for status in (S.DRAFT, S.INFO_REQUESTED, S.AGREEMENT_ISSUED, S.MONITORING)
    }
    board_fund = FundFactory(locality=fund.locality)
    waiting = application_in(S.BOARD_REVIEW, fund=board_fund)
    board, _chair, _others = board_for(fund.locality)
    meeting = meeting_for(board)
    officer = grants_officer(locality=fund.locality)
    board_services.meeting_open(meeting=meeting, by=officer)
    (item,) = board_services.agenda_add(meeting=meeting, applications=[waiting], by=officer)
    return applications, meeting, item


def test_the_sweep_finds_the_grants_urls_with_ids():
    routes = grants_routes()
    assert "/applications/<int:pk>/" in routes
    assert "/board/items/<int:pk>/decide/" in routes
    assert len(routes) >= 20


@pytest.mark.parametrize("who", ["applicant", "board member"])
def test_people_from_elsewhere_get_not_found_for_every_grants_url(client, sign_in, victims, who):
    applications, meeting, item = victims
    if who == "applicant":
        person = OrganisationMembershipFactory().user
        client.force_login(person)
    else:
        person = BoardMembershipFactory().user  # a board in another locality
        sign_in(person)
    states = {a.pk: a.status for a in Application.objects.all()}
    ledger_before = LedgerEntry.objects.count()

    for application in applications.values():
        ids = {"application": application.pk, "meeting": meeting.pk, "item": item.pk}
        for route in grants_routes():
            path = path_for(route, ids)
            for method in ("get", "post"):
                response = getattr(client, method)(
                    path, {"status": "awarded", "amount_awarded_pence": 1}
                )
                if response.status_code == 405:
                    # A page that takes no POST says so before looking anything up, for any id.
                    missing = dict.fromkeys(ids, MISSING_ID)
                    assert getattr(client, method)(path_for(route, missing)).status_code == 405
                    continue
                assert response.status_code == 404, (method, path, response.status_code)
                assert b"%PDF" not in response.content[:10]

    assert {a.pk: a.status for a in Application.objects.all()} == states
    assert LedgerEntry.objects.count() == ledger_before
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, actor_id=person.pk).exists()


def test_an_anonymous_visitor_learns_nothing_from_any_id(client, victims):
    applications, meeting, item = victims
    application = applications[S.AGREEMENT_ISSUED]
    real = {"application": application.pk, "meeting": meeting.pk, "item": item.pk}
    missing = dict.fromkeys(real, MISSING_ID)
    for route in grants_routes():
        for method in ("get", "post"):
            answers = []
            for ids in (real, missing):
                response = getattr(client, method)(path_for(route, ids))
                assert response.status_code in (302, 404, 405), (
                    method,
                    route,
                    response.status_code,
                )
                if response.status_code == 302:
                    assert response["Location"].startswith("/accounts/login/")
                answers.append(response.status_code)
            assert answers[0] == answers[1], (method, route)
    application.refresh_from_db()
    assert application.status == S.AGREEMENT_ISSUED


def test_a_user_with_no_role_at_all_gets_not_found(client, victims):
    applications, meeting, item = victims
    client.force_login(UserFactory())
    ids = {"application": applications[S.DRAFT].pk, "meeting": meeting.pk, "item": item.pk}
    for route in grants_routes():
        assert client.get(path_for(route, ids)).status_code in (404, 405), route
