"""A grants officer works through applications in the staff admin."""

import datetime
import html
import json

import pytest
import time_machine
from bs4 import BeautifulSoup

from core.models import AuditEntry
from core.models.audit import AuditAction
from grants.enums import ApplicationStatus, LedgerKind
from grants.models import Application, LedgerEntry
from grants.services import awards
from grants.services import board as board_service
from tests.factories.grants import (
    FundFactory,
    application_in,
    board_for,
    grants_officer,
    meeting_for,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def act(client, application, action, **data):
    return client.post(
        f"/admin/grant-applications/act/{application.pk}/{action}/",
        {"expected_status": Application.objects.get(pk=application.pk).status, **data},
    )


def test_an_officer_makes_a_rapid_response_award_from_the_application_page(client, sign_in):
    fund = FundFactory(rapid=True)
    application = application_in(S.SUBMITTED, fund=fund)
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)

    page = client.get(f"/admin/grant-applications/inspect/{application.pk}/")
    assert page.status_code == 200
    assert b"Start checking" in page.content

    assert act(client, application, "start_screening").status_code == 302
    assert act(client, application, "send_for_decision").status_code == 302
    response = act(client, application, "award", amount="400", conditions="Send photos.")
    assert response.status_code == 302

    application.refresh_from_db()
    fund.refresh_from_db()
    assert application.status == S.AWARDED
    assert application.amount_awarded_pence == 40000
    assert fund.committed_pence == 40000
    transitions = AuditEntry.objects.for_object(application).filter(action=AuditAction.TRANSITION)
    assert transitions.count() == 4


def test_a_stale_page_is_told_it_changed_and_changes_nothing(client, sign_in):
    fund = FundFactory(rapid=True)
    application = application_in(S.OFFICER_DECISION, fund=fund)
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)

    response = client.post(
        f"/admin/grant-applications/act/{application.pk}/award/",
        {"expected_status": S.SCREENING},
    )
    assert response.status_code == 409
    assert "changed while you were looking" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.OFFICER_DECISION


def test_a_transition_from_the_wrong_state_is_refused_kindly(client, sign_in):
    fund = FundFactory(rapid=True)
    application = application_in(S.SUBMITTED, fund=fund)
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)

    response = act(client, application, "award", amount="400")
    assert response.status_code == 409
    assert "can’t be done now" in response.content.decode()
    assert f'href="/admin/grant-applications/inspect/{application.pk}/"' in response.text
    # Said in the staff area's own layout, with its menu, not the public site's.
    assert "wagtailadmin/generic/base.html" in [t.name for t in response.templates]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_an_officer_from_another_locality_finds_nothing(client, sign_in):
    application = application_in(S.OFFICER_DECISION, fund=FundFactory(rapid=True))
    stranger = grants_officer(locality=FundFactory().locality)
    sign_in(stranger)

    assert client.get(f"/admin/grant-applications/inspect/{application.pk}/").status_code == 404
    assert act(client, application, "award").status_code == 404
    application.refresh_from_db()
    assert application.status == S.OFFICER_DECISION
    assert AuditEntry.objects.filter(
        action=AuditAction.DENIED, object_id=str(application.pk)
    ).exists()


