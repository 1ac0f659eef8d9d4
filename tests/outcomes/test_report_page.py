"""The outcomes report page: the published table for a period, scoped to what each person may see."""

import datetime
import io
import json
from html.parser import HTMLParser

from django.contrib.auth.models import Permission
from django.core.management import call_command

import pytest

from core.enums import Role
from core.models import Locality, LocalityStaff
from outcomes.demo import table_one_csv
from outcomes.enums import CaseOutcome, CheckpointKind, CheckpointStatus, EpisodeStatus
from outcomes.models import (
    Checkpoint,
    Episode,
    FamilyRecord,
    Framework,
    ReportExport,
    TriagedIssue,
    TriageLevel,
)
from outcomes.services.report_exports import (
    export_filters,
    report_figures,
    report_reach,
    report_scope,
)
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCALITIES = ("Ashby Vale", "Millbrook", "Riverside")


def period(start: datetime.date, end: datetime.date) -> dict[str, str]:
    return {
        "date_from_day": str(start.day),
        "date_from_month": str(start.month),
        "date_from_year": str(start.year),
        "date_to_day": str(end.day),
        "date_to_month": str(end.month),
        "date_to_year": str(end.year),
    }


TABLE_ONE_PERIOD = period(datetime.date(2020, 4, 1), datetime.date(2020, 12, 31))
PUBLISHED_ROWS = [
    ["Blue (Self-help)", "74", "56%", "53", "65%", "17% increase"],
    ["Green (Universal help)", "76", "58%", "47", "58%", "no change"],
    ["Yellow (Extra help)", "113", "86%", "20", "25%", "71% decrease"],
    ["Orange (Targeted help)", "95", "72%", "18", "22%", "69% decrease"],
    ["All triages", "132", "", "81", "", ""],
]


class _Tables(HTMLParser):
    """Every <table> on a page, by caption: its rows as lists of cell text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._text: list[str] | None = None
        self._in_svg = 0

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self._in_svg += 1
        elif tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td", "caption"):
            self._text = []

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_svg -= 1
        elif tag == "caption" and self._text is not None:
            self._caption = " ".join("".join(self._text).split())
            self._text = None
        elif tag in ("th", "td") and self._text is not None and self._rows is not None:
            self._rows[-1].append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption or f"table {len(self.tables) + 1}"] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._text is not None and not self._in_svg:
            self._text.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def body_rows(table: list[list[str]]) -> list[list[str]]:
    return table[1:]  # the first row holds the column headers


def load_table_one(folder) -> list[Locality]:
    """The records behind the council's published Table 1, imported as a council would."""
    localities = [
        Locality.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        for name in LOCALITIES
    ]
    call_command("load_frameworks", stdout=io.StringIO())
    triage, outcomes = table_one_csv(list(LOCALITIES))
    (folder / "triage.csv").write_text(triage)
    (folder / "outcomes.csv").write_text(outcomes)
    call_command(
        "import_outcomes",
        "--triage",
        folder / "triage.csv",
        "--outcomes",
        folder / "outcomes.csv",
        stdout=io.StringIO(),
    )
    return localities


@pytest.fixture
def table_one(tmp_path) -> list[Locality]:
    return load_table_one(tmp_path)


def commissioner_for(localities) -> "UserFactory":
    person = UserFactory(roles=(Role.COMMISSIONER,), with_mfa=True)
    for locality in localities:
        LocalityStaff.objects.create(locality=locality, user=person)
    return person


def report_reader_at(organisation):
    """A provider's manager whose administrator has let them read outcomes reports."""
    person = OrganisationMembershipFactory(
        organisation=organisation, user=UserFactory(roles=(Role.PROVIDER,), with_mfa=True)
    ).user
    person.user_permissions.add(
        Permission.objects.get(content_type__app_label="outcomes", codename="view_outcomes_reports")
    )
    return person


def record_help(
    *,
    provider,
    locality,
    assessed: list[str],
    closed: list[str] | None = None,
    outcome: str = CaseOutcome.CLOSED_POSITIVE,
    started: datetime.date = datetime.date(2025, 5, 1),
) -> Episode:
    """A family's episode with a submitted triage at assessment and, if given, at closure."""
    if not Framework.objects.filter(slug="early-help-triage").exists():
        call_command("load_frameworks", stdout=io.StringIO())
    framework = Framework.objects.get(slug="early-help-triage")
    family = FamilyRecord.objects.create(locality=locality, supporting_organisation=provider)
    episode = Episode.objects.create(
        family=family,
        reference=f"T-{family.pk}",
        framework_version=framework.current_version,
        provider=provider,
        started_on=started,
    )
    stages = [(CheckpointKind.ASSESSMENT, started, assessed)]
    if closed is not None:
        stages.append((CheckpointKind.CLOSURE, started + datetime.timedelta(days=60), closed))
    for kind, on, levels in stages:
        checkpoint = Checkpoint.objects.create(
            episode=episode, kind=kind, recorded_on=on, status=CheckpointStatus.SUBMITTED
        )
        for number, key in enumerate(levels):
            TriagedIssue.objects.create(
                checkpoint=checkpoint,
                issue=f"issue {number}",
                level=TriageLevel.objects.get(scale=framework.triage_scale, key=key),
            )
    if closed is not None:
        Episode.objects.filter(pk=episode.pk).update(
            status=EpisodeStatus.CLOSED,
            outcome=outcome,
            closed_on=started + datetime.timedelta(days=60),
        )
    return episode


