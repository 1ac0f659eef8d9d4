"""What leaves the organisation: the CSV of the report's figures and the committee PDF a worker makes."""

import csv
import datetime
import io
import re
import shutil
import subprocess

import pikepdf
import pytest

from core.models import AuditEntry, Locality
from core.models.audit import AuditAction
from outcomes.enums import CaseOutcome, CheckpointKind
from outcomes.models import Code, Codebook, ExportStatus, Narrative, NarrativeCode, ReportExport
from tests.factories import OrganisationFactory
from tests.outcomes.test_report_page import (
    PUBLISHED_ROWS,
    TABLE_ONE_PERIOD,
    commissioner_for,
    load_table_one,
    period,
    record_help,
    report_reader_at,
    tables,
)
from tests.pdfs import structure_elements

pytestmark = pytest.mark.django_db


@pytest.fixture
def table_one(tmp_path) -> list[Locality]:
    return load_table_one(tmp_path)


YEAR = period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))


def _csv(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext"):
        result = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        )
        return result.stdout.decode()
    pytest.skip("pdftotext (poppler-utils) is not installed")


def _ask_for_committee_report(client, query, django_capture_on_commit_callbacks):
    """Ask on the page; the worker runs only once the request's transaction has committed."""
    with django_capture_on_commit_callbacks(execute=False) as queued:
        asked = client.post("/outcomes/reports/committee/", query)
    assert asked.status_code == 302
    export = ReportExport.objects.get()
    assert asked["Location"] == f"/outcomes/reports/committee/{export.pk}/"
    waiting = client.get(asked["Location"])
    assert "Your report is being prepared" in waiting.text
    assert '<meta http-equiv="refresh" content="5">' in waiting.text
    assert export.status == ExportStatus.QUEUED and not export.file
    assert len(queued) == 1
    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # what the web process hands to Celery (eager in tests)
    export.refresh_from_db()
    return export, asked["Location"]