def test_the_list_filters_by_status_and_exports(client, sign_in):
    fund = FundFactory(rapid=True)
    submitted = application_in(S.SUBMITTED, fund=fund, title="Breakfast club")
    application_in(S.SCREENING, fund=fund, title="Homework club")
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)

    listing = client.get("/admin/grant-applications/", {"status": S.SUBMITTED})
    assert listing.status_code == 200
    assert "Breakfast club" in listing.content.decode()
    assert "Homework club" not in listing.content.decode()

    export = client.get("/admin/grant-applications/", {"export": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode()
    assert submitted.reference in body


def test_the_list_makes_the_same_number_of_queries_however_many_applications(
    client, sign_in, django_assert_max_num_queries
):
    fund = FundFactory(rapid=True, budget=0)
    officer = grants_officer(locality=fund.locality)
    for _ in range(3):
        application_in(S.SUBMITTED, fund=fund)
    sign_in(officer)
    client.get("/admin/grant-applications/")
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/grant-applications/")
    for _ in range(12):
        application_in(S.SUBMITTED, fund=fund)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/grant-applications/")


def test_the_application_page_opens_with_a_summary_in_pounds_not_the_stored_fields(client, sign_in):
    fund = FundFactory(rapid=True)
    application = application_in(S.SUBMITTED, fund=fund)
    Application.objects.filter(pk=application.pk).update(amount_requested_pence=250_050)
    sign_in(grants_officer(locality=fund.locality))

    page = client.get(f"/admin/grant-applications/inspect/{application.pk}/")
    summary = {row["label"]: str(row["value"]) for row in page.context["fields"]}
    assert summary["Amount requested"] == "£2,500.50"
    assert summary["Reference"] == application.reference
    assert summary["Fund"] == fund.name
    text = page.content.decode()
    for stored in ("Form snapshot", "Answers", "Is short form", "pence"):
        assert stored not in text.split("What you can do")[0], stored


def test_the_history_on_the_page_names_who_did_what_and_leaves_out_who_only_looked(client, sign_in):
    fund = FundFactory(rapid=True)
    application = application_in(S.SUBMITTED, fund=fund)
    officer = grants_officer(locality=fund.locality, full_name="Dana Okafor")
    sign_in(officer)
    for _ in range(3):
        client.get(f"/admin/grant-applications/inspect/{application.pk}/")  # each view audited
    act(client, application, "start_screening")

    page = client.get(f"/admin/grant-applications/inspect/{application.pk}/")
    heading = BeautifulSoup(page.text, "html.parser").find("h2", string="History")
    rows = heading.find_parent("section").select("tbody tr")
    history = [[cell.get_text(strip=True) for cell in row.find_all("td")] for row in rows]
    started = next(row for row in history if row[3].endswith("screening"))
    assert started[2] == "Dana Okafor"
    assert "Viewed" not in [row[1] for row in history]
    assert officer.audit_label not in [row[2] for row in history]


def test_an_officer_types_a_fund_s_amounts_in_pounds(client, sign_in):
    fund = FundFactory(rapid=True, maximum_award_pence=150_000)
    sign_in(grants_officer(locality=fund.locality))

    edit = client.get(f"/admin/grant-funds/edit/{fund.pk}/")
    assert edit.context["form"]["maximum_award_pence"].value() == "1500"
    assert "Largest award, in pounds" in edit.content.decode()
    page = client.get(f"/admin/grant-funds/inspect/{fund.pk}/")
    summary = {row["label"]: str(row["value"]) for row in page.context["fields"]}
    assert summary["Maximum award"] == "£1,500.00"


def test_the_fund_page_shows_its_money(client, sign_in):
    fund = FundFactory(rapid=True, budget=250000)
    application_in(S.AWARDED, fund=fund)
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)
    page = client.get(f"/admin/grant-funds/inspect/{fund.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "£2,500.00" in text and "£500.00" in text and "£2,000.00" in text


def test_a_group_name_that_looks_like_a_formula_is_exported_as_text(client, sign_in):
    """Security matrix row 20: the officer opens the export in a spreadsheet and nothing runs."""
    from tests.factories.core import OrganisationFactory

    fund = FundFactory(rapid=True)
    sneaky = OrganisationFactory(name='=HYPERLINK("http://example.invalid","click")')
    application_in(S.SUBMITTED, fund=fund, organisation=sneaky, title="+cmd|' /C calc'!A0")
    sign_in(grants_officer(locality=fund.locality))

    export = client.get("/admin/grant-applications/", {"export": "csv"})
    body = b"".join(export.streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert "'+cmd" in body
    assert ",=HYPERLINK" not in body


def test_an_officer_assigns_and_sends_several_applications_to_the_board_at_once(client, sign_in):
    fund = FundFactory()  # a board fund
    first, second = (application_in(S.SCREENING, fund=fund) for _ in range(2))
    elsewhere = application_in(S.SCREENING, fund=FundFactory())
    officer = grants_officer(locality=fund.locality)
    colleague = grants_officer(locality=fund.locality)
    sign_in(officer)

    page = client.get("/admin/grant-applications/bulk/", {"status": S.SCREENING})
    assert page.status_code == 200
    assert first.reference in page.content.decode()
    assert elsewhere.reference not in page.content.decode()

    client.post(
        "/admin/grant-applications/bulk/",
        {"ids": [first.pk, second.pk, elsewhere.pk], "action": "assign", "officer": colleague.pk},
    )
    client.post(
        "/admin/grant-applications/bulk/",
        {"ids": [first.pk, second.pk, elsewhere.pk], "action": "send_to_board"},
    )
    for application in (first, second):
        application.refresh_from_db()
        assert application.assigned_officer == colleague
        assert application.status == S.BOARD_REVIEW
    elsewhere.refresh_from_db()
    assert elsewhere.status == S.SCREENING and elsewhere.assigned_officer is None

    export = client.post(
        "/admin/grant-applications/bulk/", {"ids": [first.pk, elsewhere.pk], "action": "export"}
    )
    body = b"".join(export.streaming_content).decode()
    assert first.reference in body and elsewhere.reference not in body


def test_an_amount_that_is_not_money_is_refused_kindly(client, sign_in):
    fund = FundFactory(rapid=True)
    application = application_in(S.OFFICER_DECISION, fund=fund)
    sign_in(grants_officer(locality=fund.locality))
    for typed in ("abc", "-5"):
        response = act(client, application, "award", amount=typed)
        assert response.status_code == 302
        assert "Enter an amount in pounds" in client.get(response["Location"]).content.decode()
    application.refresh_from_db()
    assert application.status == S.OFFICER_DECISION


def test_the_overdue_filter_finds_late_decisions(client, sign_in):
    import datetime

    fund = FundFactory(rapid=True)
    late = application_in(S.SCREENING, fund=fund, title="Late one")
    Application.objects.filter(pk=late.pk).update(decision_due_on=datetime.date(2026, 1, 5))
    application_in(S.SCREENING, fund=fund, title="On time")
    sign_in(grants_officer(locality=fund.locality))
    listing = client.get("/admin/grant-applications/", {"overdue": "yes"}).content.decode()
    assert "Late one" in listing and "On time" not in listing
    assert "On time" in client.get("/admin/grant-applications/").content.decode()


def test_an_officer_sends_an_agreement_in_two_payments_over_a_grant_period_and_records_each(
    client, sign_in
):
    fund = FundFactory(rapid=True)
    application = application_in(S.AWARDED, fund=fund, amount_requested_pence=90000)
    officer = grants_officer(locality=fund.locality)
    sign_in(officer)
    page = client.get(f"/admin/grant-applications/inspect/{application.pk}/").text
    assert 'name="starts_on"' in page and 'name="ends_on"' in page

    response = act(
        client,
        application,
        "issue_agreement",
        starts_on="2027-01-04",
        ends_on="2027-12-31",
        tranche_amount=["600", "300"],
        tranche_due_on=["2027-01-04", "2027-07-01"],
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.AGREEMENT_ISSUED
    assert (str(application.planned_start_on), str(application.planned_end_on)) == (
        "2027-01-04",
        "2027-12-31",
    )
    first, second = application.tranches.order_by("number")
    assert (first.amount_pence, second.amount_pence) == (60000, 30000)
    package = client.get("/open-data/360giving.json")
    published = json.loads(b"".join(package.streaming_content))["grants"]
    grant = next(g for g in published if g["id"].endswith(application.reference))
    assert grant["plannedDates"] == [{"startDate": "2027-01-04", "endDate": "2027-12-31"}]

    awards.agreement_accept(
        application=application,
        by=application.created_by,
        name="Priya Shah",
        role="Treasurer",
        ip="203.0.113.7",
    )
    response = act(
        client, application, "record_payment", tranche=first.pk, payment_reference="BACS 0001"
    )
    assert response.status_code == 302
    application.refresh_from_db()
    fund.refresh_from_db()
    assert application.status == S.AGREEMENT_ACCEPTED  # one payment of two
    assert fund.paid_pence == 60000
    assert (
        "Payment 2: £300.00"
        in client.get(f"/admin/grant-applications/inspect/{application.pk}/").text
    )

    act(client, application, "record_payment", tranche=second.pk, payment_reference="BACS 0002")
    application.refresh_from_db()
    fund.refresh_from_db()
    assert application.status == S.PAID
    assert fund.paid_pence == 90000
    assert list(
        LedgerEntry.objects.filter(application=application, kind=LedgerKind.PAYMENT_SENT)
        .order_by("pk")
        .values_list("amount_pence", flat=True)
    ) == [60000, 30000]


@pytest.mark.parametrize(
    "posted, message",
    [
        (
            {"tranche_amount": ["600", "200"], "tranche_due_on": ["2027-01-04", "2027-07-01"]},
            "The payments must add up to the amount awarded.",
        ),
        (
            {"starts_on": "2027-06-01", "ends_on": "2027-01-01"},
            "The grant period must end on or after the day it starts.",
        ),
        (
            {"starts_on": "next spring", "ends_on": ""},
            "Give the grant period as the date it starts and the date it ends.",
        ),
        (
            {"tranche_amount": ["600", "300"], "tranche_due_on": ["2020-01-01", "2027-07-01"]},
            "Each payment must be due between today and the end of the grant period",
        ),
        (
            {
                "starts_on": "2027-01-04",
                "ends_on": "2027-12-31",
                "tranche_amount": ["600", "300"],
                "tranche_due_on": ["2027-01-04", "2030-01-01"],
            },
            "Each payment must be due between today and the end of the grant period "
            "(31 December 2027).",
        ),
    ],
)
@time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC), tick=False)
def test_an_agreement_that_does_not_add_up_is_not_sent(client, sign_in, posted, message):
    fund = FundFactory(rapid=True)
    application = application_in(S.AWARDED, fund=fund, amount_requested_pence=90000)
    sign_in(grants_officer(locality=fund.locality))

    response = act(client, application, "issue_agreement", **posted)

    assert message in client.get(response["Location"]).text
    application.refresh_from_db()
    assert application.status == S.AWARDED
    assert not application.tranches.exists()


@time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC), tick=False)
def test_a_refused_agreement_keeps_the_payments_and_period_the_officer_typed(client, sign_in):
    fund = FundFactory(rapid=True)
    application = application_in(S.AWARDED, fund=fund, amount_requested_pence=95000)
    sign_in(grants_officer(locality=fund.locality))

    response = act(
        client,
        application,
        "issue_agreement",
        starts_on="2027-01-04",
        ends_on="2027-12-31",
        tranche_amount=["500", "300"],
        tranche_due_on=["2027-01-04", "2027-07-01"],
    )

    page = BeautifulSoup(client.get(response["Location"]).text, "html.parser")
    assert "The payments must add up to the amount awarded." in page.text
    assert [field["value"] for field in page.select("input[name=tranche_amount]")] == ["500", "300"]
    assert [field["value"] for field in page.select("input[name=tranche_due_on]")] == [
        "2027-01-04",
        "2027-07-01",
    ]
    assert page.select_one("input[name=starts_on]")["value"] == "2027-01-04"
    assert page.select_one("input[name=ends_on]")["value"] == "2027-12-31"