def test_a_commissioner_sees_the_published_table_for_the_period(client, table_one):
    client.force_login(commissioner_for(table_one))

    response = client.get("/outcomes/reports/", TABLE_ONE_PERIOD)

    assert response.status_code == 200
    found = tables(response.text)
    assert body_rows(found["Triages with an issue at each level"]) == PUBLISHED_ROWS
    outcomes = dict((row[0], row[1:]) for row in body_rows(found["How cases closed"]))
    assert outcomes["Closed positively"] == ["43", "53%"]
    assert outcomes["Escalated to children's social care"] == ["12", "15%"]
    # A commissioner is not one of the providers: two transfers are too few to show.
    assert outcomes["Transferred to another service"] == ["<5", "not shown"]
    assert outcomes["All closed cases"] == ["81", ""]
    # Each chart is a labelled image beside its table, and says in words what it shows.
    charts = response.text.count('role="img" aria-labelledby="')
    assert charts == 2  # triage levels and case outcomes; no domain was scored in this period
    assert '<title id="triage-chart-title">' in response.text
    assert "Blue (Self-help): 56% of triages at assessment and 65% at closure, 17% increase." in (
        response.text
    )
    assert "<script" not in response.text.split('id="main-content"')[1].split("</main>")[0]


def test_the_report_for_another_period_leaves_the_published_records_out(client, table_one):
    client.force_login(commissioner_for(table_one))
    response = client.get(
        "/outcomes/reports/", period(datetime.date(2021, 4, 1), datetime.date(2022, 3, 31))
    )
    rows = body_rows(tables(response.text)["Triages with an issue at each level"])
    assert rows[-1] == ["All triages", "0", "", "0", "", ""]
    assert "There are no records in this period" in response.text


def test_an_officer_only_sees_the_localities_they_work_in(client, table_one):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,), with_mfa=True)
    LocalityStaff.objects.create(locality=Locality.objects.get(name="Millbrook"), user=officer)
    client.force_login(officer)
    response = client.get("/outcomes/reports/", TABLE_ONE_PERIOD)
    rows = body_rows(tables(response.text)["Triages with an issue at each level"])
    assert rows[-1][:4] == ["All triages", "44", "", "27"]  # every third of 132 and of 81
    assert "Ashby Vale</option>" not in response.text


def test_a_provider_sees_only_its_own_families_figures(client):
    locality = Locality.objects.create(name="Millbrook", slug="millbrook")
    ours, theirs = OrganisationFactory(name="Bright Steps"), OrganisationFactory(name="Other CIC")
    for _ in range(6):
        record_help(provider=ours, locality=locality, assessed=["yellow"], closed=["blue"])
    record_help(provider=ours, locality=locality, assessed=["orange", "yellow"])
    for _ in range(9):
        record_help(provider=theirs, locality=locality, assessed=["orange"], closed=["green"])
    client.force_login(report_reader_at(ours))

    year = period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    response = client.get("/outcomes/reports/", year)  # their organisation, until they choose

    assert response.status_code == 200
    found = tables(response.text)
    rows = {row[0]: row[1:] for row in body_rows(found["Triages with an issue at each level"])}
    assert rows["All triages"][:3] == ["7", "", "6"]
    assert rows["Yellow (Extra help)"] == ["7", "100%", "0", "0%", "100% decrease"]
    # Their own report on their own families shows small numbers: it stays with them.
    assert rows["Orange (Targeted help)"][:2] == ["1", "14%"]
    assert "Other CIC" not in response.text

    # Asking for the other provider is refused; asking for everyone still counts only theirs.
    other = client.get("/outcomes/reports/", {**year, "provider": theirs.pk})
    assert other.status_code == 400
    assert "Triages with an issue at each level" not in other.text
    everyone = client.get("/outcomes/reports/", {**year, "provider": ""})
    rows = {
        row[0]: row[1:]
        for row in body_rows(tables(everyone.text)["Triages with an issue at each level"])
    }
    assert rows["All triages"][:3] == ["7", "", "6"]
    assert rows["Orange (Targeted help)"][:2] == ["<5", "not shown"]


