"""Security matrix rows 11–13: someone else's ids find nothing, wherever they are put.

Every address outside the admin that takes an id is found from the URL resolver, so a page added
tomorrow is swept too: one this file has no record for fails the sweep until it is given one.
Each is requested, by GET and by POST, with the ids of another group's records (its applications
in several states, its group page, file and inbox message), another locality's board meeting and
agenda item, and another organisation's family record, by an applicant from another group, a
board member of another locality, someone with no role at all and an anonymous visitor. All of
them get 404, exactly as for an id that does not exist, and nothing changes.

Staff pages are swept by locality: a grants officer of one locality asks the admin for another
locality's applications, funds, boards and meetings, and gets 404. Anyone without staff access is
sent to sign in as staff from every admin address with an id, the same way for a real id as for a
missing one (Wagtail's own gate, before any record is looked up).
"""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

import pytest

from core.enums import DocumentKind
from core.models import AuditEntry, InboxMessage
from core.models.audit import AuditAction
from core.services import document_store
from grants.enums import ApplicationStatus
from grants.models import Application, LedgerEntry
from grants.services import board as board_services
from outcomes.models import ReportExport
from outcomes.services.links import link_create
from tests.factories.core import BoardMembershipFactory, OrganisationMembershipFactory, UserFactory
from tests.factories.grants import (
    FundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)
from tests.factories.outcomes import EpisodeFactory, NarrativeFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus
MISSING_ID = 987654
MISSING_REFERENCE = "FAM-NOT-THERE"

# Addresses whose parameter is not a record's id, and why they are not swept here.
NOT_RECORD_IDS = {
    "/accounts/": "allauth's pages: a person's own keys, or e-mail and reset links by secret key",
    "/_util/": "Wagtail's password form for a restricted page",
    "/documents/": "Wagtail's public documents, served by its own collection privacy",
    "/funds/": "a public fund, by its published slug",
    "/give/thanks/": "a donor's receipt, by a secret token",
    "/my-story/": "a family's own link, by a secret token (tests/outcomes/test_family_story.py)",
    "/admin/": "staff pages, swept by locality below",
}

# Which record's id goes where: the address's start, then the parameter's name.
RECORDS = {
    ("/applications/", "pk"): "application",
    ("/board/meetings/", "pk"): "meeting",
    ("/board/items/", "pk"): "item",
    ("/organisations/", "pk"): "organisation",
    ("/files/", "pk"): "document",
    ("/messages/", "pk"): "message",
    ("/families/", "reference"): "family",
    ("/families/", "episode_id"): "episode",
    ("/families/", "link_id"): "link",
    ("/outcomes/coding/", "narrative_id"): "narrative",
    ("/outcomes/reports/committee/", "pk"): "report",
}