def test_a_payment_needs_its_reference_to_be_recorded(client, sign_in):
    fund = FundFactory(rapid=True)
    application = application_in(S.AGREEMENT_ACCEPTED, fund=fund)
    sign_in(grants_officer(locality=fund.locality))
    tranche = application.tranches.get()

    response = act(client, application, "record_payment", tranche=tranche.pk, payment_reference=" ")

    assert "Enter the payment reference" in client.get(response["Location"]).text
    tranche.refresh_from_db()
    assert tranche.paid_at is None


def test_an_application_already_with_the_board_is_not_sent_again_and_is_told_why(client, sign_in):
    fund = FundFactory()
    sent = application_in(S.BOARD_REVIEW, fund=fund)
    sign_in(grants_officer(locality=fund.locality))

    response = client.post(
        f"/admin/grant-applications/bulk/?status={S.BOARD_REVIEW}",
        {"ids": [sent.pk], "action": "send_to_board"},
    )

    page = html.unescape(client.get(response["Location"]).text)
    label = S.BOARD_REVIEW.label.lower()
    assert f"Only an application being checked can be sent on; this one is {label}." in page
    assert "Due diligence" not in page


def test_an_award_beyond_the_officers_limit_is_referred_to_the_locality_board(client, sign_in):
    fund = FundFactory(rapid=True, delegated_limit_pence=30000)
    board, _, _ = board_for(fund.locality)
    application = application_in(S.OFFICER_DECISION, fund=fund, amount_requested_pence=50000)
    sign_in(grants_officer(locality=fund.locality))

    refused = act(client, application, "award", amount="500")
    assert refused.status_code == 403
    assert "For a larger award, refer it to the board." in refused.text
    assert (
        "Refer to the board"
        in client.get(f"/admin/grant-applications/inspect/{application.pk}/").text
    )
    no_reason = act(client, application, "refer_to_board", reason=" ")
    assert "Say why the board should decide it." in client.get(no_reason["Location"]).text

    act(client, application, "refer_to_board", reason="£500 is above my delegated limit.")

    application.refresh_from_db()
    assert application.status == S.BOARD_REVIEW
    referral = AuditEntry.objects.for_object(application).filter(to_state=S.BOARD_REVIEW).get()
    assert referral.reason == "£500 is above my delegated limit."
    meeting = meeting_for(board)
    board_service.agenda_add(meeting=meeting, applications=[application], by=None)
    assert meeting.items.filter(application=application).exists()