def test_someone_without_the_report_permission_gets_no_figures(client, table_one):
    applicant = UserFactory(roles=(Role.APPLICANT,))
    client.force_login(applicant)

    page = client.get("/outcomes/reports/", TABLE_ONE_PERIOD)
    download = client.get("/outcomes/reports/figures.csv", TABLE_ONE_PERIOD)
    committee = client.post("/outcomes/reports/committee/", TABLE_ONE_PERIOD)

    assert (page.status_code, download.status_code, committee.status_code) == (403, 403, 403)
    for response in (page, download, committee):
        assert b"132" not in response.content
        assert b"Triages with an issue" not in response.content
    client.logout()
    anonymous = client.get("/outcomes/reports/", TABLE_ONE_PERIOD)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_a_period_that_ends_before_it_starts_is_explained(client, table_one):
    client.force_login(commissioner_for(table_one))
    response = client.get(
        "/outcomes/reports/", period(datetime.date(2020, 12, 31), datetime.date(2020, 4, 1))
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "The end date must be the same as or after the start date" in response.text
    broken = client.get("/outcomes/reports/", {**TABLE_ONE_PERIOD, "date_to_month": "13"})
    assert "The end date must be a real date" in broken.text


def test_distance_travelled_shows_how_complete_the_scores_are(client):
    locality = Locality.objects.create(name="Millbrook", slug="millbrook")
    ours = OrganisationFactory(name="Bright Steps")
    record_help(provider=ours, locality=locality, assessed=["blue"])  # loads the frameworks
    version = Framework.objects.get(slug="childhood-offer").current_version
    attachment = version.domains.get(key="attachment")
    started = datetime.date(2025, 6, 2)
    for number, (start, end) in enumerate([(3, 7), (4, 8), (5, 7), (2, 6), (4, 9), (None, 8)]):
        family = FamilyRecord.objects.create(locality=locality, supporting_organisation=ours)
        episode = Episode.objects.create(
            family=family,
            reference=f"CO-{number}",
            framework_version=version,
            provider=ours,
            started_on=started,
        )
        for kind, on, score in (
            (CheckpointKind.ASSESSMENT, started, start),
            (CheckpointKind.CLOSURE, started + datetime.timedelta(days=70), end),
        ):
            checkpoint = Checkpoint.objects.create(
                episode=episode, kind=kind, recorded_on=on, status=CheckpointStatus.SUBMITTED
            )
            checkpoint.scores.create(domain=attachment, score=score)
    client.force_login(report_reader_at(ours))

    response = client.get(
        "/outcomes/reports/", period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    )

    rows = body_rows(tables(response.text)["Distance travelled: scores out of 10"])
    assert rows == [["Form strong attachments", "6", "5", "83%", "3.6", "7.4", "+3.8"]]
    assert 'aria-labelledby="distance-chart-title distance-chart-desc"' in response.text
    assert "Form strong attachments: mean score 3.6 at assessment and 7.4 at closure" in (
        response.text
    )


def test_a_fund_report_counts_only_the_help_given_by_groups_it_funded(
    client, django_capture_on_commit_callbacks
):
    """A locality fund's committee asks what difference its grants made for families."""
    from grants.enums import ApplicationStatus
    from tests.factories.grants import FundFactory, application_in

    locality = Locality.objects.create(name="Millbrook", slug="millbrook")
    fund = FundFactory(rapid=True, locality=locality, name="Millbrook Community Matters Fund")
    funded, unfunded = (
        OrganisationFactory(name="Bright Steps"),
        OrganisationFactory(name="Other CIC"),
    )
    application_in(ApplicationStatus.AWARDED, fund=fund, organisation=funded)
    application_in(ApplicationStatus.DECLINED, fund=fund, organisation=unfunded)
    for _ in range(6):
        record_help(provider=funded, locality=locality, assessed=["yellow"], closed=["blue"])
    for _ in range(9):
        record_help(provider=unfunded, locality=locality, assessed=["orange"], closed=["green"])

    out = io.StringIO()
    call_command(
        "outcomes_report",
        "--from",
        "2025-04-01",
        "--to",
        "2026-03-31",
        "--fund",
        "Millbrook Community Matters Fund",
        "--format",
        "json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["triages"] == {"assessment": 6, "closure": 6}
    assert report["levels"]["orange"]["assessment"]["count"] == 0

    client.force_login(commissioner_for([locality]))
    year = period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    response = client.get("/outcomes/reports/", {**year, "fund": fund.pk})
    rows = {
        row[0]: row[1:]
        for row in body_rows(tables(response.text)["Triages with an issue at each level"])
    }
    assert rows["All triages"][:3] == ["6", "", "6"]
    assert "Groups funded by" in response.text

    # The committee report asked for from the same page keeps the fund: its figures are the fund's.
    with django_capture_on_commit_callbacks(execute=True):  # the worker, eager in tests
        client.post("/outcomes/reports/committee/", {**year, "fund": fund.pk})
    export = ReportExport.objects.get()
    assert export.fund == fund
    assert export.status == "ready"
    page = client.get(f"/outcomes/reports/committee/{export.pk}/").text
    assert "Millbrook Community Matters Fund" in page
    assert f"fund={fund.pk}" in page  # the same figures on the web
    filters = export_filters(export)
    figures = report_figures(
        report_scope(report_reach(export.requested_by), filters), filters, publish=True
    )
    assert figures.assessment_total == 6  # what the worker put in the PDF: not all 15