_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _routes(patterns=None, prefix: str = "/"):
    """Every route with a parameter, with its parameters' names (those of the includes too)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and _PARAMETER.search(route):
            yield route, _PARAMETER.findall(route)


def record_routes() -> dict[str, list[str]]:
    """Every address outside the admin that takes a record's id, with its parameters' names."""
    return {
        route: names
        for route, names in _routes()
        if not route.startswith(tuple(NOT_RECORD_IDS)) and "^" not in route
    }


def admin_routes(*starts: str) -> list[str]:
    return sorted({route for route, _names in _routes() if route.startswith(starts)})


def _record_for(route: str, name: str) -> str:
    for (start, parameter), record in RECORDS.items():
        if route.startswith(start) and name == parameter:
            return record
    raise AssertionError(
        f"{route} takes <{name}>, which this sweep does not know: add it to RECORDS (and make "
        "sure the page is not found for anyone the record does not belong to)"
    )


def path_for(route: str, names: list[str], ids: dict[str, object]) -> str:
    path = route
    for name in names:
        value = ids[_record_for(route, name)]
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<str:{name}>", str(value))
    path = path.replace("<slug:action>", "award").replace("<slug:layout>", "bacs18")
    assert "<" not in path, path
    return path


def missing(ids: dict[str, object]) -> dict[str, object]:
    return {record: MISSING_REFERENCE if record == "family" else MISSING_ID for record in ids}


@pytest.fixture
def victims() -> dict[str, object]:
    """Another group's and another locality's records, one of each kind an address can name."""
    fund = FundFactory(rapid=True)
    applications = [
        application_in(status, fund=fund)
        for status in (S.DRAFT, S.INFO_REQUESTED, S.AGREEMENT_ISSUED, S.MONITORING)
    ]
    board_fund = FundFactory(locality=fund.locality)
    waiting = application_in(S.BOARD_REVIEW, fund=board_fund)
    board, _chair, _others = board_for(fund.locality)
    meeting = meeting_for(board)
    officer = grants_officer(locality=fund.locality)
    board_services.meeting_open(meeting=meeting, by=officer)
    (item,) = board_services.agenda_add(meeting=meeting, applications=[waiting], by=officer)

    group = OrganisationMembershipFactory(organisation=applications[0].organisation).user

    document = document_store(
        organisation=applications[0].organisation,
        kind=DocumentKind.GOVERNING_DOCUMENT,
        uploaded=SimpleUploadedFile("rules.pdf", b"%PDF-1.4\nGroup rules\n%%EOF\n"),
        by=group,
    )
    message = InboxMessage.objects.create(
        recipient=group, kind="decision", subject="Your application", body="Good news."
    )
    episode = EpisodeFactory()
    practitioner = OrganisationMembershipFactory(
        organisation=episode.family.supporting_organisation
    ).user
    link = link_create(episode=episode, kind="assessment", by=practitioner)
    narrative = NarrativeFactory(checkpoint__episode=episode)
    report = ReportExport.objects.create(
        requested_by=practitioner, date_from="2026-04-01", date_to="2026-06-30"
    )
    return {
        "applications": applications,
        "application": applications[0].pk,
        "meeting": meeting.pk,
        "item": item.pk,
        "organisation": applications[0].organisation_id,
        "document": document.pk,
        "message": message.pk,
        "family": episode.family.reference,
        "episode": episode.pk,
        "link": link.pk,
        "narrative": narrative.pk,
        "report": report.pk,
    }


def _ids(victims: dict[str, object], application: Application | None = None):
    ids = {key: value for key, value in victims.items() if key != "applications"}
    if application is not None:
        ids["application"] = application.pk
    return ids


def test_the_sweep_finds_every_kind_of_record_page():
    routes = record_routes()
    assert "/applications/<int:pk>/" in routes
    assert "/board/items/<int:pk>/decide/" in routes
    assert "/files/<int:pk>/download/" in routes
    assert "/families/<str:reference>/links/<int:link_id>/revoke/" in routes
    assert len(routes) >= 40
    for route, names in routes.items():
        for name in names:
            _record_for(route, name)  # a route nobody has thought about fails here


def _sweep(client, ids: dict[str, object]) -> None:
    for route, names in record_routes().items():
        for method in ("get", "post"):
            path = path_for(route, names, ids)
            response = getattr(client, method)(path, {"status": "awarded", "owner": 1})
            if response.status_code == 405:
                # A page that takes no POST says so before looking anything up, for any id.
                elsewhere = path_for(route, names, missing(ids))
                assert getattr(client, method)(elsewhere).status_code == 405
                continue
            assert response.status_code == 404, (method, path, response.status_code)
            assert b"%PDF" not in response.content[:10]


@pytest.mark.parametrize("who", ["applicant", "board member", "no role"])
def test_people_from_elsewhere_find_nothing_at_any_address_with_an_id(
    client, sign_in, victims, who
):
    if who == "applicant":
        person = OrganisationMembershipFactory().user
        client.force_login(person)
    elif who == "board member":
        person = BoardMembershipFactory().user  # a board in another locality
        sign_in(person)
    else:
        person = UserFactory()
        client.force_login(person)
    states = {a.pk: a.status for a in Application.objects.all()}
    ledger_before = LedgerEntry.objects.count()

    for application in victims["applications"]:
        _sweep(client, _ids(victims, application))

    assert {a.pk: a.status for a in Application.objects.all()} == states
    assert LedgerEntry.objects.count() == ledger_before
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, actor_id=person.pk).exists()


def test_an_anonymous_visitor_finds_nothing_whether_or_not_the_record_exists(client, victims):
    application = victims["applications"][2]
    real = _ids(victims, application)
    for route, names in record_routes().items():
        for method in ("get", "post"):
            answers = [
                getattr(client, method)(path_for(route, names, ids))
                for ids in (real, missing(real))
            ]
            codes = [answer.status_code for answer in answers]
            assert codes[0] == codes[1] and codes[0] in (404, 405), (method, route, codes)
            if codes[0] == 404:
                assert "sign in and come back to this page" in answers[0].content.decode()
    application.refresh_from_db()
    assert application.status == S.AGREEMENT_ISSUED


LOCALITY_SCOPED_ADMIN = (
    "/admin/grant-applications/",
    "/admin/grant-funds/",
    "/admin/board-meetings/",
    "/admin/money/funds/",
)


def test_an_officer_finds_nothing_of_another_localitys_in_the_admin(client, sign_in, victims):
    application = victims["applications"][2]
    fund = application.fund
    meeting_pk = victims["meeting"]
    sign_in(grants_officer(locality=FundFactory().locality))
    ids = {
        "/admin/grant-applications/": application.pk,
        "/admin/grant-funds/": fund.pk,
        "/admin/board-meetings/": meeting_pk,
        "/admin/money/funds/": fund.pk,
    }
    routes = admin_routes(*LOCALITY_SCOPED_ADMIN)
    assert len([route for route in routes if "<int:pk>" in route]) >= 12
    for route in routes:
        if "<int:pk>" not in route or "/exports/" in route:  # an export is its maker's alone
            continue
        start = next(start for start in LOCALITY_SCOPED_ADMIN if route.startswith(start))
        path = path_for(route.replace("<int:pk>", str(ids[start])), [], {})
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code in (403, 404, 405), (method, path, response.status_code)
            assert application.reference not in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.AGREEMENT_ISSUED


@pytest.mark.parametrize("who", ["applicant", "board member", "anonymous"])
def test_without_staff_access_every_admin_address_with_an_id_answers_alike(
    client, sign_in, victims, who
):
    """The staff admin lets in only staff: anyone else is sent to sign in as staff from every
    admin address, with the same answer for a real id as for a missing one, so it shows nothing."""
    if who == "applicant":
        client.force_login(OrganisationMembershipFactory().user)
    elif who == "board member":
        sign_in(BoardMembershipFactory().user)
    real = victims["applications"][2].pk
    routes = [route for route in admin_routes("/admin/") if "<int:" in route and "^" not in route]
    assert len(routes) >= 60
    for route in routes:
        for method in ("get", "post"):
            answers = []
            for value in (real, MISSING_ID):
                path = re.sub(r"<int:\w+>", str(value), route)
                path = re.sub(r"<(?:\w+:)?\w+>", "abc", path)
                response = getattr(client, method)(path)
                assert response.status_code == 302, (method, path, response.status_code)
                assert response["Location"].startswith("/accounts/login/"), (method, path)
                answers.append(response["Location"].replace(str(value), "ID"))
            assert answers[0] == answers[1], (method, route)