def test_a_borough_wide_rapid_fund_has_no_board_to_refer_to(client, sign_in):
    fund = FundFactory(rapid=True, locality=None)
    application = application_in(S.OFFICER_DECISION, fund=fund)
    officer = grants_officer(locality=FundFactory().locality)
    sign_in(officer)

    page = client.get(f"/admin/grant-applications/inspect/{application.pk}/").text

    assert "Award" in page and "Refer to the board" not in page


def test_an_award_outside_the_funds_limits_says_the_limits_and_keeps_what_the_officer_typed(
    client, sign_in
):
    fund = FundFactory(rapid=True, minimum_award_pence=10000, maximum_award_pence=100000)
    application = application_in(S.OFFICER_DECISION, fund=fund, amount_requested_pence=50000)
    sign_in(grants_officer(locality=fund.locality))

    refused = act(
        client,
        application,
        "award",
        amount="2500",
        conditions="Spend it on the hall's heating.",
        reason="Warm space for the winter.",
    )

    assert refused.status_code == 302
    page = client.get(refused["Location"]).content.decode()
    assert f"An award from {fund.name} must be between £100.00 and £1,000.00." in html.unescape(
        page
    )
    assert 'name="amount" inputmode="decimal" value="2500"' in page
    assert "Spend it on the hall&#x27;s heating.</textarea>" in page
    assert "Warm space for the winter.</textarea>" in page
    application.refresh_from_db()
    assert application.status == S.OFFICER_DECISION
    # Shown again once: a later visit starts from the group's request as usual.
    again = client.get(refused["Location"]).content.decode()
    assert 'value="2500"' not in again and "Spend it on the hall" not in again