def _download(client, export) -> bytes:
    page = client.get(f"/outcomes/reports/committee/{export.pk}/")
    assert "being prepared" not in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert f"/outcomes/reports/committee/{export.pk}/download/" in page.text
    assert export.file.name not in page.text  # the stored file is never linked to directly
    response = client.get(f"/outcomes/reports/committee/{export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    return b"".join(response.streaming_content)


def test_the_csv_neutralises_formulas(client):
    locality = Locality.objects.create(name="=1+2", slug="formula-town")
    provider = OrganisationFactory(name='=HYPERLINK("http://evil.example","Open me")')
    episodes = [
        record_help(provider=provider, locality=locality, assessed=["yellow"], closed=["blue"])
        for _ in range(6)
    ]
    code = Code.objects.create(
        codebook=Codebook.objects.create(name="Ours"), key="sum", label="@SUM(A1:A9)"
    )
    for episode in episodes:
        closure = episode.checkpoints.get(kind=CheckpointKind.CLOSURE)
        narrative = Narrative.objects.create(checkpoint=closure, text="Things are calmer now.")
        NarrativeCode.objects.create(narrative=narrative, code=code)
    client.force_login(report_reader_at(provider))

    response = client.get(
        "/outcomes/reports/figures.csv", {**YEAR, "locality": locality.pk, "provider": provider.pk}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="outcomes-report-2025-04-01-to-2026-03-31.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = _csv(response)
    cells = [cell for row in rows for cell in row]
    assert ["Locality", "'=1+2"] in rows
    assert ["Provider", '\'=HYPERLINK("http://evil.example","Open me")'] in rows
    assert ["'@SUM(A1:A9)", "6"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    # The figures are the page's, as numbers a spreadsheet can add up.
    assert ["Yellow (Extra help)", "6", "100", "0", "0", "100% decrease"] in rows
    assert AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).count() == 1


def test_the_committee_pdf_is_made_by_a_worker_and_matches_the_table(
    client, table_one, django_capture_on_commit_callbacks
):
    person = commissioner_for(table_one)
    client.force_login(person)

    export, _ = _ask_for_committee_report(
        client, TABLE_ONE_PERIOD, django_capture_on_commit_callbacks
    )

    assert export.status == ExportStatus.READY
    assert export.requested_by == person
    assert (export.date_from, export.date_to) == (
        datetime.date(2020, 4, 1),
        datetime.date(2020, 12, 31),
    )
    assert export.finished_at >= export.requested_at
    assert export.file.name.startswith("reports/") and export.file.name.endswith(".pdf")
    data = _download(client, export)
    assert data.startswith(b"%PDF-")

    pdf = pikepdf.open(io.BytesIO(data))
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == "en-GB"
    assert bool(pdf.Root.MarkInfo.Marked)
    text = " ".join(_pdf_text(data).split())
    for level, *numbers in PUBLISHED_ROWS[:-1]:
        assert f"{level} {' '.join(numbers)}" in text, level
    assert "All triages 132 81" in text
    assert "Closed positively 43 53%" in text
    # The charts are in the document, described for people who cannot see them.
    figures = [
        node
        for node in structure_elements(pdf.Root.StructTreeRoot)
        if str(node.get("/S")) == "/Figure" and "/Alt" in node
    ]
    alts = [str(node.Alt) for node in figures]
    assert any(alt.startswith("Share of triages with an issue at each level") for alt in alts)
    assert any("Blue (Self-help): 56% of triages at assessment" in alt for alt in alts)

    # Nobody else can fetch it, even with the same role.
    other = commissioner_for(table_one)
    client.force_login(other)
    assert client.get(f"/outcomes/reports/committee/{export.pk}/download/").status_code == 404
    assert client.get(f"/outcomes/reports/committee/{export.pk}/").status_code == 404


def test_small_numbers_are_suppressed_in_the_pdf(client, django_capture_on_commit_callbacks):
    locality = Locality.objects.create(name="Millbrook", slug="millbrook")
    provider = OrganisationFactory(name="Bright Steps")
    for outcome in [CaseOutcome.CLOSED_POSITIVE] * 6 + [CaseOutcome.TRANSFERRED] * 2:
        record_help(
            provider=provider, locality=locality, assessed=["yellow"], closed=[], outcome=outcome
        )
    record_help(provider=provider, locality=locality, assessed=["orange"])
    client.force_login(report_reader_at(provider))
    query = {**YEAR, "provider": provider.pk}

    # On their own page, for their own organisation, the provider sees every number ...
    page = tables(client.get("/outcomes/reports/", query).text)
    outcomes = {row[0]: row[1:] for row in page["How cases closed"][1:]}
    assert outcomes["Transferred to another service"] == ["2", "25%"]
    triage = {row[0]: row[1:] for row in page["Triages with an issue at each level"][1:]}
    assert triage["Orange (Targeted help)"][:2] == ["1", "11%"]

    # ... but the committee report can leave the organisation, so numbers under 5 are hidden.
    export, _ = _ask_for_committee_report(client, query, django_capture_on_commit_callbacks)
    text = " ".join(_pdf_text(_download(client, export)).split())
    assert "Transferred to another service <5 not shown" in text
    assert "Closed positively 6 75%" in text
    assert re.search(r"Orange \(Targeted help\) <5 not shown 0 0% not shown", text), text
    assert "Transferred to another service 2" not in text


def test_a_report_is_not_made_for_someone_who_has_lost_access_since_asking(
    client, table_one, django_capture_on_commit_callbacks
):
    from outcomes.tasks import make_report_export

    person = commissioner_for(table_one)
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/outcomes/reports/committee/", TABLE_ONE_PERIOD)
    export = ReportExport.objects.get()
    person.groups.clear()

    assert make_report_export.delay(export.pk).get() == ExportStatus.FAILED
    export.refresh_from_db()
    assert not export.file
    assert export.failure == "The person who asked can no longer see reports."
    assert client.get(f"/outcomes/reports/committee/{export.pk}/").status_code == 404


def test_a_report_delivered_twice_to_the_worker_is_made_once(
    client, table_one, django_capture_on_commit_callbacks
):
    from outcomes.tasks import make_report_export

    client.force_login(commissioner_for(table_one))
    export, _ = _ask_for_committee_report(
        client, TABLE_ONE_PERIOD, django_capture_on_commit_callbacks
    )
    made_first = export.file.name

    assert make_report_export.delay(export.pk).get() == ExportStatus.READY
    export.refresh_from_db()
    assert export.file.name == made_first
    moves = AuditEntry.objects.filter(
        action=AuditAction.TRANSITION, object_id=str(export.pk), to_state=ExportStatus.READY
    )
    assert moves.count() == 1


@pytest.mark.django_db
def test_committee_reports_nobody_fetched_are_deleted_after_a_week():
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    import time_machine

    from outcomes.models import ReportExport
    from outcomes.tasks import delete_old_report_exports

    old = ReportExport.objects.create(date_from=dt.date(2025, 4, 1), date_to=dt.date(2026, 3, 31))
    old.file.save("report.pdf", ContentFile(b"%PDF-1.7"), save=True)
    name, storage = old.file.name, old.file.storage
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        kept = ReportExport.objects.create(
            date_from=dt.date(2025, 4, 1), date_to=dt.date(2026, 3, 31)
        )
        assert delete_old_report_exports.delay().get() == 1
    assert not ReportExport.objects.filter(pk=old.pk).exists()
    assert not storage.exists(name)
    assert ReportExport.objects.filter(pk=kept.pk).exists()
