"""Security matrix row 19 for grants: what groups and board members type is shown, never run."""

import pytest

from grants.enums import ApplicationStatus
from grants.services import board as board_services
from tests.factories.core import OrganisationFactory
from tests.factories.grants import (
    FundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus
PAYLOAD = '<img src=x onerror=alert(1)>{{7*7}}<a href="javascript:alert(2)">x</a>'


def test_scripts_typed_into_an_application_are_shown_as_text_to_everyone(client, sign_in):
    fund = FundFactory()
    group = OrganisationFactory(name=f"Group {PAYLOAD}")
    application = application_in(
        S.BOARD_REVIEW,
        fund=fund,
        organisation=group,
        title=f"Title {PAYLOAD}",
        summary=f"Summary {PAYLOAD}",
        answers={"q-difference": f"Answer {PAYLOAD}", "q-safeguarding": "no"},
    )
    board, chair, others = board_for(fund.locality)
    officer = grants_officer(locality=fund.locality)
    meeting = meeting_for(board)
    board_services.meeting_open(meeting=meeting, by=officer)
    (item,) = board_services.agenda_add(meeting=meeting, applications=[application], by=officer)
    board_services.interest_declare(
        item=item, member=others[0], has_conflict=True, nature=f"Nature {PAYLOAD}"
    )

    pages = []
    client.force_login(application.created_by)
    pages.append(client.get(f"/applications/{application.pk}/"))
    client.logout()
    sign_in(chair)
    pages.append(client.get(f"/board/items/{item.pk}/"))
    client.logout()
    sign_in(officer)
    pages.append(client.get(f"/admin/grant-applications/inspect/{application.pk}/"))
    pages.append(client.get("/admin/grant-applications/"))

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<img src=x onerror" not in html
        assert 'href="javascript:' not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "Title &lt;img src=x onerror=alert(1)&gt;{{7*7}}" in html  # shown, not evaluated
        assert "Content-Security-Policy" in page.headers
